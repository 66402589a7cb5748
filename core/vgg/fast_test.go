package vgg

import (
	"math"
	"testing"

	"github.com/texsynth/texsynth/core/internal/floats"
	"github.com/texsynth/texsynth/core/loss"
)

// evaluate returns the loss and its image gradient through Net.Evaluate.
func evaluate[T Float](t *testing.T, net *Net[T], set *loss.Set[T], img []T, h, w int) (float64, []T) {
	t.Helper()
	var value float64
	grad, err := net.Evaluate(img, h, w, func(feats []loss.Map[T]) ([]loss.Map[T], error) {
		g := make([][]T, len(feats))
		up := make([]loss.Map[T], len(feats))
		for i, f := range feats {
			g[i] = make([]T, len(f.Data))
			up[i] = loss.Map[T]{H: f.H, W: f.W, C: f.C, Data: g[i]}
		}
		var err error
		value, err = set.Eval(feats, g)
		return up, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return value, grad
}

// TestFastMatchesStock: the default path in float32 gives the loss and image gradient of the
// stock (simplego conv) path in float64, to 1e-4 relative, for the sw and gram losses.
func TestFastMatchesStock(t *testing.T) {
	w := tinyWeights(t)
	h, wd := 16, 14
	ex, img := randomImage(h, wd, 5), randomImage(h, wd, 6)
	stock, err := NewBackend(ConvStock)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := NewBackend(ConvFast)
	if err != nil {
		t.Fatal(err)
	}
	weights := []float64{1, 1, 1, 1, 1}
	for _, kind := range []loss.Kind{"sw", "gram"} {
		for _, pad := range []Pad{PadZero, PadReflect} {
			ref, err := New[float64](stock, w, testTaps, pad)
			if err != nil {
				t.Fatal(err)
			}
			exF, err := ref.Features(ex, h, wd)
			if err != nil {
				t.Fatal(err)
			}
			set64, err := loss.New[float64](loss.Options{Kind: kind, Seed: 3}, exF, weights)
			if err != nil {
				t.Fatal(err)
			}
			want, wantGrad := evaluate(t, ref, set64, img, h, wd)

			net, err := New[float32](fast, w, testTaps, pad)
			if err != nil {
				t.Fatal(err)
			}
			exF32, err := net.Features(floats.ToF32(ex), h, wd)
			if err != nil {
				t.Fatal(err)
			}
			set32, err := loss.New[float32](loss.Options{Kind: kind, Seed: 3}, exF32, weights)
			if err != nil {
				t.Fatal(err)
			}
			got, grad := evaluate(t, net, set32, floats.ToF32(img), h, wd)
			if e := math.Abs(got-want) / math.Abs(want); e > 1e-4 {
				t.Errorf("%s %s: loss %g, stock float64 %g (relative error %g)", kind, pad, got, want, e)
			}
			if e := floats.RelErr(floats.Widen(grad), wantGrad); e > 1e-4 {
				t.Errorf("%s %s: gradient relative error %g", kind, pad, e)
			}
		}
	}
}

// TestEvaluateSizes: the fast path keeps buffers per image size; changing size (odd ones too)
// must give what a fresh network gives.
func TestEvaluateSizes(t *testing.T) {
	w := tinyWeights(t)
	b, err := NewBackend(ConvFast)
	if err != nil {
		t.Fatal(err)
	}
	net, err := New[float64](b, w, testTaps, PadCircular)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][2]int{{8, 8}, {13, 11}, {8, 8}} {
		img := randomImage(s[0], s[1], 9)
		fresh, err := New[float64](b, w, testTaps, PadCircular)
		if err != nil {
			t.Fatal(err)
		}
		a, err := net.Features(img, s[0], s[1])
		if err != nil {
			t.Fatal(err)
		}
		c, err := fresh.Features(img, s[0], s[1])
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if e := floats.RelErr(a[i].Data, c[i].Data); e > 0 {
				t.Fatalf("%v tap %d differs after a size change: %g", s, i, e)
			}
		}
	}
}
