package gemm

import "unsafe"

//go:noescape
func reluAVX2(y *float32, n int)

//go:noescape
func maskAVX2(grad, y *float32, n int)

// reluNowAVX2 and maskNowAVX2 are reluNow and maskNow on machines with AVX2 (installed by
// simd_amd64.go).
func reluNowAVX2(y unsafe.Pointer, n int)    { reluAVX2((*float32)(y), n) }
func maskNowAVX2(g, y unsafe.Pointer, n int) { maskAVX2((*float32)(g), (*float32)(y), n) }
