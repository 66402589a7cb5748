package gemm

import "unsafe"

// The transforms' vector steps with AVX2: a Go call costs nothing much natively, so each step
// runs at once (no batch as in wasm).

//go:noescape
func scaleAVX2(dst, x *float32, n int, k float32)

//go:noescape
func addScaledAVX2(dst, x *float32, n int, k float32)

// stepAVX2 is stepNow on machines with AVX2 and FMA (installed by simd_amd64.go).
func stepAVX2(dst, x unsafe.Pointer, n int, k float32, first bool) bool {
	if n%16 != 0 || n == 0 {
		return false
	}
	if first {
		scaleAVX2((*float32)(dst), (*float32)(x), n, k)
	} else {
		addScaledAVX2((*float32)(dst), (*float32)(x), n, k)
	}
	return true
}
