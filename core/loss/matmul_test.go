package loss

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMatMul checks both products against the triple loop on sizes that exercise every tail
// (odd n, k not a multiple of 4) and on an a with zeros.
func TestMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 19))
	for _, sz := range [][3]int{{1, 1, 1}, {5, 3, 2}, {7, 9, 5}, {8, 8, 8}, {3, 13, 6}} {
		n, k, m := sz[0], sz[1], sz[2]
		a := make([]float64, n*k)
		b := make([]float64, k*m)
		for i := range a {
			if rng.IntN(3) > 0 {
				a[i] = rng.NormFloat64()
			}
		}
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		want := make([]float64, n*m)
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				for p := 0; p < k; p++ {
					want[i*m+j] += a[i*k+p] * b[p*m+j]
				}
			}
		}
		sparse := make([]float64, n*m)
		dense := make([]float64, n*m)
		for i := range sparse {
			sparse[i], dense[i] = 99, 99 // the products must overwrite
		}
		matMulSparse(sparse, a, b, n, k, m, make([]int32, 0, k))
		matMulDense(dense, a, b, n, k, m)
		for i := range want {
			if math.Abs(sparse[i]-want[i]) > 1e-12 || math.Abs(dense[i]-want[i]) > 1e-12 {
				t.Fatalf("%d×%d·%d×%d: element %d: sparse %v, dense %v, want %v", n, k, k, m, i, sparse[i], dense[i], want[i])
			}
		}
	}
}
