package reference_test

import (
	"math"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/internal/floats"
	"github.com/texsynth/texsynth/core/internal/vggtest"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/core/vgg/reference"
	"github.com/texsynth/texsynth/weights"
)

// The networks the specification is checked on, and the fast engine against it: VGG-16 to
// conv3_1 and VGG-19 to conv4_1 (through conv3_4 and pool3, the stages only VGG-19 has), at
// sizes where simplego's plain-loop convolution stays quick.
var cases = []vggtest.Case{
	{Arch: vgg.VGG16, Upto: "conv3_1", Taps: []string{"conv1_1", "pool1", "conv2_2", "pool2", "conv3_1"}, H: 12, W: 10},
	{Arch: vgg.VGG19, Upto: "conv4_1", Taps: []string{"conv1_2", "pool2", "conv3_4", "pool3", "conv4_1"}, H: 16, W: 16},
}

// TestFeaturesMatchNaive: the GoMLX graph against the plain float64 network.
func TestFeaturesMatchNaive(t *testing.T) {
	vggtest.ForEach(t, cases, func(c vggtest.Case, w *weights.File, pad vgg.Pad, what string) {
		g, err := reference.New[float64](w, c.Taps, pad)
		if err != nil {
			t.Fatal(err)
		}
		vggtest.CheckFeatures(t, what, g, w, vggtest.Image(c.H, c.W, 1), c.H, c.W, pad, 1e-12)
	})
}

// TestGradientFiniteDifference: GoMLX's autodiff of the graph against central differences, on
// 8×8 images (every evaluation is a graph execution).
func TestGradientFiniteDifference(t *testing.T) {
	vggtest.ForEach(t, cases, func(c vggtest.Case, w *weights.File, pad vgg.Pad, what string) {
		g, err := reference.New[float64](w, c.Taps, pad)
		if err != nil {
			t.Fatal(err)
		}
		vggtest.CheckGradient(t, what, g, vggtest.Image(8, 8, 2), 8, 8)
	})
}

// TestFastMatchesReference: the fast engine in float32 gives the loss and the image gradient of
// the specification in float64, to 1e-4 relative, with the sw and gram losses, at every padding,
// for both architectures.
func TestFastMatchesReference(t *testing.T) {
	vggtest.ForEach(t, cases, func(c vggtest.Case, w *weights.File, pad vgg.Pad, what string) {
		ex, img := vggtest.Image(c.H, c.W, 5), vggtest.Image(c.H, c.W, 6)
		weights := make([]float64, len(c.Taps))
		for j := range weights {
			weights[j] = 1
		}
		for _, kind := range []loss.Kind{loss.KindSW, loss.KindGram} {
			what := what + " " + string(kind)
			ref, err := reference.New[float64](w, c.Taps, pad)
			if err != nil {
				t.Fatal(err)
			}
			want, wantGrad := evaluate(t, ref, kind, weights, ex, img, c.H, c.W)
			fast, err := vgg.NewFast[float32](w, c.Taps, pad)
			if err != nil {
				t.Fatal(err)
			}
			got, grad := evaluate(t, fast, kind, weights, floats.ToF32(ex), floats.ToF32(img), c.H, c.W)
			if e := math.Abs(got-want) / math.Abs(want); e > 1e-4 {
				t.Errorf("%s: loss %g, reference %g (relative error %g)", what, got, want, e)
			}
			if e := floats.RelErr(grad, wantGrad); e > 1e-4 {
				t.Errorf("%s: gradient relative error %g", what, e)
			}
		}
	})
}

// evaluate is one synthesis evaluation on net: the exemplar's features make the loss, then
// Forward on img, the loss and its gradient, Backward.
func evaluate[T feature.Float](t *testing.T, net vgg.Network[T], kind loss.Kind, weights []float64, ex, img []T, h, w int) (float64, []float64) {
	t.Helper()
	exF, err := net.Forward(ex, h, w)
	if err != nil {
		t.Fatal(err)
	}
	set, err := loss.New(loss.Options{Kind: kind, Seed: 3}, exF, weights)
	if err != nil {
		t.Fatal(err)
	}
	return vggtest.Evaluate(t, net, set, img, h, w)
}

// Importing the package registers the stock engine.
func TestRegistered(t *testing.T) {
	c, err := vgg.ParseConv("stock")
	if err != nil || c != vgg.ConvStock {
		t.Fatalf("ParseConv(stock) = %q, %v", c, err)
	}
	net, err := vgg.Build(vgg.ConvStock, vggtest.Tiny(t, vgg.VGG16, "conv1_1"), []string{"conv1_1"}, vgg.PadZero)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := net.(*reference.Graph[float32]); !ok {
		t.Errorf("Build(stock) gave a %T", net)
	}
}
