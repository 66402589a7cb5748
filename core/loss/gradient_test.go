package loss

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGradientFiniteDifference checks every kind's analytic gradient against central differences
// of Eval's total, on several layers with different weights (one of them 0) and, where the loss
// allows it, an exemplar of another size than the image.
func TestGradientFiniteDifference(t *testing.T) {
	imShapes := []shape{{2, 3, 3}, {4, 4, 5}, {3, 5, 4}, {2, 2, 3}}
	exShapes := []shape{{3, 3, 3}, {2, 5, 5}, {4, 4, 4}, {3, 2, 3}}
	weights := []float64{1, 2.5, 0.5, 0}
	for _, v := range variants {
		for _, resized := range []bool{false, true} {
			if resized && v.sameSize {
				continue
			}
			name := v.name
			if resized {
				name += "/resized"
			}
			t.Run(name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(1, 2))
				exs := imShapes
				if resized {
					exs = exShapes
				}
				ex := randMaps(rng, exs)
				im := randMaps(rng, imShapes)
				s, err := New(v.opts, ex, weights)
				if err != nil {
					t.Fatal(err)
				}
				_, grads, err := evalCopy(s, im)
				if err != nil {
					t.Fatal(err)
				}
				eval := func() float64 {
					total, _, err := s.Eval(im)
					if err != nil {
						t.Fatal(err)
					}
					return total
				}
				const h = 1e-6
				maxDiff, maxFD := 0.0, 0.0
				for l := range im {
					for j := range im[l].Data {
						x := im[l].Data[j]
						im[l].Data[j] = x + h
						fp := eval()
						im[l].Data[j] = x - h
						fm := eval()
						im[l].Data[j] = x
						fd := (fp - fm) / (2 * h)
						maxDiff = math.Max(maxDiff, math.Abs(fd-grads[l][j]))
						maxFD = math.Max(maxFD, math.Abs(fd))
					}
				}
				if maxFD == 0 {
					t.Fatal("finite differences are all zero: the check checks nothing")
				}
				if e := maxDiff / maxFD; e > 1e-5 {
					t.Errorf("gradient relative error %.3g (max |analytic−fd| %.3g, max |fd| %.3g)", e, maxDiff, maxFD)
				}
				for j, g := range grads[3] {
					if g != 0 {
						t.Fatalf("layer of weight 0 has gradient %v at %d", g, j)
					}
				}
			})
		}
	}
}
