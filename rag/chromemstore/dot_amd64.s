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

// func dots8AVX2(q *int16, m *int8, stride int, rows int, out *int32)
//
// For each of rows int8 rows of m, stride bytes apart (a multiple of 16),
// out[i] = q · row: sixteen bytes at a time sign-extended to int16 and
// multiplied pairwise into int32 sums (VPMADDWD), four chains over 64
// bytes at a time.
TEXT ·dots8AVX2(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), SI
	MOVQ m+8(FP), DI
	MOVQ stride+16(FP), CX
	MOVQ rows+24(FP), DX
	MOVQ out+32(FP), R8
	MOVQ CX, R9
	ANDQ $~63, R9

row8:
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	XORQ  AX, AX

loop64:
	CMPQ      AX, R9
	JGE       loop16
	VPMOVSXBW (DI)(AX*1), Y4
	VPMOVSXBW 16(DI)(AX*1), Y5
	VPMOVSXBW 32(DI)(AX*1), Y6
	VPMOVSXBW 48(DI)(AX*1), Y7
	VPMADDWD  (SI)(AX*2), Y4, Y4
	VPMADDWD  32(SI)(AX*2), Y5, Y5
	VPMADDWD  64(SI)(AX*2), Y6, Y6
	VPMADDWD  96(SI)(AX*2), Y7, Y7
	VPADDD    Y4, Y0, Y0
	VPADDD    Y5, Y1, Y1
	VPADDD    Y6, Y2, Y2
	VPADDD    Y7, Y3, Y3
	ADDQ      $64, AX
	JMP       loop64

loop16:
	CMPQ      AX, CX
	JGE       reduce8
	VPMOVSXBW (DI)(AX*1), Y4
	VPMADDWD  (SI)(AX*2), Y4, Y4
	VPADDD    Y4, Y0, Y0
	ADDQ      $16, AX
	JMP       loop16

reduce8:
	VPADDD       Y1, Y0, Y0
	VPADDD       Y3, Y2, Y2
	VPADDD       Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPHADDD      X0, X0, X0
	VPHADDD      X0, X0, X0
	VMOVD        X0, (R8)
	ADDQ         $4, R8
	ADDQ         CX, DI
	DECQ         DX
	JNZ          row8
	VZEROUPPER
	RET
