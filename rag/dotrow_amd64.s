#include "textflag.h"

// HSUM adds the eight floats of y into the low float of x, its lower half.
#define HSUM(y, x) \
	VEXTRACTF128 $1, y, X5 \
	VADDPS       X5, x, x  \
	VHADDPS      x, x, x   \
	VHADDPS      x, x, x

// FMA1 fuses component AX of the row at r, sign-extended and made a float,
// times the question's (X4) into acc.
#define FMA1(r, acc) \
	MOVBQSX     (r)(AX*1), BX \
	VCVTSI2SSQ  BX, X5, X5   \
	VFMADD231SS X5, X4, acc

// func dotRows4AVX2(q *float32, n int, a, b, c, d *int8, out *[4]float32)
//
// For each of the rows a, b, c and d: eight int8 components at a time
// sign-extended, made floats and multiplied into eight fused sums
// (VFMADD231PS), the eight added as (0+4, 1+5, 2+6, 3+7) then pairwise,
// then the last n%8 components fused in one at a time.
TEXT ·dotRows4AVX2(SB), NOSPLIT, $0-56
	MOVQ q+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ a+16(FP), R8
	MOVQ b+24(FP), R9
	MOVQ c+32(FP), R10
	MOVQ d+40(FP), R11
	MOVQ out+48(FP), DI
	MOVQ CX, R12
	ANDQ $~7, R12
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   AX, AX

loop8:
	CMPQ        AX, R12
	JGE         reduce
	VMOVUPS     (SI)(AX*4), Y4
	VPMOVSXBD   (R8)(AX*1), Y5
	VPMOVSXBD   (R9)(AX*1), Y6
	VPMOVSXBD   (R10)(AX*1), Y7
	VPMOVSXBD   (R11)(AX*1), Y8
	VCVTDQ2PS   Y5, Y5
	VCVTDQ2PS   Y6, Y6
	VCVTDQ2PS   Y7, Y7
	VCVTDQ2PS   Y8, Y8
	VFMADD231PS Y5, Y4, Y0
	VFMADD231PS Y6, Y4, Y1
	VFMADD231PS Y7, Y4, Y2
	VFMADD231PS Y8, Y4, Y3
	ADDQ        $8, AX
	JMP         loop8

reduce:
	HSUM(Y0, X0)
	HSUM(Y1, X1)
	HSUM(Y2, X2)
	HSUM(Y3, X3)

tail:
	CMPQ   AX, CX
	JGE    store
	VMOVSS (SI)(AX*4), X4
	FMA1(R8, X0)
	FMA1(R9, X1)
	FMA1(R10, X2)
	FMA1(R11, X3)
	INCQ   AX
	JMP    tail

store:
	VMOVSS X0, (DI)
	VMOVSS X1, 4(DI)
	VMOVSS X2, 8(DI)
	VMOVSS X3, 12(DI)
	VZEROUPPER
	RET
