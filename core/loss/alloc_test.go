package loss

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestEvalDoesNotAllocate: Eval runs every optimiser iteration; after the first call has sized
// the scratch it must not allocate buffers, for any kind, nor after a Redraw, when its work runs
// on one goroutine as in wasm, where garbage costs peak memory. (Handing work to the workers
// takes a few closures of some dozen bytes each per layer, which this allows.)
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
			if n := bytesPerRun(5, func() { s.Eval(im) }); n > smallGarbage {
				t.Errorf("Eval allocates %v bytes per call", n)
			}
			if n := bytesPerRun(5, func() { s.Redraw(); s.Eval(im) }); n > smallGarbage {
				t.Errorf("Redraw+Eval allocates %v bytes per call", n)
			}
		})
	}
}

// smallGarbage is what one Eval of the test's three layers may allocate: closures, never a buffer
// (the smallest buffer here, one layer's 16 columns, is 2 KiB).
const smallGarbage = 1024

// bytesPerRun returns the bytes f allocates per call, on average over runs calls.
func bytesPerRun(runs int, f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}
