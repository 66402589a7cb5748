//go:build js && wasm

package gemm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
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
	if !strings.HasPrefix(kernel, want) {
		t.Fatalf("kernel %q, want %q", kernel, want)
	}
	t.Logf("kernel: %s", kernel)
}

// TestPool runs when the tests run with the worker pool (TEXSYNTH_POOL=N, which wasm/memory.cjs
// reads; TestProductF32 and the rest then check the pooled products against float64 loops): it
// fails when the products do not go to the pool, and checks that a pooled product is
// bit-identical to the same product on this thread alone (each row of C is the same kernel's
// arithmetic in the same order whichever thread computes it), also after B's content changes
// under the same address (Set: the pool must not use its old copy), and when a product goes
// through the pool's memory in several blocks of rows.
func TestPool(t *testing.T) {
	want := os.Getenv("TEXSYNTH_POOL")
	pool := js.Global().Get("texsynthPool")
	if want == "" || pool.IsUndefined() {
		t.Skipf("no worker pool: %s", kernel)
	}
	if got := fmt.Sprint(pooled); got != want || unpooled == nil {
		t.Fatalf("products shared by %s threads, want %s (%s)", got, want, kernel)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	// A small scratch, so that the larger products go through the pool in several blocks of rows.
	defer pool.Set("scratchBytes", pool.Get("scratchBytes"))
	pool.Set("scratchBytes", 64<<10)
	for _, s := range [][3]int{{8, 256, 256}, {37, 300, 64}, {1000, 64, 64}, {5, 512, 512}} {
		m, k, n := s[0], s[1], s[2]
		a := make([]float32, m*k)
		for i := range a {
			a[i] = float32(rng.NormFloat64())
		}
		bs := make([]float32, k*n)
		b := Pack(1, k, n, func(_, kk, j int) float32 { return bs[kk*n+j] })
		for round := range 2 {
			for i := range bs {
				bs[i] = float32(rng.NormFloat64())
			}
			b.Set(func(_, kk, j int) float32 { return bs[kk*n+j] })
			got, ref := make([]float32, m*n), make([]float32, m*n)
			for i := range got {
				got[i] = float32(i % 3)
				ref[i] = got[i]
			}
			calls := pool.Get("calls").Int()
			if !productF32(got, m, a, k, b, 0) || !unpooled(ref, m, a, k, b, 0) {
				t.Fatalf("%v: a kernel declined", s)
			}
			if sent := pool.Get("calls").Int() > calls; sent != (m*k*n >= poolMin && m >= 2*blockRows) {
				t.Fatalf("%v: went to the pool: %v", s, sent)
			}
			for i := range got {
				if got[i] != ref[i] {
					t.Fatalf("%v round %d: pooled c[%d] = %g, on one thread %g", s, round, i, got[i], ref[i])
				}
			}
		}
	}
	t.Logf("kernel: %s", kernel)
}
