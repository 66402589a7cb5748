package loss

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/texsynth/texsynth/core/gemm"
)

// TestMatchKernelSameBits: where gemm.MatchColumns has a kernel (wasm, and on the worker pool
// with TEXSYNTH_POOL=N), the exemplar's sorted columns, their variances, the loss and every
// gradient value must have the bits of the Go loops (sortedMatch's blocks on the workers), with
// and without per-column normalisation, in place and not, for column lengths on either side of
// the sorts' thresholds (slices.Sort below smallRadixThreshold in Go, bytes below
// radixThreshold, 11-bit digits above), columns with ties and constant columns.
func TestMatchKernelSameBits(t *testing.T) {
	if !matchColumns(&gemm.ColumnMatch{Vals: make([]float32, 16), N: 1, K: 16, Targets: make([]float32, 16), DigitBits: 8, Exemplar: true}) {
		t.Skip("no matching kernel on this platform (wasm only)")
	}
	loops := func(*gemm.ColumnMatch) bool { return false }
	rng := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{1, 7, smallRadixThreshold - 1, 300, radixThreshold - 1, radixThreshold, 5000} {
		for _, k := range []int{16, 48} {
			for _, perColumn := range []bool{false, true} {
				ex := tiedValues(rng, n*k)
				for i := 0; i < n; i++ { // one constant column: a zero variance
					ex[i*k+3] = 0.25
				}
				vals := tiedValues(rng, n*k)
				type result struct {
					m       sortedMatch[float32]
					loss    float64
					grad    []float32
					inPlace []float32
				}
				run := func(match func(*gemm.ColumnMatch) bool) result {
					saved := matchColumns
					matchColumns = match
					defer func() { matchColumns = saved }()
					r := result{m: newSortedMatch(newScratch[float32](), perColumn)}
					r.m.setExemplar(append([]float32(nil), ex...), n, k)
					r.grad = make([]float32, n*k)
					r.loss = r.m.match(vals, r.grad, n, 0.75)
					r.inPlace = append([]float32(nil), vals...)
					if l := r.m.match(r.inPlace, r.inPlace, n, 0.75); math.Float64bits(l) != math.Float64bits(r.loss) {
						t.Fatalf("n %d k %d: in place %v, not %v", n, k, l, r.loss)
					}
					return r
				}
				got, want := run(gemm.MatchColumns), run(loops)
				for i := range want.m.sorted {
					if math.Float32bits(got.m.sorted[i]) != math.Float32bits(want.m.sorted[i]) {
						t.Fatalf("n %d k %d: exemplar sorted[%d] = %v, the loops %v", n, k, i, got.m.sorted[i], want.m.sorted[i])
					}
				}
				for c := range want.m.vars {
					if math.Float64bits(got.m.vars[c]) != math.Float64bits(want.m.vars[c]) {
						t.Fatalf("n %d k %d: variance %d = %v, the loops %v", n, k, c, got.m.vars[c], want.m.vars[c])
					}
				}
				if math.Float64bits(got.loss) != math.Float64bits(want.loss) {
					t.Fatalf("n %d k %d per column %v: loss %v, the loops %v", n, k, perColumn, got.loss, want.loss)
				}
				for i := range want.grad {
					if math.Float32bits(got.grad[i]) != math.Float32bits(want.grad[i]) || math.Float32bits(got.inPlace[i]) != math.Float32bits(want.grad[i]) {
						t.Fatalf("n %d k %d per column %v: gradient %d = %v (in place %v), the loops %v", n, k, perColumn, i, got.grad[i], got.inPlace[i], want.grad[i])
					}
				}
			}
		}
	}
}
