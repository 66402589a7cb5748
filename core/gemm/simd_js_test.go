//go:build js && wasm

package gemm

import (
	"os"
	"syscall/js"
	"testing"
)

// TestSIMDInstalled fails when the wasm tests run with the Go memory handed over (make
// test-wasm preloads wasm/memory.cjs) but the SIMD kernel did not load: the kernel tests
// would otherwise pass on the portable path and prove nothing about it.
func TestSIMDInstalled(t *testing.T) {
	if js.Global().Get("texsynthMemory").IsUndefined() || os.Getenv("TEXSYNTH_SIMD") == "off" {
		t.Skipf("kernel: %s", kernel)
	}
	if productF32 == nil {
		t.Fatalf("the SIMD kernel is not installed: %s", kernel)
	}
}
