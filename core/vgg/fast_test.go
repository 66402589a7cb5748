package vgg_test

import (
	"math"
	"testing"

	"github.com/texsynth/texsynth/core/internal/floats"
	"github.com/texsynth/texsynth/core/internal/vggtest"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// The taps the fast engine is tested on: every kind of stage of each network, down to conv4_1
// (VGG-16: after three pools) or through all of VGG-19 (conv5_4, after pool4).
var (
	taps16 = []string{"conv1_1", "pool1", "conv2_2", "pool2", "conv3_1", "pool3", "conv4_1"}
	taps19 = []string{"conv1_2", "pool1", "conv2_1", "pool2", "conv3_4", "pool3", "conv4_4", "pool4", "conv5_4"}
)

// TestFeaturesMatchNaive: the fast engine against the plain float64 network, in float64 and in
// float32, for every padding and both architectures.
func TestFeaturesMatchNaive(t *testing.T) {
	cases := []vggtest.Case{
		{Arch: vgg.VGG16, Upto: "conv4_1", Taps: taps16, H: 20, W: 18},
		{Arch: vgg.VGG19, Upto: "conv5_4", Taps: taps19, H: 34, W: 32},
	}
	vggtest.ForEach(t, cases, func(c vggtest.Case, w *weights.File, pad vgg.Pad, what string) {
		img := vggtest.Image(c.H, c.W, 1)
		net64, err := vgg.NewFast[float64](w, c.Taps, pad)
		if err != nil {
			t.Fatal(err)
		}
		vggtest.CheckFeatures(t, what+" float64", net64, w, img, c.H, c.W, pad, 1e-12)
		net32, err := vgg.NewFast[float32](w, c.Taps, pad)
		if err != nil {
			t.Fatal(err)
		}
		tol := 1e-5 // float32's error against float64 grows with depth: VGG-19 runs 15 stages
		if c.Arch == vgg.VGG19 {
			tol = 1e-4
		}
		vggtest.CheckFeatures(t, what+" float32", net32, w, img, c.H, c.W, pad, tol)
	})
}

// TestGradientFiniteDifference checks the fast engine's backward pass against central
// differences in float64, for every padding and both architectures.
func TestGradientFiniteDifference(t *testing.T) {
	cases := []vggtest.Case{
		{Arch: vgg.VGG16, Upto: "conv4_1", Taps: taps16, H: 16, W: 16},
		{Arch: vgg.VGG19, Upto: "conv5_4", Taps: taps19, H: 16, W: 16},
	}
	vggtest.ForEach(t, cases, func(c vggtest.Case, w *weights.File, pad vgg.Pad, what string) {
		net, err := vgg.NewFast[float64](w, c.Taps, pad)
		if err != nil {
			t.Fatal(err)
		}
		vggtest.CheckGradient(t, what, net, vggtest.Image(c.H, c.W, 2), c.H, c.W)
	})
}

// TestSizes: the fast engine keeps buffers per image size; changing size (odd ones too) must
// give what a fresh network gives.
func TestSizes(t *testing.T) {
	w := vggtest.Tiny(t, vgg.VGG16, "conv4_1")
	taps := taps16
	net, err := vgg.NewFast[float64](w, taps, vgg.PadCircular)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][2]int{{16, 16}, {19, 17}, {16, 16}} {
		img := vggtest.Image(s[0], s[1], 9)
		fresh, err := vgg.NewFast[float64](w, taps, vgg.PadCircular)
		if err != nil {
			t.Fatal(err)
		}
		a, err := net.Forward(img, s[0], s[1])
		if err != nil {
			t.Fatal(err)
		}
		c, err := fresh.Forward(img, s[0], s[1])
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if e := floats.RelErr(a[i].Data, c[i].Data); e > 0 {
				t.Fatalf("%v tap %d differs after a size change: %g", s, i, e)
			}
		}
	}
	if _, err := net.Forward(vggtest.Image(6, 6, 1), 6, 6); err == nil {
		t.Error("a 6×6 image passed three pools")
	}
	if err := net.Backward(nil, make([]float64, 6*6*3)); err == nil {
		t.Error("Backward after a failed Forward did not fail")
	}
}

// TestCircularIsShiftEquivariant: with circular padding a shifted image gives shifted features,
// which is what makes the output tile.
func TestCircularIsShiftEquivariant(t *testing.T) {
	w := vggtest.Tiny(t, vgg.VGG16, "conv2_2")
	h, wd := 8, 8
	img := vggtest.Image(h, wd, 4)
	shifted := make([]float64, len(img))
	for i := range h {
		for j := range wd {
			copy(shifted[(((i+4)%h)*wd+(j+4)%wd)*3:][:3], img[(i*wd+j)*3:][:3])
		}
	}
	net, err := vgg.NewFast[float64](w, []string{"conv2_2"}, vgg.PadCircular)
	if err != nil {
		t.Fatal(err)
	}
	a, err := net.Forward(img, h, wd)
	if err != nil {
		t.Fatal(err)
	}
	f := a[0]
	f.Data = append([]float64(nil), f.Data...)
	b, err := net.Forward(shifted, h, wd)
	if err != nil {
		t.Fatal(err)
	}
	g := b[0] // 4×4, shifted by 2
	for i := range f.H {
		for j := range f.W {
			for c := range f.C {
				x, y := f.Data[(i*f.W+j)*f.C+c], g.Data[(((i+2)%f.H)*f.W+(j+2)%f.W)*f.C+c]
				if math.Abs(x-y) > 1e-9 {
					t.Fatalf("feature (%d,%d,%d) = %g, shifted %g", i, j, c, x, y)
				}
			}
		}
	}
}
