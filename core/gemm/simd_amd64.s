#include "textflag.h"

// AVX2+FMA micro-kernels of productAVX2 (simd_amd64.go). Each computes, for groups of 4 rows of
// A, a 4×(8·w) block c[r, 0:8w] += A[r, 0:k] · B[0:k, 0:8w] for w = 3, 2 or 1 packed B panels:
// one ymm accumulator per row and panel (8 floats = one panel row), the A value broadcast, one
// VFMADD231PS per accumulator. 4×24 is 12 accumulators + 3 panel rows + 1 broadcast = all 16
// ymm registers, and 7 loads per 12 FMAs keeps it under the two load ports. A is read in place
// (rows lda apart), B's panels are bstride apart, c's rows ldc apart; all three in elements.
// The group loop is here rather than in Go so that a call covers a whole column block of a
// chunk and its B panels stay in cache across the row groups.
//
// Registers: AX B block start, BX A group start, CX k counter, DX lda bytes, SI A cursor, DI B
// cursor, R8 scratch row pointer, R9 3·lda bytes, R10 bstride bytes, R11 c group start, R12 ldc
// bytes, R13 groups left.

#define SETUP \
	MOVQ k+0(FP), R14 \
	MOVQ a+8(FP), BX \
	MOVQ lda+16(FP), DX \
	SHLQ $2, DX \
	LEAQ (DX)(DX*2), R9 \
	MOVQ b+24(FP), AX \
	MOVQ bstride+32(FP), R10 \
	SHLQ $2, R10 \
	MOVQ c+40(FP), R11 \
	MOVQ ldc+48(FP), R12 \
	SHLQ $2, R12 \
	MOVQ groups+56(FP), R13

// ROW3 adds one broadcast A value (at addr) times the three panel rows Y12–Y14 into a, b, c.
#define ROW3(addr, a, b, c) \
	VBROADCASTSS addr, Y15 \
	VFMADD231PS Y12, Y15, a \
	VFMADD231PS Y13, Y15, b \
	VFMADD231PS Y14, Y15, c

#define ROW2(addr, a, b) \
	VBROADCASTSS addr, Y15 \
	VFMADD231PS Y12, Y15, a \
	VFMADD231PS Y13, Y15, b

#define ROW1(addr, a) \
	VBROADCASTSS addr, Y15 \
	VFMADD231PS Y12, Y15, a

// STORE adds accumulator acc into the 8 floats at addr.
#define STORE(acc, addr) \
	VADDPS addr, acc, acc \
	VMOVUPS acc, addr

// func kernel4x24(k int, a *float32, lda int, b *float32, bstride int, c *float32, ldc int, groups int)
TEXT ·kernel4x24(SB), NOSPLIT, $0-64
	SETUP

group24:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ BX, SI
	MOVQ AX, DI
	MOVQ R14, CX

loop24:
	VMOVUPS (DI), Y12
	VMOVUPS (DI)(R10*1), Y13
	VMOVUPS (DI)(R10*2), Y14
	ROW3((SI), Y0, Y1, Y2)
	ROW3((SI)(DX*1), Y3, Y4, Y5)
	ROW3((SI)(DX*2), Y6, Y7, Y8)
	ROW3((SI)(R9*1), Y9, Y10, Y11)
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop24

	STORE(Y0, (R11))
	STORE(Y1, 32(R11))
	STORE(Y2, 64(R11))
	STORE(Y3, (R11)(R12*1))
	STORE(Y4, 32(R11)(R12*1))
	STORE(Y5, 64(R11)(R12*1))
	LEAQ (R11)(R12*2), R8
	STORE(Y6, (R8))
	STORE(Y7, 32(R8))
	STORE(Y8, 64(R8))
	STORE(Y9, (R8)(R12*1))
	STORE(Y10, 32(R8)(R12*1))
	STORE(Y11, 64(R8)(R12*1))

	LEAQ (BX)(DX*4), BX
	LEAQ (R11)(R12*4), R11
	DECQ R13
	JNZ  group24
	VZEROUPPER
	RET

// func kernel4x16(k int, a *float32, lda int, b *float32, bstride int, c *float32, ldc int, groups int)
TEXT ·kernel4x16(SB), NOSPLIT, $0-64
	SETUP

group16:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	MOVQ BX, SI
	MOVQ AX, DI
	MOVQ R14, CX

loop16:
	VMOVUPS (DI), Y12
	VMOVUPS (DI)(R10*1), Y13
	ROW2((SI), Y0, Y1)
	ROW2((SI)(DX*1), Y3, Y4)
	ROW2((SI)(DX*2), Y6, Y7)
	ROW2((SI)(R9*1), Y9, Y10)
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  loop16

	STORE(Y0, (R11))
	STORE(Y1, 32(R11))
	STORE(Y3, (R11)(R12*1))
	STORE(Y4, 32(R11)(R12*1))
	LEAQ (R11)(R12*2), R8
	STORE(Y6, (R8))
	STORE(Y7, 32(R8))
	STORE(Y9, (R8)(R12*1))
	STORE(Y10, 32(R8)(R12*1))

	LEAQ (BX)(DX*4), BX
	LEAQ (R11)(R12*4), R11
	DECQ R13
	JNZ  group16
	VZEROUPPER
	RET

// kernel4x8 has only four accumulators per k, too few to cover the FMA latency, so it keeps two
// sets (even and odd k) and adds them at the end.
//
// func kernel4x8(k int, a *float32, lda int, b *float32, bstride int, c *float32, ldc int, groups int)
TEXT ·kernel4x8(SB), NOSPLIT, $0-64
	SETUP

group8:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	MOVQ BX, SI
	MOVQ AX, DI
	MOVQ R14, CX
	SHRQ $1, CX
	JZ   tail8

loop8:
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	VBROADCASTSS (SI), Y15
	VFMADD231PS Y12, Y15, Y0
	VBROADCASTSS 4(SI), Y15
	VFMADD231PS Y13, Y15, Y1
	VBROADCASTSS (SI)(DX*1), Y15
	VFMADD231PS Y12, Y15, Y3
	VBROADCASTSS 4(SI)(DX*1), Y15
	VFMADD231PS Y13, Y15, Y4
	VBROADCASTSS (SI)(DX*2), Y15
	VFMADD231PS Y12, Y15, Y6
	VBROADCASTSS 4(SI)(DX*2), Y15
	VFMADD231PS Y13, Y15, Y7
	VBROADCASTSS (SI)(R9*1), Y15
	VFMADD231PS Y12, Y15, Y9
	VBROADCASTSS 4(SI)(R9*1), Y15
	VFMADD231PS Y13, Y15, Y10
	ADDQ $8, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop8

tail8:
	TESTQ $1, R14
	JZ    store8
	VMOVUPS (DI), Y12
	ROW1((SI), Y0)
	ROW1((SI)(DX*1), Y3)
	ROW1((SI)(DX*2), Y6)
	ROW1((SI)(R9*1), Y9)

store8:
	VADDPS Y1, Y0, Y0
	VADDPS Y4, Y3, Y3
	VADDPS Y7, Y6, Y6
	VADDPS Y10, Y9, Y9
	STORE(Y0, (R11))
	STORE(Y3, (R11)(R12*1))
	LEAQ (R11)(R12*2), R8
	STORE(Y6, (R8))
	STORE(Y9, (R8)(R12*1))

	LEAQ (BX)(DX*4), BX
	LEAQ (R11)(R12*4), R11
	DECQ R13
	JNZ  group8
	VZEROUPPER
	RET
