package loss

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestEvalDoesNotAllocate: Eval runs every optimiser iteration; after the first call has sized
// the scratch it must not allocate, for any kind, nor after a Redraw, when its products run on
// one goroutine as in wasm (natively, sharing a product among goroutines allocates a few small
// objects per call).
func TestEvalDoesNotAllocate(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(14, 15))
	// The first layer is large enough for radixSort.
	shapes := []shape{{32, 32, 8}, {8, 8, 16}, {4, 4, 32}}
	ex := to32(randMaps(rng, shapes))
	im := to32(randMaps(rng, []shape{{32, 40, 8}, {16, 8, 16}, {8, 4, 32}}))
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			im := im
			if v.sameSize {
				im = ex
			}
			s, err := New(v.opts, ex, []float64{1, 2, 0.5})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Eval(im); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(5, func() { s.Eval(im) }); n != 0 {
				t.Errorf("Eval allocates %v times per call", n)
			}
			if n := testing.AllocsPerRun(5, func() { s.Redraw(); s.Eval(im) }); n != 0 {
				t.Errorf("Redraw+Eval allocates %v times per call", n)
			}
		})
	}
}
