package loss

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAgainstReference compares every kind, in float64 and float32, with the naive
// implementations in helpers_test.go, over two rounds of sw directions.
func TestAgainstReference(t *testing.T) {
	// The last layer has over radixThreshold positions, so float32 goes through radixSort.
	imShapes := []shape{{3, 4, 3}, {5, 4, 6}, {2, 7, 4}, {32, 40, 3}}
	exShapes := []shape{{5, 3, 3}, {4, 4, 6}, {3, 3, 4}, {36, 36, 3}}
	weights := []float64{0.5, 1, 3, 2}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			exs := exShapes
			if v.sameSize {
				exs = imShapes
			}
			// Round the data to float32 so that both precisions see the same numbers.
			ex32 := to32(randMaps(rng, exs))
			im32 := to32(randMaps(rng, imShapes))
			ex, im := to64(ex32), to64(im32)

			s64, err := New(v.opts, ex, weights)
			if err != nil {
				t.Fatal(err)
			}
			s32, err := New(v.opts, ex32, weights)
			if err != nil {
				t.Fatal(err)
			}
			for round := 0; round < 2; round++ {
				if round > 0 {
					s64.Redraw()
					s32.Redraw()
				}
				var d64, d32 [][]float64
				if v.opts.Kind == KindSW {
					d64, d32 = directions(s64), directions(s32)
				}
				want64 := refLayers(v.opts, ex, im, d64)
				want32 := refLayers(v.opts, ex, im, d32)

				got, _, err := s64.Eval(im)
				if err != nil {
					t.Fatal(err)
				}
				if e := relErr(got, weightedMean(want64, weights)); e > 1e-9 {
					t.Errorf("round %d float64 total %v, reference %v (rel err %.3g)", round, got, weightedMean(want64, weights), e)
				}
				for l, w := range want64 {
					if e := relErr(s64.Layers()[l], w); e > 1e-9 {
						t.Errorf("round %d float64 layer %d: %v, reference %v", round, l, s64.Layers()[l], w)
					}
				}

				got, _, err = s32.Eval(im32)
				if err != nil {
					t.Fatal(err)
				}
				if e := relErr(got, weightedMean(want32, weights)); e > 1e-4 {
					t.Errorf("round %d float32 total %v, reference %v (rel err %.3g)", round, got, weightedMean(want32, weights), e)
				}
				for l, w := range want32 {
					if e := relErr(s32.Layers()[l], w); e > 1e-4 {
						t.Errorf("round %d float32 layer %d: %v, reference %v", round, l, s32.Layers()[l], w)
					}
				}
				if got == 0 || math.IsNaN(got) {
					t.Errorf("total %v on different maps", got)
				}
			}
		})
	}
}
