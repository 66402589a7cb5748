package gemm

import (
	"os"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The transforms' vector steps with AVX2: a Go call costs nothing much natively, so each step
// runs at once (no batch as in wasm).

//go:noescape
func scaleAVX2(dst, x *float32, n int, k float32)

//go:noescape
func addScaledAVX2(dst, x *float32, n int, k float32)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA && os.Getenv("TEXSYNTH_SIMD") != "off" {
		stepNow = func(dst, x unsafe.Pointer, n int, k float32, first bool) bool {
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
	}
}
