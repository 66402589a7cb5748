package gemm

import "unsafe"

//go:noescape
func max4AVX2(out, a, b, d, e unsafe.Pointer, n int)

//go:noescape
func route4AVX2(grad, ga, gb, gd, ge, a, b, d, e unsafe.Pointer, n int)
