//go:build js && wasm

package gemm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"syscall/js"
	"testing"
	"time"
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
// fails when this program's memory is not shared or the products do not go to the pool, and
// checks that a pooled product is bit-identical to the same product on this thread alone (each
// row of C is the same kernel's arithmetic in the same order whichever thread computes it), on
// shapes whose rows do not split evenly, and after B's content changes in place (the pool reads
// Go's memory: it keeps nothing).
func TestPool(t *testing.T) {
	pool := poolUnderTest(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{8, 256, 256}, {37, 300, 64}, {1000, 64, 64}, {5, 512, 512}, {1030, 72, 128}, {16, 96, 128}, {8, 128, 64}} {
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
			shared := sharedCalls(pool)
			if !productF32(got, m, a, k, b, 0) || !unpooled(ref, m, a, k, b, 0) {
				t.Fatalf("%v: a kernel declined", s)
			}
			if sent := sharedCalls(pool) > shared; sent != (m*k*n >= poolMin && m >= 2*blockRows) {
				t.Fatalf("%v: shared between threads: %v", s, sent)
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

// TestPoolSteps checks that a batch of transform steps run on the pool (its vectors' columns
// split between the threads) gives the same bits as on this thread alone: a tile transform as
// core/vgg records Winograd's (rows, then columns of the rows just written, Bᵀ d B, here with a
// 6×6 matrix of small integers and zeros such as Bᵀ has), for vector lengths that split into
// equal and unequal pieces, and batches too small to share, which must stay on this thread.
func TestPoolSteps(t *testing.T) {
	pool := poolUnderTest(t)
	rng := rand.New(rand.NewPCG(7, 8))
	bt := make([][]float32, 6)
	for i := range bt {
		bt[i] = make([]float32, 6)
		for j := range bt[i] {
			if rng.IntN(3) > 0 {
				bt[i][j] = float32(rng.IntN(11) - 5)
			}
		}
	}
	for _, c := range []struct{ n, tiles int }{{64, 32}, {1000, 4}, {256, 9}, {12, 8}, {8, 1}} {
		run := func(steps func([]int32, int)) []float32 {
			saved := stepsF32
			stepsF32 = steps
			defer func() { stepsF32 = saved }()
			r := rand.New(rand.NewPCG(uint64(c.n), uint64(c.tiles)))
			d := make([][]float32, 36)
			for i := range d {
				d[i] = make([]float32, c.n)
				for j := range d[i] {
					d[i][j] = float32(r.NormFloat64())
				}
			}
			rows := make([][]float32, 36)
			for i := range rows {
				rows[i] = make([]float32, c.n)
			}
			out := make([]float32, c.tiles*36*c.n)
			st := &Steps[float32]{Zero: make([]float32, c.n)}
			for tl := range c.tiles {
				dt := append(d[tl%36:], d[:tl%36]...) // each tile reads other vectors
				for i := range 6 {
					for s := range 6 {
						st.Combine(rows[i*6+s], bt[i], dt, s, 6)
					}
				}
				for i := range 6 {
					for j := range 6 {
						v := out[((tl*36)+i*6+j)*c.n:][:c.n]
						st.Combine(v, bt[j], rows, i*6, 1)
					}
				}
			}
			st.Flush()
			return out
		}
		work := 0
		pooledSteps := stepsF32
		var shared int
		got := run(func(ops []int32, n int) {
			work = len(ops) / 4 * n
			shared = sharedCalls(pool)
			pooledSteps(ops, n)
		})
		ref := run(unpooledSteps)
		if sent, want := sharedCalls(pool) > shared, work >= mixMin && c.n >= 8*pooled; sent != want {
			t.Fatalf("%+v: a batch of %d steps × floats shared between threads: %v", c, work, sent)
		}
		for i := range got {
			if got[i] != ref[i] {
				t.Fatalf("%+v: pooled transform [%d] = %g, on one thread %g", c, i, got[i], ref[i])
			}
		}
	}
}

// sharedCalls is how many calls the pool has split between threads so far, after telling it to
// split every call (wasm/pool.js otherwise runs a call on one thread where that measured faster,
// as on a busy machine, and some calls there to measure it), so that the next large call is split.
func sharedCalls(pool js.Value) int {
	pool.Set("alwaysShare", true)
	return pool.Get("shared").Int()
}

// poolUnderTest returns the pool when the tests run with one (TEXSYNTH_POOL=N), after checking
// that this program's memory is shared and the kernels use it; it skips the test otherwise.
func poolUnderTest(t *testing.T) js.Value {
	t.Helper()
	want := os.Getenv("TEXSYNTH_POOL")
	pool := js.Global().Get("texsynthPool")
	if want == "" || pool.IsUndefined() {
		t.Skipf("no worker pool: %s", kernel)
	}
	if !isShared(js.Global().Get("texsynthMemory")) {
		t.Fatalf("the Go program's memory is not shared (%s)", kernel)
	}
	if got := fmt.Sprint(pooled); got != want || unpooled == nil || unpooledSteps == nil {
		t.Fatalf("calls shared by %s threads, want %s (%s)", got, want, kernel)
	}
	return pool
}

// AwaitPool returns once the pool's threads have the kernels, which the pool then says too.
func TestAwaitPool(t *testing.T) {
	pool := poolUnderTest(t)
	if !AwaitPool(10 * time.Second) {
		t.Fatal("the pool's threads did not get the kernels in 10 s")
	}
	if !pool.Get("started").Bool() {
		t.Fatal("AwaitPool returned before the pool started")
	}
}
