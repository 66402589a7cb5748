package loss

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
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

// TestRefeed: a Set built with Refeed keeps no copy of the exemplar and, handed the exemplar's
// features again at every RedrawFrom, gives the losses and gradients of a Set that keeps the
// copy and Redraws, bit for bit; RedrawFrom refuses maps of another shape, and Redraw on it
// panics rather than using features it does not hold.
func TestRefeed(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	shapes := []shape{{3, 3, 4}, {2, 2, 6}}
	ex, im := randMaps(rng, shapes), randMaps(rng, shapes)
	keep, err := New(Options{Kind: KindSW, Seed: 5}, ex, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	refeed, err := New(Options{Kind: KindSW, Seed: 5, Refeed: true}, ex, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, ly := range refeed.layers {
		if sw := ly.(*swLayer[float64]); sw.exemplar != nil {
			t.Fatal("a Refeed Set keeps a copy of the exemplar")
		}
	}
	for round := range 3 {
		if round > 0 {
			keep.Redraw()
			if err := refeed.RedrawFrom(ex); err != nil {
				t.Fatal(err)
			}
		}
		lk, gk, err := evalCopy(keep, im)
		if err != nil {
			t.Fatal(err)
		}
		lr, gr, err := evalCopy(refeed, im)
		if err != nil {
			t.Fatal(err)
		}
		if lk != lr {
			t.Fatalf("round %d: loss %v with Refeed, %v without", round, lr, lk)
		}
		for l := range gk {
			if !slices.Equal(gk[l], gr[l]) {
				t.Fatalf("round %d layer %d: gradients differ", round, l)
			}
		}
	}
	if err := refeed.RedrawFrom(randMaps(rng, []shape{{3, 3, 4}, {2, 3, 6}})); err == nil {
		t.Error("RedrawFrom took a map of another shape")
	}
	defer func() {
		if recover() == nil {
			t.Error("Redraw of a Refeed Set did not panic")
		}
	}()
	refeed.Redraw()
}

// TestEvalInPlace: EvalInPlace writes over the features the loss and gradients Eval returns, bit
// for bit, for every kind (the products and sorts read each feature before overwriting it).
func TestEvalInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 17))
	shapes := []shape{{5, 4, 8}, {3, 3, 16}, {2, 2, 3}}
	ex, im := randMaps(rng, shapes), randMaps(rng, shapes)
	for _, kind := range []Kind{KindSW, KindGram, KindEMD, KindEMDSeed} {
		exem, img := ex, im
		if kind == KindEMDSeed { // compares positions one to one: the same shapes
			exem = randMaps(rng, shapes)
		}
		for _, weights := range [][]float64{{1, 2, 3}, {1, 0, 1}} {
			s, err := New(Options{Kind: kind, Seed: 7}, exem, weights)
			if err != nil {
				t.Fatal(err)
			}
			want, grads, err := evalCopy(s, img)
			if err != nil {
				t.Fatal(err)
			}
			var feats []feature.Map[float64]
			for _, m := range img {
				feats = append(feats, feature.Map[float64]{H: m.H, W: m.W, C: m.C, Data: slices.Clone(m.Data)})
			}
			got, err := s.EvalInPlace(feats)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s %v: loss %v in place, %v", kind, weights, got, want)
			}
			for l := range feats {
				if !slices.Equal(feats[l].Data, grads[l]) {
					t.Errorf("%s %v layer %d: the gradient in place differs", kind, weights, l)
				}
			}
		}
	}
}
