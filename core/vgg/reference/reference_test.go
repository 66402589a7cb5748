package reference_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/core/vgg/internal/vggtest"
	"github.com/texsynth/texsynth/core/vgg/reference"
	"github.com/texsynth/texsynth/weights"
)

// The networks the specification is checked on, and the fast engine against it: VGG-16 to
// conv3_1 and VGG-19 to conv4_1 (through conv3_4 and pool3, the stages only VGG-19 has), at
// sizes where simplego's plain-loop convolution stays quick.
var cases = []struct {
	arch *vgg.Arch
	upto string
	taps []string
	h, w int
}{
	{vgg.VGG16, "conv3_1", []string{"conv1_1", "pool1", "conv2_2", "pool2", "conv3_1"}, 12, 10},
	{vgg.VGG19, "conv4_1", []string{"conv1_2", "pool2", "conv3_4", "pool3", "conv4_1"}, 16, 16},
}

func tiny(t testing.TB, i int) *weights.File { return vggtest.Tiny(t, cases[i].arch, cases[i].upto) }

// TestFeaturesMatchNaive: the GoMLX graph against the plain float64 network.
func TestFeaturesMatchNaive(t *testing.T) {
	for i, c := range cases {
		w := tiny(t, i)
		img := vggtest.Image(c.h, c.w, 1)
		for _, pad := range vgg.Pads {
			g, err := reference.New[float64](w, c.taps, pad)
			if err != nil {
				t.Fatal(err)
			}
			vggtest.CheckFeatures(t, fmt.Sprintf("%s %s", c.arch.Name, pad), g, w, img, c.h, c.w, pad, 1e-12)
		}
	}
}

// TestGradientFiniteDifference: GoMLX's autodiff of the graph against central differences.
func TestGradientFiniteDifference(t *testing.T) {
	for i, c := range cases {
		w := tiny(t, i)
		img := vggtest.Image(8, 8, 2) // small: every evaluation is a graph execution
		for _, pad := range vgg.Pads {
			g, err := reference.New[float64](w, c.taps, pad)
			if err != nil {
				t.Fatal(err)
			}
			vggtest.CheckGradient(t, fmt.Sprintf("%s %s", c.arch.Name, pad), g, img, 8, 8)
		}
	}
}

// TestFastMatchesReference: the fast engine in float32 gives the loss and the image gradient of
// the specification in float64, to 1e-4 relative, with the sw and gram losses, at every padding,
// for both architectures.
func TestFastMatchesReference(t *testing.T) {
	for i, c := range cases {
		w := tiny(t, i)
		ex, img := vggtest.Image(c.h, c.w, 5), vggtest.Image(c.h, c.w, 6)
		weights := make([]float64, len(c.taps))
		for j := range weights {
			weights[j] = 1
		}
		for _, kind := range []loss.Kind{loss.KindSW, loss.KindGram} {
			for _, pad := range vgg.Pads {
				what := fmt.Sprintf("%s %s %s", c.arch.Name, kind, pad)
				ref, err := reference.New[float64](w, c.taps, pad)
				if err != nil {
					t.Fatal(err)
				}
				want, wantGrad := evaluate(t, ref, kind, weights, ex, img, c.h, c.w)
				fast, err := vgg.NewFast[float32](w, c.taps, pad)
				if err != nil {
					t.Fatal(err)
				}
				got, grad := evaluate(t, fast, kind, weights, f32(ex), f32(img), c.h, c.w)
				if e := math.Abs(got-want) / math.Abs(want); e > 1e-4 {
					t.Errorf("%s: loss %g, reference %g (relative error %g)", what, got, want, e)
				}
				g64 := make([]float64, len(grad))
				for j, v := range grad {
					g64[j] = float64(v)
				}
				if e := vggtest.RelErr(g64, wantGrad); e > 1e-4 {
					t.Errorf("%s: gradient relative error %g", what, e)
				}
			}
		}
	}
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
	feats, err := net.Forward(img, h, w)
	if err != nil {
		t.Fatal(err)
	}
	value, up, err := set.Eval(feats)
	if err != nil {
		t.Fatal(err)
	}
	grad := make([]T, len(img))
	if err := net.Backward(up, grad); err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(grad))
	for i, v := range grad {
		out[i] = float64(v)
	}
	return value, out
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// Importing the package registers the stock engine.
func TestRegistered(t *testing.T) {
	c, err := vgg.ParseConv("stock")
	if err != nil || c != vgg.ConvStock {
		t.Fatalf("ParseConv(stock) = %q, %v", c, err)
	}
	net, err := vgg.Build(vgg.ConvStock, tiny(t, 0), []string{"conv1_1"}, vgg.PadZero)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := net.(*reference.Graph[float32]); !ok {
		t.Errorf("Build(stock) gave a %T", net)
	}
}
