package gemm

import "unsafe"

// The transforms' vector steps with AVX2: a Go call costs nothing much natively, so each step
// runs at once (no batch as in wasm), and a whole combination (Steps.Combine) runs as one pass
// (combineAVX2), dst's values kept in registers from the first step to the last.

//go:noescape
func scaleAVX2(dst, x *float32, n int, k float32)

//go:noescape
func addScaledAVX2(dst, x *float32, n int, k float32)

//go:noescape
func combineAVX2(dst unsafe.Pointer, xs *unsafe.Pointer, ks *float32, terms, n int)

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
