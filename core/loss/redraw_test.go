package loss

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRedraw(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	ex := randMaps(rng, []shape{{3, 3, 4}, {2, 2, 6}})
	im := randMaps(rng, []shape{{3, 3, 4}, {2, 2, 6}})
	build := func(seed uint64) *Set[float64] {
		s, err := New(Options{Kind: KindSW, Seed: seed}, ex, []float64{1, 1})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, other := build(42), build(42), build(43)
	prev := directions(a)
	var prevLoss float64
	for round := 0; round < 4; round++ {
		if round > 0 {
			a.Redraw()
			b.Redraw()
			other.Redraw()
		}
		da, db, do := directions(a), directions(b), directions(other)
		for l := range da {
			if !slices.Equal(da[l], db[l]) {
				t.Fatalf("round %d layer %d: same seed, different directions", round, l)
			}
			if slices.Equal(da[l], do[l]) {
				t.Fatalf("round %d layer %d: seeds 42 and 43 drew the same directions", round, l)
			}
			if round > 0 && slices.Equal(da[l], prev[l]) {
				t.Fatalf("round %d layer %d: Redraw kept the directions", round, l)
			}
			// Every direction (column) has unit length.
			c := int(math.Sqrt(float64(len(da[l]))))
			for k := 0; k < c; k++ {
				ss := 0.0
				for j := 0; j < c; j++ {
					ss += da[l][j*c+k] * da[l][j*c+k]
				}
				if math.Abs(ss-1) > 1e-12 {
					t.Fatalf("round %d layer %d direction %d: squared length %v", round, l, k, ss)
				}
			}
		}
		prev = da
		la, _, err := a.Eval(im)
		if err != nil {
			t.Fatal(err)
		}
		lb, _, _ := b.Eval(im)
		if la != lb {
			t.Errorf("round %d: same seed, losses %v and %v", round, la, lb)
		}
		if round > 0 && la == prevLoss {
			t.Errorf("round %d: loss unchanged by Redraw", round)
		}
		prevLoss = la
	}
}

// TestRedrawNoOp: Redraw leaves the other losses alone.
func TestRedrawNoOp(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	ex := randMaps(rng, []shape{{3, 3, 4}})
	im := randMaps(rng, []shape{{3, 3, 4}})
	for _, v := range variants {
		if v.opts.Kind == KindSW {
			continue
		}
		s, err := New(v.opts, ex, []float64{1})
		if err != nil {
			t.Fatal(err)
		}
		before, _, _ := s.Eval(im)
		s.Redraw()
		after, _, _ := s.Eval(im)
		if before != after {
			t.Errorf("%s: Redraw changed the loss from %v to %v", v.name, before, after)
		}
	}
}
