#include "textflag.h"

// func reluAVX2(y *float32, n int)
// y[i] = 0 where y[i] < 0 (an ordered comparison: NaN stays, and so does −0), for i < n; n is a
// positive multiple of 16. The value is kept under the complement of the comparison's mask.
TEXT ·reluAVX2(SB), NOSPLIT, $0-16
	MOVQ   y+0(FP), DI
	MOVQ   n+8(FP), CX
	VXORPS Y0, Y0, Y0

reluLoop:
	VMOVUPS (DI), Y1
	VMOVUPS 32(DI), Y2
	VCMPPS  $0x11, Y0, Y1, Y3 // Y3 = Y1 < 0 (LT_OQ)
	VCMPPS  $0x11, Y0, Y2, Y4
	VANDNPS Y1, Y3, Y1        // Y1 = ¬Y3 ∧ Y1
	VANDNPS Y2, Y4, Y2
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	ADDQ    $64, DI
	SUBQ    $16, CX
	JNZ     reluLoop
	VZEROUPPER
	RET

// func maskAVX2(grad, y *float32, n int)
// grad[i] = 0 where y[i] is not greater than 0 (NaN included), for i < n; n is a positive multiple
// of 16.
TEXT ·maskAVX2(SB), NOSPLIT, $0-24
	MOVQ   grad+0(FP), DI
	MOVQ   y+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0

maskLoop:
	VCMPPS  $0x11, (SI), Y0, Y3 // Y3 = 0 < y (LT_OQ)
	VCMPPS  $0x11, 32(SI), Y0, Y4
	VANDPS  (DI), Y3, Y1
	VANDPS  32(DI), Y4, Y2
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JNZ     maskLoop
	VZEROUPPER
	RET
