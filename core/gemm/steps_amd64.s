#include "textflag.h"

// func scaleAVX2(dst, x *float32, n int, k float32)
// dst[i] = k·x[i] for i < n; n is a positive multiple of 16.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-28
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS k+24(FP), Y0

scaleLoop:
	VMULPS  (SI), Y0, Y1
	VMULPS  32(SI), Y0, Y2
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JNZ     scaleLoop
	VZEROUPPER
	RET

// func addScaledAVX2(dst, x *float32, n int, k float32)
// dst[i] += k·x[i] for i < n; n is a positive multiple of 16.
TEXT ·addScaledAVX2(SB), NOSPLIT, $0-28
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS k+24(FP), Y0

addLoop:
	VMOVUPS     (DI), Y1
	VMOVUPS     32(DI), Y2
	VFMADD231PS (SI), Y0, Y1
	VFMADD231PS 32(SI), Y0, Y2
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JNZ         addLoop
	VZEROUPPER
	RET

// func combineAVX2(dst unsafe.Pointer, xs *unsafe.Pointer, ks *float32, terms, n int)
// dst[i] = ks[0]·xs[0][i], then dst[i] += ks[t]·xs[t][i] for t = 1 … terms−1 (one multiply,
// then fused multiply-adds in order: the bits of scaleAVX2 followed by addScaledAVX2), with
// blocks of 64 values (then 16) kept in registers through all the terms; n is a positive
// multiple of 16, terms ≥ 1.
TEXT ·combineAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ xs+8(FP), SI
	MOVQ ks+16(FP), DX
	MOVQ terms+24(FP), R8
	MOVQ n+32(FP), CX
	XORQ R9, R9 // byte offset of the block in every vector

wide:
	CMPQ         CX, $64
	JLT          narrow
	MOVQ         (SI), R10
	ADDQ         R9, R10
	VBROADCASTSS (DX), Y0
	VMULPS       (R10), Y0, Y1
	VMULPS       32(R10), Y0, Y2
	VMULPS       64(R10), Y0, Y3
	VMULPS       96(R10), Y0, Y4
	VMULPS       128(R10), Y0, Y5
	VMULPS       160(R10), Y0, Y6
	VMULPS       192(R10), Y0, Y7
	VMULPS       224(R10), Y0, Y8
	MOVQ         $1, R11

wideTerm:
	CMPQ         R11, R8
	JGE          wideStore
	MOVQ         (SI)(R11*8), R10
	ADDQ         R9, R10
	VBROADCASTSS (DX)(R11*4), Y0
	VFMADD231PS  (R10), Y0, Y1
	VFMADD231PS  32(R10), Y0, Y2
	VFMADD231PS  64(R10), Y0, Y3
	VFMADD231PS  96(R10), Y0, Y4
	VFMADD231PS  128(R10), Y0, Y5
	VFMADD231PS  160(R10), Y0, Y6
	VFMADD231PS  192(R10), Y0, Y7
	VFMADD231PS  224(R10), Y0, Y8
	INCQ         R11
	JMP          wideTerm

wideStore:
	LEAQ    (DI)(R9*1), R10
	VMOVUPS Y1, (R10)
	VMOVUPS Y2, 32(R10)
	VMOVUPS Y3, 64(R10)
	VMOVUPS Y4, 96(R10)
	VMOVUPS Y5, 128(R10)
	VMOVUPS Y6, 160(R10)
	VMOVUPS Y7, 192(R10)
	VMOVUPS Y8, 224(R10)
	ADDQ    $256, R9
	SUBQ    $64, CX
	JMP     wide

narrow:
	TESTQ        CX, CX
	JZ           done
	MOVQ         (SI), R10
	VBROADCASTSS (DX), Y0
	VMULPS       (R10)(R9*1), Y0, Y1
	VMULPS       32(R10)(R9*1), Y0, Y2
	MOVQ         $1, R11

narrowTerm:
	CMPQ         R11, R8
	JGE          narrowStore
	MOVQ         (SI)(R11*8), R10
	VBROADCASTSS (DX)(R11*4), Y0
	VFMADD231PS  (R10)(R9*1), Y0, Y1
	VFMADD231PS  32(R10)(R9*1), Y0, Y2
	INCQ         R11
	JMP          narrowTerm

narrowStore:
	VMOVUPS Y1, (DI)(R9*1)
	VMOVUPS Y2, 32(DI)(R9*1)
	ADDQ    $64, R9
	SUBQ    $16, CX
	JMP     narrow

done:
	VZEROUPPER
	RET
