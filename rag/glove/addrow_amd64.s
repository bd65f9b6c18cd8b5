#include "textflag.h"

// func addScaledAVX2(v *float32, row *byte, n int, c float32)
//
// v[i] += c·float32(int8(row[i])), eight at a time (sign-extended, made
// floats, multiplied, added: VMULPS then VADDPS, not fused, so that each
// component rounds as the one-at-a-time loop rounds it), then one at a
// time for the last n%8.
TEXT ·addScaledAVX2(SB), NOSPLIT, $0-28
	MOVQ         v+0(FP), DI
	MOVQ         row+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS c+24(FP), Y3
	MOVQ         CX, R8
	ANDQ         $~7, R8
	XORQ         AX, AX

loop8:
	CMPQ      AX, R8
	JGE       tail
	VPMOVSXBD (SI)(AX*1), Y0
	VCVTDQ2PS Y0, Y0
	VMULPS    Y3, Y0, Y0
	VADDPS    (DI)(AX*4), Y0, Y0
	VMOVUPS   Y0, (DI)(AX*4)
	ADDQ      $8, AX
	JMP       loop8

tail:
	CMPQ       AX, CX
	JGE        done
	MOVBQSX    (SI)(AX*1), BX
	VCVTSI2SSQ BX, X0, X0
	VMULSS     X3, X0, X0
	VADDSS     (DI)(AX*4), X0, X0
	VMOVSS     X0, (DI)(AX*4)
	INCQ       AX
	JMP        tail

done:
	VZEROUPPER
	RET
