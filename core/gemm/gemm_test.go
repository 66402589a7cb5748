package gemm

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/texsynth/texsynth/core/internal/floats"
)

// TestShiftedProduct checks the packed, blocked product against a plain float64 loop, on
// shapes that exercise every edge: rows not a multiple of the micro-kernel or the block,
// columns not a multiple of the panel, K longer than one packed block, several taps.
// normals returns n draws of the standard normal distribution.
func normals(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func TestShiftedProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ m, k, n int }{{1, 1, 1}, {5, 3, 3}, {67, 27, 64}, {130, 300, 10}, {64, 64, 4}, {200, 17, 129}} {
		offs := []int{0, 3, 7}
		lda := tc.k + 2
		in := normals(rng, (tc.m+8)*lda)
		bs := make([][]float64, len(offs))
		for t := range bs {
			bs[t] = make([]float64, tc.k*tc.n)
			for i := range bs[t] {
				bs[t][i] = rng.NormFloat64()
			}
		}
		b := Pack(len(offs), tc.k, tc.n, func(t, k, j int) float64 { return bs[t][k*tc.n+j] })
		c := make([]float64, tc.m*tc.n)
		want := make([]float64, tc.m*tc.n)
		for i := range c {
			c[i] = float64(i % 5)
			want[i] = c[i]
		}
		for p := range tc.m {
			for j := range tc.n {
				for t, off := range offs {
					for k := range tc.k {
						want[p*tc.n+j] += in[(p+off)*lda+k] * bs[t][k*tc.n+j]
					}
				}
			}
		}
		Shifted(c, tc.m, in, lda, offs, b)
		for i := range want {
			if math.Abs(c[i]-want[i]) > 1e-10*(1+math.Abs(want[i])) {
				t.Fatalf("%v: c[%d] = %g, want %g", tc, i, c[i], want[i])
			}
		}
		c32 := make([]float32, tc.m*tc.n)
		b32 := Pack(len(offs), tc.k, tc.n, func(t, k, j int) float32 { return float32(bs[t][k*tc.n+j]) })
		for i := range c32 {
			c32[i] = float32(i % 5)
		}
		Shifted(c32, tc.m, floats.ToF32(in), lda, offs, b32)
		if e := floats.RelErr(floats.Widen(c32), want); e > 1e-5 {
			t.Fatalf("%v: float32 relative error %g", tc, e)
		}
	}
}

// TestProduct checks Product (which overwrites c) and Set (which repacks in place) against a
// float64 loop, with n a multiple of the panel width (the vector kernels' shapes) and not.
func TestProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ m, k, n int }{{1, 1, 8}, {7, 5, 16}, {37, 64, 64}, {100, 33, 70}, {5, 512, 512}} {
		a := make([]float64, tc.m*tc.k)
		for i := range a {
			if rng.IntN(2) == 0 { // ReLU features: about half zeros
				a[i] = rng.NormFloat64()
			}
		}
		bm := make([]float64, tc.k*tc.n)
		at := func(_, k, j int) float32 { return float32(bm[k*tc.n+j]) }
		b := Pack(1, tc.k, tc.n, at)
		for i := range bm {
			bm[i] = rng.NormFloat64()
		}
		b.Set(at)
		want := make([]float64, tc.m*tc.n)
		for p := range tc.m {
			for j := range tc.n {
				for k := range tc.k {
					want[p*tc.n+j] += float64(float32(a[p*tc.k+k])) * float64(float32(bm[k*tc.n+j]))
				}
			}
		}
		c := make([]float32, tc.m*tc.n)
		for i := range c {
			c[i] = 99 // Product overwrites
		}
		Product(c, tc.m, floats.ToF32(a), b)
		if e := floats.RelErr(floats.Widen(c), want); e > 1e-5 {
			t.Fatalf("%v: relative error %g", tc, e)
		}
	}
}

// TestProductInPlace: ProductInPlace gives the bits Product gives into another matrix (float32
// and float64, rows not a multiple of the row block, on one and several workers), and Product
// is itself checked against the float64 loop above.
func TestProductInPlace(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(5, 6))
	for _, procs := range []int{1, 3} {
		runtime.GOMAXPROCS(procs)
		for _, tc := range []struct{ m, n int }{{1, 8}, {67, 16}, {2*mc + 5, 64}, {300, 13}} {
			a := normals(rng, tc.m*tc.n)
			bm := normals(rng, tc.n*tc.n)
			checkInPlace(t, procs, tc.m, a, Pack(1, tc.n, tc.n, func(_, k, j int) float64 { return bm[k*tc.n+j] }))
			checkInPlace(t, procs, tc.m, floats.ToF32(a), Pack(1, tc.n, tc.n, func(_, k, j int) float32 { return float32(bm[k*tc.n+j]) }))
		}
	}
}

func checkInPlace[T float32 | float64](t *testing.T, procs, m int, a []T, b *Packed[T]) {
	t.Helper()
	want := make([]T, len(a))
	Product(want, m, a, b)
	got := append([]T(nil), a...)
	ProductInPlace(got, m, b)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%d workers, %d×%d: a[%d] = %v in place, %v by Product", procs, m, b.N, i, got[i], want[i])
		}
	}
}

// TestNarrowProductSameBits: a product of fewer row blocks than workers, shared out by column
// panels (narrow), gives the bits of the same product on one worker, into another matrix and in
// place, in float32 and float64, with N a multiple of the panel and not, K longer than one
// packed block (the portable kernel's kc) and not. TestProduct checks it against float64 loops.
func TestNarrowProductSameBits(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct{ m, k, n int }{{5, 512, 512}, {64, 64, 70}, {100, 300, 36}, {3, 20, 17}, {40, 32, 104}, {10, 50, 80}, {7, 16, 59}, {9, 8, 200}} {
		a := normals(rng, tc.m*tc.k)
		bm := normals(rng, tc.k*tc.n)
		narrowSameBits(t, tc.m, tc.k, tc.n, a, Pack(1, tc.k, tc.n, func(_, k, j int) float64 { return bm[k*tc.n+j] }))
		narrowSameBits(t, tc.m, tc.k, tc.n, floats.ToF32(a), Pack(1, tc.k, tc.n, func(_, k, j int) float32 { return float32(bm[k*tc.n+j]) }))
	}
}

func narrowSameBits[T float32 | float64](t *testing.T, m, k, n int, a []T, b *Packed[T]) {
	t.Helper()
	runtime.GOMAXPROCS(1)
	want := make([]T, m*n)
	Product(want, m, a, b)
	for _, procs := range []int{2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		got := make([]T, m*n)
		Product(got, m, a, b)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%d workers, %d×%d·%d×%d: c[%d] = %v, %v on one worker", procs, m, k, k, n, i, got[i], want[i])
			}
		}
		if k == n {
			got = append(got[:0], a...)
			ProductInPlace(got, m, b)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%d workers, %d×%d in place: a[%d] = %v, %v by Product on one worker", procs, m, n, i, got[i], want[i])
				}
			}
		}
	}
}
