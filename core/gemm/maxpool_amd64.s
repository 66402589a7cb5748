#include "textflag.h"

// The max pool's kernels (maxpool.go) with AVX2. VMAXPS x, m gives x where x > m and m
// otherwise (NaN and equal values included): the comparison Max4's loop makes, in its order.

// func max4AVX2(out, a, b, d, e unsafe.Pointer, n int)
// out[k] = max(a, b, d, e)[k] as Max4 takes it, for k < n; n is a positive multiple of 8.
TEXT ·max4AVX2(SB), NOSPLIT, $0-48
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ d+24(FP), DX
	MOVQ e+32(FP), SI
	MOVQ n+40(FP), CX
	XORQ R12, R12

max4Loop:
	VMOVUPS (AX)(R12*1), Y0
	VMOVUPS (BX)(R12*1), Y1
	VMAXPS  Y0, Y1, Y0      // Y0 = b > m ? b : m
	VMOVUPS (DX)(R12*1), Y1
	VMAXPS  Y0, Y1, Y0
	VMOVUPS (SI)(R12*1), Y1
	VMAXPS  Y0, Y1, Y0
	VMOVUPS Y0, (DI)(R12*1)
	ADDQ    $32, R12
	SUBQ    $8, CX
	JNZ     max4Loop
	VZEROUPPER
	RET

// func route4AVX2(grad, ga, gb, gd, ge, a, b, d, e unsafe.Pointer, n int)
// Adds grad[k] to the one of ga, gb, gd, ge whose input (a, b, d, e) Max4 picks, for k < n; n is
// a positive multiple of 8. The others are stored back unchanged (a blend, not an addition of
// zero, which would turn −0 into +0).
TEXT ·route4AVX2(SB), NOSPLIT, $0-80
	MOVQ grad+0(FP), R8
	MOVQ ga+8(FP), R9
	MOVQ gb+16(FP), R10
	MOVQ gd+24(FP), R11
	MOVQ ge+32(FP), R13
	MOVQ a+40(FP), AX
	MOVQ b+48(FP), BX
	MOVQ d+56(FP), DX
	MOVQ e+64(FP), SI
	MOVQ n+72(FP), CX
	XORQ R12, R12

routeLoop:
	VMOVUPS (AX)(R12*1), Y0
	VMOVUPS (BX)(R12*1), Y1
	VCMPPS  $0x1e, Y0, Y1, Y2 // Y2 = b > m (GT_OQ): b is the maximum so far
	VMAXPS  Y0, Y1, Y0
	VMOVUPS (DX)(R12*1), Y1
	VCMPPS  $0x1e, Y0, Y1, Y3 // Y3 = d > m
	VMAXPS  Y0, Y1, Y0
	VMOVUPS (SI)(R12*1), Y1
	VCMPPS  $0x1e, Y0, Y1, Y4 // Y4 = e > m: e takes the gradient
	VANDNPS Y3, Y4, Y5        // Y5 = Y3 ∧ ¬Y4: d takes it
	VORPS   Y3, Y4, Y6
	VANDNPS Y2, Y6, Y7        // Y7 = Y2 ∧ ¬(Y3 ∨ Y4): b takes it
	VORPS   Y2, Y6, Y6        // Y6 = ¬(a takes it)
	VMOVUPS (R8)(R12*1), Y1   // the gradient

	VMOVUPS   (R9)(R12*1), Y8
	VADDPS    Y1, Y8, Y9
	VBLENDVPS Y6, Y8, Y9, Y8  // Y8 = Y6 ? Y8 : Y9
	VMOVUPS   Y8, (R9)(R12*1)

	VMOVUPS   (R10)(R12*1), Y8
	VADDPS    Y1, Y8, Y9
	VBLENDVPS Y7, Y9, Y8, Y8  // Y8 = Y7 ? Y9 : Y8
	VMOVUPS   Y8, (R10)(R12*1)

	VMOVUPS   (R11)(R12*1), Y8
	VADDPS    Y1, Y8, Y9
	VBLENDVPS Y5, Y9, Y8, Y8
	VMOVUPS   Y8, (R11)(R12*1)

	VMOVUPS   (R13)(R12*1), Y8
	VADDPS    Y1, Y8, Y9
	VBLENDVPS Y4, Y9, Y8, Y8
	VMOVUPS   Y8, (R13)(R12*1)

	ADDQ $32, R12
	SUBQ $8, CX
	JNZ  routeLoop
	VZEROUPPER
	RET
