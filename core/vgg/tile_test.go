package vgg_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/internal/floats"
	"github.com/texsynth/texsynth/core/internal/vggtest"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// TestTilesMatchWhole: an image evaluated in tiles gives the whole image's features, loss and
// image gradient, at every padding (circular wrapping across the image's edge, zero and reflect
// only at the image's border), for VGG-16 to conv4_3 and VGG-19 to conv3_4 with every conv a
// tap, at odd sizes (the pools drop a row and a column), with tiles smaller than the deepest
// tap's receptive field and tiles of a single cell of the deepest map: in float64 to 1e-10, and in
// float32 to 1e-4 (the sliced Wasserstein loss and the Gram loss).
func TestTilesMatchWhole(t *testing.T) {
	cases := []vggtest.Case{
		{Arch: vgg.VGG16, Upto: "conv4_3", H: 43, W: 37},
		{Arch: vgg.VGG19, Upto: "conv3_4", H: 29, W: 34},
	}
	vggtest.ForEach(t, cases, func(c vggtest.Case, w *weights.File, pad vgg.Pad, what string) {
		taps, err := c.Arch.ParseTaps("all")
		if err != nil {
			t.Fatal(err)
		}
		taps = taps[:len(c.Arch.Default())]
		if c.Arch == vgg.VGG19 {
			taps = taps[:8] // conv1_1 … conv3_4
		}
		sides := []int{8, 16, 40}
		if runtime.GOOS == "js" {
			sides = sides[1:2] // the same code, single-threaded and slow: one tiling
		}
		for _, side := range sides {
			name := fmt.Sprintf("%s tiles of %d px", what, side)
			checkTiles[float64](t, name+" float64", w, taps, pad, c.H, c.W, side, 1e-10)
			checkTiles[float32](t, name+" float32", w, taps, pad, c.H, c.W, side, 1e-4)
		}
	})
}

func checkTiles[T feature.Float](t *testing.T, what string, w *weights.File, taps []string, pad vgg.Pad, h, wd, side int, tol float64) {
	t.Helper()
	whole, err := vgg.NewFast[T](w, taps, pad)
	if err != nil {
		t.Fatal(err)
	}
	whole.SetTiles(-1)
	tiled, err := vgg.NewFast[T](w, taps, pad)
	if err != nil {
		t.Fatal(err)
	}
	tiled.SetTiles(side)
	img, ex := toT[T](vggtest.Image(h, wd, 5)), toT[T](vggtest.Image(h+3, wd-2, 6))

	want, err := whole.Forward(img, h, wd)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tiled.Forward(img, h, wd)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !feature.SameShape(got[i], want[i]) {
			t.Fatalf("%s tap %s: %dx%dx%d, want %dx%dx%d", what, taps[i], got[i].H, got[i].W, got[i].C, want[i].H, want[i].W, want[i].C)
		}
		if e := floats.RelErr(widen(got[i].Data), widen(want[i].Data)); e > tol {
			t.Errorf("%s tap %s: features differ by %g", what, taps[i], e)
		}
	}
	for _, kind := range []loss.Kind{loss.KindSW, loss.KindGram} {
		exFeats, err := whole.Forward(ex, h+3, wd-2)
		if err != nil {
			t.Fatal(err)
		}
		weights := make([]float64, len(taps))
		for i := range weights {
			weights[i] = 1
		}
		newSet := func() *loss.Set[T] {
			s, err := loss.New(loss.Options{Kind: kind, Seed: 3}, exFeats, weights)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		// Both sets before either evaluation: the exemplar's maps are the network's buffers.
		sw, st, sp := newSet(), newSet(), newSet()
		lw, gw := vggtest.Evaluate(t, whole, sw, img, h, wd)
		lt, gt := vggtest.Evaluate(t, tiled, st, img, h, wd)
		// The tiled engine's maps are free: the gradient in their place gives the same.
		feats, err := tiled.Forward(img, h, wd)
		if err != nil {
			t.Fatal(err)
		}
		if tiled.MapsFree() != (h > side || wd > side) || whole.MapsFree() {
			t.Fatalf("%s: maps free %v, whole image's %v", what, tiled.MapsFree(), whole.MapsFree())
		}
		if tiled.MapsFree() {
			lp, err := sp.EvalInPlace(feats)
			if err != nil {
				t.Fatal(err)
			}
			gp := make([]T, h*wd*3)
			if err := tiled.Backward(feats, gp); err != nil {
				t.Fatal(err)
			}
			if lp != lt || floats.RelErr(widen(gp), gt) != 0 {
				t.Errorf("%s %s: the gradient over the maps gives loss %g and a gradient %g off, not the tiles' own", what, kind, lp, floats.RelErr(widen(gp), gt))
			}
		}
		if e := floats.RelErr([]float64{lt}, []float64{lw}); e > tol {
			t.Errorf("%s %s: loss %g, whole image %g", what, kind, lt, lw)
		}
		if e := floats.RelErr(gt, gw); e > tol {
			t.Errorf("%s %s: image gradient differs by %g", what, kind, e)
		}
	}
}

func toT[T feature.Float](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

func widen[T feature.Float](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
