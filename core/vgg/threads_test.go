package vgg_test

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/internal/floats"
	"github.com/texsynth/texsynth/core/internal/vggtest"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// TestWorkersGiveSameBits: the fast engine's features, loss and image gradient are the same bits
// whatever GOMAXPROCS is (1, 2, 3 or 8 workers, sw and gram: natively the Winograd layers switch between
// whole chunks per worker and shared products as the workers outnumber the chunks; the loss
// splits its columns and rows), and at 1 and 8 workers the features match the plain float64
// loop. The image is large enough that the first layers have many chunks of tiles and the last
// ones a single chunk.
func TestWorkersGiveSameBits(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("in wasm there is one worker whatever GOMAXPROCS is (gemm.Workers)")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct {
		w    *weights.File
		taps []string
	}{
		{deepWeights(t), vgg.VGG16.Default()},                          // the vector kernels' shapes
		{vggtest.Tiny(t, vgg.VGG19, "conv3_4"), vgg.VGG19.Convs()[:8]}, // odd widths: every edge of the products
	} {
		sameBitsAt(t, c.w, c.taps)
	}
}

func sameBitsAt(t *testing.T, w *weights.File, taps []string) {
	const h, wd = 72, 88
	img := vggtest.Image(h, wd, 8)
	ex := vggtest.Image(h-8, wd+8, 9)
	type result struct {
		feats [][]float64
		loss  float64
		grad  []float64
	}
	run := func(procs int, pad vgg.Pad, kind loss.Kind) (r32, r64 result) {
		runtime.GOMAXPROCS(procs)
		return evalAt[float32](t, w, taps, pad, kind, img, ex, h, wd), evalAt[float64](t, w, taps, pad, kind, img, ex, h, wd)
	}
	for _, pad := range vgg.Pads {
		for _, kind := range []loss.Kind{loss.KindSW, loss.KindGram} {
			base32, base64 := run(1, pad, kind)
			if kind == loss.KindSW {
				naive := vggtest.Naive(w, img, h, wd, pad, taps)
				for i := range naive {
					if e := floats.RelErr(base64.feats[i], naive[i].Data); e > 1e-12 {
						t.Errorf("%s, 1 worker: tap %s differs from the float64 loop by %g", pad, taps[i], e)
					}
				}
			}
			for _, procs := range []int{2, 3, 8} {
				r32, r64 := run(procs, pad, kind)
				what := fmt.Sprintf("%s %s %s, %d workers", w.Provenance, pad, kind, procs)
				same(t, what+" float32", r32.feats, r32.loss, r32.grad, base32.feats, base32.loss, base32.grad)
				same(t, what+" float64", r64.feats, r64.loss, r64.grad, base64.feats, base64.loss, base64.grad)
			}
		}
	}
}

// evalAt is one evaluation at the current GOMAXPROCS: the taps of img, the loss against ex's and
// the image gradient, in float64.
func evalAt[T feature.Float](t *testing.T, w *weights.File, taps []string, pad vgg.Pad, kind loss.Kind, img, ex []float64, h, wd int) (r struct {
	feats [][]float64
	loss  float64
	grad  []float64
}) {
	t.Helper()
	net, err := vgg.NewFast[T](w, taps, pad)
	if err != nil {
		t.Fatal(err)
	}
	exFeats, err := net.Forward(toT[T](ex), h-8, wd+8)
	if err != nil {
		t.Fatal(err)
	}
	weights := make([]float64, len(taps))
	for i := range weights {
		weights[i] = 1
	}
	set, err := loss.New(loss.Options{Kind: kind, Seed: 4}, exFeats, weights)
	if err != nil {
		t.Fatal(err)
	}
	feats, err := net.Forward(toT[T](img), h, wd)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range feats {
		r.feats = append(r.feats, widen(f.Data))
	}
	r.loss, r.grad = vggtest.Evaluate(t, net, set, toT[T](img), h, wd)
	return r
}

// same fails unless the two results are equal bit for bit.
func same(t *testing.T, what string, fa [][]float64, la float64, ga []float64, fb [][]float64, lb float64, gb []float64) {
	t.Helper()
	for i := range fb {
		for j := range fb[i] {
			if math.Float64bits(fa[i][j]) != math.Float64bits(fb[i][j]) {
				t.Fatalf("%s: tap %d value %d is %v, with 1 worker %v", what, i, j, fa[i][j], fb[i][j])
			}
		}
	}
	if math.Float64bits(la) != math.Float64bits(lb) {
		t.Fatalf("%s: loss %v, with 1 worker %v", what, la, lb)
	}
	for j := range gb {
		if math.Float64bits(ga[j]) != math.Float64bits(gb[j]) {
			t.Fatalf("%s: image gradient %d is %v, with 1 worker %v", what, j, ga[j], gb[j])
		}
	}
}
