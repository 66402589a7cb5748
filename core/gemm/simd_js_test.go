//go:build js && wasm

package gemm

import (
	"os"
	"syscall/js"
	"testing"
)

// TestSIMDInstalled fails when the wasm tests run with the Go memory handed over (make
// test-wasm preloads wasm/memory.cjs, which also turns relaxed SIMD on) but the SIMD kernels
// did not load, or loaded without the fused multiply-add when it was not switched off: the
// kernel tests would otherwise pass on another path and prove nothing about this one.
func TestSIMDInstalled(t *testing.T) {
	if js.Global().Get("texsynthMemory").IsUndefined() || os.Getenv("TEXSYNTH_SIMD") == "off" {
		t.Skipf("kernel: %s", kernel)
	}
	if productF32 == nil || stepsF32 == nil {
		t.Fatalf("the SIMD kernels are not installed: %s", kernel)
	}
	want := "wasm SIMD128 + relaxed FMA"
	if os.Getenv("TEXSYNTH_SIMD") == "nofma" {
		want = "wasm SIMD128"
	}
	if kernel != want {
		t.Fatalf("kernel %q, want %q", kernel, want)
	}
	t.Logf("kernel: %s", kernel)
}
