package gemm

import (
	"math/rand/v2"
	"testing"
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
