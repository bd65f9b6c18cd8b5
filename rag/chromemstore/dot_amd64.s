#include "textflag.h"

// func dotsAVX2(q *float32, dim int, rows *[]float32, n int, out *float32)
//
// For each of the n slice headers at rows, out[i] = q · rows[i][:dim]: four
// 8-wide fused multiply-add chains over 32 floats at a time, then 8 at a
// time, then one at a time for the last dim%8.
TEXT ·dotsAVX2(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), SI
	MOVQ dim+8(FP), CX
	MOVQ rows+16(FP), BX
	MOVQ n+24(FP), DX
	MOVQ out+32(FP), R8
	MOVQ CX, R9
	ANDQ $~31, R9
	MOVQ CX, R10
	ANDQ $~7, R10

row:
	MOVQ   (BX), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   AX, AX

loop32:
	CMPQ        AX, R9
	JGE         loop8
	VMOVUPS     (SI)(AX*4), Y4
	VMOVUPS     32(SI)(AX*4), Y5
	VMOVUPS     64(SI)(AX*4), Y6
	VMOVUPS     96(SI)(AX*4), Y7
	VFMADD231PS (DI)(AX*4), Y4, Y0
	VFMADD231PS 32(DI)(AX*4), Y5, Y1
	VFMADD231PS 64(DI)(AX*4), Y6, Y2
	VFMADD231PS 96(DI)(AX*4), Y7, Y3
	ADDQ        $32, AX
	JMP         loop32

loop8:
	CMPQ        AX, R10
	JGE         reduce
	VMOVUPS     (SI)(AX*4), Y4
	VFMADD231PS (DI)(AX*4), Y4, Y0
	ADDQ        $8, AX
	JMP         loop8

reduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0

tail:
	CMPQ        AX, CX
	JGE         store
	VMOVSS      (SI)(AX*4), X4
	VFMADD231SS (DI)(AX*4), X4, X0
	INCQ        AX
	JMP         tail

store:
	VMOVSS X0, (R8)
	ADDQ   $4, R8
	ADDQ   $24, BX
	DECQ   DX
	JNZ    row
	VZEROUPPER
	RET

// BLOCK4 adds one 32-byte block of a row of 4-bit codes (DI, at byte AX;
// the question's bytes at SI+2·AX, here BX; the block's offsets at R12+AX)
// times its scale (spread from Y13 by the shuffle mask) to the sums acc,
// and moves on to the next block; it jumps to done after the row's last.
#define BLOCK4(mask, acc, done) \
	CMPQ       AX, CX             \
	JGE        done               \
	VMOVDQU    (DI)(AX*1), Y4     \
	VPSRLW     $4, Y4, Y5         \
	VPAND      Y14, Y4, Y4        \
	VPAND      Y14, Y5, Y5        \
	VPMADDUBSW (SI)(BX*1), Y4, Y4 \
	VPMADDUBSW 32(SI)(BX*1), Y5, Y5 \
	VPADDW     Y5, Y4, Y4         \
	VPSUBW     (R12)(AX*1), Y4, Y4 \
	VPSHUFB    mask, Y13, Y6      \
	VPMADDWD   Y6, Y4, Y4         \
	VPADDD     Y4, acc, acc       \
	ADDQ       $32, AX            \
	ADDQ       $64, BX

// GROUP4 adds up to eight blocks of a row whose scales are at R13, eight
// int16 at a time, then loops back to its start. It reads the next eight
// scales only when the row has another block: a row's scales end with it.
#define GROUP4(start, done) \
	CMPQ           AX, CX     \
	JGE            done       \
	VBROADCASTI128 (R13), Y13 \
	ADDQ           $16, R13   \
	BLOCK4(Y2, Y0, done)      \
	BLOCK4(Y3, Y1, done)      \
	BLOCK4(Y7, Y0, done)      \
	BLOCK4(Y8, Y1, done)      \
	BLOCK4(Y9, Y0, done)      \
	BLOCK4(Y10, Y1, done)     \
	BLOCK4(Y11, Y0, done)     \
	BLOCK4(Y12, Y1, done)     \
	JMP            start

// SETUP4 loads the eight shuffle masks from AX and the nibble mask.
#define SETUP4 \
	VMOVDQU      (AX), Y2     \
	VMOVDQU      32(AX), Y3   \
	VMOVDQU      64(AX), Y7   \
	VMOVDQU      96(AX), Y8   \
	VMOVDQU      128(AX), Y9  \
	VMOVDQU      160(AX), Y10 \
	VMOVDQU      192(AX), Y11 \
	VMOVDQU      224(AX), Y12 \
	MOVL         $0x0F0F0F0F, AX \
	VMOVD        AX, X14      \
	VPBROADCASTD X14, Y14

// REDUCE4 adds the two chains' eight sums into one and stores it at R8.
#define REDUCE4 \
	VPADDD       Y1, Y0, Y0 \
	VEXTRACTI128 $1, Y0, X1 \
	VPADDD       X1, X0, X0 \
	VPHADDD      X0, X0, X0 \
	VPHADDD      X0, X0, X0 \
	VMOVD        X0, (R8)

// func dots4AVX2(q *int8, m *uint8, stride int, rows int, bs *int16, sw int, offs *int16, out *int32, shuffles *[8][32]byte)
//
// For each of rows rows of 4-bit codes in m, stride bytes apart (a multiple
// of 32), out[i] = Σ_b bs_b·(q·codes_b − offs_b) over the row's 32-byte
// blocks b (see dots4Generic). A block's 32 bytes split into their low and
// high nibbles, multiplied as unsigned bytes by q's signed bytes and summed
// in pairs (VPMADDUBSW: at most 2·15·127, no saturation), the two halves
// added as int16 and multiplied in pairs by the block's scale into eight
// int32 sums (VPMADDWD), two chains taking blocks in turn; before that,
// the block's offsets (sixteen int16 a block, what the codes' 8 adds to
// those pair sums) are taken off. The scales are read eight at a time into
// both halves of a register, and each block's spread over it by a byte
// shuffle (shuffles: eight masks of 32 bytes). The sw scales of row i+1
// follow those of row i.
TEXT ·dots4AVX2(SB), NOSPLIT, $0-72
	MOVQ q+0(FP), SI
	MOVQ m+8(FP), DI
	MOVQ stride+16(FP), CX
	MOVQ rows+24(FP), DX
	MOVQ bs+32(FP), R10
	MOVQ sw+40(FP), R11
	MOVQ offs+48(FP), R12
	MOVQ out+56(FP), R8
	MOVQ shuffles+64(FP), AX
	SETUP4

row4:
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	XORQ  AX, AX
	XORQ  BX, BX
	MOVQ  R10, R13

group4:
	GROUP4(group4, reduce4)

reduce4:
	REDUCE4
	ADDQ CX, DI
	LEAQ (R10)(R11*2), R10
	ADDQ $4, R8
	DECQ DX
	JNZ  row4
	VZEROUPPER
	RET

// func dots4GatherAVX2(q *int8, m *uint8, stride int, idx *int32, n int, bs *int16, sw int, offs *int16, out *int32, shuffles *[8][32]byte)
//
// dots4AVX2 for the n rows idx[0], idx[1], … of m (and their scales in
// bs), in that order: the rows a query keeps from its coarse pass, spread
// over the table. The codes and scales of the row four places on are
// fetched into the cache (PREFETCHT0) while this one is summed, so that
// the rows' cache misses overlap.
TEXT ·dots4GatherAVX2(SB), NOSPLIT, $0-80
	MOVQ q+0(FP), SI
	MOVQ m+8(FP), R9
	MOVQ stride+16(FP), CX
	MOVQ idx+24(FP), R14
	MOVQ n+32(FP), DX
	MOVQ sw+48(FP), R11
	MOVQ offs+56(FP), R12
	MOVQ out+64(FP), R8
	MOVQ shuffles+72(FP), AX
	SETUP4

grow4:
	CMPQ       DX, $4
	JLE        gnext4
	MOVLQSX    16(R14), AX
	MOVQ       AX, BX
	IMULQ      CX, AX
	ADDQ       R9, AX
	PREFETCHT0 (AX)
	PREFETCHT0 64(AX)
	PREFETCHT0 128(AX)
	IMULQ      R11, BX
	SHLQ       $1, BX
	ADDQ       bs+40(FP), BX
	PREFETCHT0 (BX)

gnext4:
	MOVLQSX (R14), AX
	MOVQ    AX, DI
	IMULQ   CX, DI
	ADDQ    R9, DI
	MOVQ    AX, R13
	IMULQ   R11, R13
	SHLQ    $1, R13
	ADDQ    bs+40(FP), R13
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
	XORQ    AX, AX
	XORQ    BX, BX

ggroup4:
	GROUP4(ggroup4, greduce4)

greduce4:
	REDUCE4
	ADDQ $4, R8
	ADDQ $4, R14
	DECQ DX
	JNZ  grow4
	VZEROUPPER
	RET
