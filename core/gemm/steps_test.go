package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestSteps runs Combine (over vectors, and over rows of a matrix) through Steps (recorded and batched where the
// platform has a vector kernel, at once otherwise) against float64 sums, including steps that
// read what earlier steps of the same batch wrote, a coefficient row of zeros, and vectors
// whose length is no multiple of 4; the longest makes a batch the wasm worker pool shares.
func TestSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{4, 64, 6, 4096} {
		src := make([][]float32, 6)
		for i := range src {
			src[i] = make([]float32, n)
			for j := range src[i] {
				src[i][j] = float32(rng.NormFloat64())
			}
		}
		coef := [][]float32{{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 0, 0, 0, 0, 0}}
		tmp := make([]float32, 3*n) // row i = Σ_r coef[i][r]·src[r]
		out := make([]float32, n)   // Σ_s coef[0][s]·tmp row s (rows 0…2; the rest of coef[0] is 0 beyond)
		st := &Steps[float32]{Zero: make([]float32, n)}
		for i := range coef {
			st.Combine(tmp[i*n:(i+1)*n], coef[i], src, 0, 1)
		}
		tmpRows := [][]float32{tmp[:n], tmp[n : 2*n], tmp[2*n:]}
		st.Combine(out, []float32{1, -2, 3}, tmpRows, 0, 1)
		st.Mix(out, 0.5, src[5], false)
		st.Flush()
		for j := range n {
			var rows [3]float64
			for i := range coef {
				for r, k := range coef[i] {
					rows[i] += float64(k) * float64(src[r][j])
				}
				if d := float64(tmp[i*n+j]) - rows[i]; d*d > 1e-10 {
					t.Fatalf("n=%d: tmp[%d][%d] = %g, want %g", n, i, j, tmp[i*n+j], rows[i])
				}
			}
			want := rows[0] - 2*rows[1] + 3*rows[2] + 0.5*float64(src[5][j])
			if d := float64(out[j]) - want; d*d > 1e-9 {
				t.Fatalf("n=%d: out[%d] = %g, want %g", n, j, out[j], want)
			}
		}
	}
}

// TestCombineOnePass: a combination run as one pass (combineNow natively; in wasm the batch
// kernel's combinations, simd_js.go's mixKernel) has the bits of its steps run one by one in Go,
// on lengths with and without a 64-value block, with 0 to 10 non-zero coefficients (more than
// either takes at once), followed by a step adding to the same dst (as a bias is), and with dst
// among the rows (steps one by one there).
func TestCombineOnePass(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{16, 48, 64, 80, 320} {
		src := make([][]float32, 11)
		for i := range src {
			src[i] = make([]float32, n)
			for j := range src[i] {
				src[i][j] = float32(rng.NormFloat64())
			}
		}
		for terms := 0; terms <= 10; terms++ {
			coef := make([]float32, 11)
			for _, r := range rng.Perm(11)[:terms] {
				coef[r] = float32(rng.NormFloat64())
			}
			st := &Steps[float32]{Zero: make([]float32, n)}
			got, want := make([]float32, n), make([]float32, n)
			for i := range got {
				got[i], want[i] = 7, 7
			}
			st.Combine(got, coef, src, 0, 1)
			st.Mix(got, 0.75, src[10], false)
			st.Flush()
			oneByOne(func() {
				st.Combine(want, coef, src, 0, 1)
				st.Mix(want, 0.75, src[10], false)
				st.Flush()
			})
			for j := range got {
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
					t.Fatalf("n=%d, %d terms: value %d is %v in one pass, %v step by step", n, terms, j, got[j], want[j])
				}
			}
		}
		// dst is row 2, which the first step would overwrite before the others read it.
		rows := [][]float32{src[0], src[1], append([]float32(nil), src[2]...)}
		want := append([]float32(nil), rows[2]...)
		st := &Steps[float32]{Zero: make([]float32, n)}
		st.Combine(rows[2], []float32{1, 2, 3}, rows, 0, 1)
		st.Flush()
		rows[2], want = want, rows[2]
		oneByOne(func() {
			st.Combine(rows[2], []float32{1, 2, 3}, rows, 0, 1)
			st.Flush()
		})
		for j := range want {
			if math.Float32bits(rows[2][j]) != math.Float32bits(want[j]) {
				t.Fatalf("n=%d, dst among the rows: value %d is %v, %v step by step", n, j, want[j], rows[2][j])
			}
		}
	}
}

// oneByOne runs f with the steps run one at a time by the portable Go loops: no one-pass
// combinations, no batches.
func oneByOne(f func()) {
	savedCombine, savedSteps := combineNow, stepsF32
	combineNow, stepsF32 = nil, nil
	defer func() { combineNow, stepsF32 = savedCombine, savedSteps }()
	f()
}

// BenchmarkCombine times one Winograd row combination (Bᵀ's row 0 and Aᵀ's row 3: three and five
// non-zero coefficients) over vectors of 64 and 256 channels, as one pass (combineNow, where there
// is one) and as steps one by one.
func BenchmarkCombine(b *testing.B) {
	for _, n := range []int{64, 256} {
		src := make([][]float32, 6)
		for i := range src {
			src[i] = make([]float32, n)
			for j := range src[i] {
				src[i][j] = float32(i + j)
			}
		}
		dst := make([]float32, n)
		st := &Steps[float32]{Zero: make([]float32, n)}
		coefs := [][]float32{{4, 0, -5, 0, 1, 0}, {0, 1, -1, 8, -8, 1}}
		for _, fused := range []bool{true, false} {
			b.Run(fmt.Sprintf("%d/fused=%v", n, fused), func(b *testing.B) {
				if !fused {
					defer func(f func(unsafe.Pointer, *unsafe.Pointer, *float32, int, int)) { combineNow = f }(combineNow)
					combineNow = nil
				}
				for b.Loop() {
					for _, c := range coefs {
						st.Combine(dst, c, src, 0, 1)
					}
				}
				st.Flush()
			})
		}
	}
}
