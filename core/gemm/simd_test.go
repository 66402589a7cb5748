package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestProductF32 checks the platform's vector kernel, where there is one, against a plain
// float64 loop on shapes that exercise every edge: rows not a multiple of the micro-kernel's,
// K from 1 to longer than a cache block, columns a multiple of the 8-wide panel or not (the
// kernel may decline those), rows of A longer than K, a tap other than the first, and c
// pre-filled (the kernel accumulates). Elements of c past its m rows must stay untouched.
func TestProductF32(t *testing.T) {
	if productF32 == nil {
		t.Skipf("no vector float32 kernel on %s/%s (or it is switched off)", runtime.GOOS, runtime.GOARCH)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	ms := []int{1, 2, 3, 5, 7, 13, 31, 33, 62, 67, 130, 199}
	ks := []int{1, 3, 27, 64, 300, 512}
	ns := []int{8, 64, 72, 520, 3, 12, 129}
	if testing.Short() {
		ms, ks = []int{1, 7, 33}, []int{1, 27, 300}
	}
	const taps, guard = 2, 11
	declined := 0
	for _, k := range ks {
		for _, n := range ns {
			bs := make([]float32, taps*k*n)
			for i := range bs {
				bs[i] = float32(rng.NormFloat64())
			}
			b := Pack(taps, k, n, func(t, kk, j int) float32 { return bs[(t*k+kk)*n+j] })
			for _, m := range ms {
				lda := k + 5
				a := make([]float32, (m-1)*lda+k)
				for i := range a {
					a[i] = float32(rng.NormFloat64())
				}
				c := make([]float32, m*n+guard)
				for i := range c {
					c[i] = float32(i%7) - 3
				}
				c0 := append([]float32(nil), c...)
				if !productF32(c[:m*n], m, a, lda, b, 1) {
					declined++
					if n%nr == 0 {
						t.Errorf("m=%d k=%d n=%d: declined a shape with whole panels", m, k, n)
					}
					for i := range c {
						if c[i] != c0[i] {
							t.Fatalf("m=%d k=%d n=%d: declined but wrote c[%d]", m, k, n, i)
						}
					}
					continue
				}
				for p := range m {
					for j := range n {
						want, scale := float64(c0[p*n+j]), math.Abs(float64(c0[p*n+j]))
						for kk := range k {
							x := float64(a[p*lda+kk]) * float64(bs[(k+kk)*n+j])
							want += x
							scale += math.Abs(x)
						}
						if got := float64(c[p*n+j]); math.Abs(got-want) > 1e-5*scale {
							t.Fatalf("m=%d k=%d n=%d: c[%d, %d] = %g, want %g", m, k, n, p, j, got, want)
						}
					}
				}
				for i := m * n; i < len(c); i++ {
					if c[i] != c0[i] {
						t.Fatalf("m=%d k=%d n=%d: wrote past c's end at %d", m, k, n, i)
					}
				}
			}
		}
	}
	if declined > 0 {
		t.Logf("the kernel declined %d shapes (columns not a multiple of %d)", declined, nr)
	}
}

// BenchmarkProductF32 times one Winograd-sized product (32 rows, the tiles of a chunk) with
// the platform's vector kernel and with the portable Go kernel.
func BenchmarkProductF32(b *testing.B) {
	for _, s := range [][3]int{{32, 256, 256}, {32, 64, 64}, {32, 512, 512}} {
		m, k, n := s[0], s[1], s[2]
		a := make([]float32, m*k)
		for i := range a {
			a[i] = float32(i%7) * 0.1
		}
		bp := Pack(1, k, n, func(_, kk, j int) float32 { return float32((kk+j)%5) * 0.1 })
		c := make([]float32, m*n)
		buf := make([]float32, mc*min(k, kc))
		for _, kernel := range []string{"simd", "portable"} {
			b.Run(fmt.Sprintf("%s/m=%d,k=%d,n=%d", kernel, m, k, n), func(b *testing.B) {
				if kernel == "simd" && productF32 == nil {
					b.Skipf("no vector float32 kernel on %s/%s", runtime.GOOS, runtime.GOARCH)
				}
				if kernel == "portable" {
					saved := productF32
					productF32 = nil
					defer func() { productF32 = saved }()
				}
				for b.Loop() {
					Serial(c, m, a, k, bp, 0, buf)
				}
				b.ReportMetric(float64(2*m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
