package vgg_test

import (
	"math"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/internal/floats"
	"github.com/texsynth/texsynth/core/internal/vggtest"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// deepWeights is a narrow untrained VGG-16 to conv4_3: all ten conv layers and three pools,
// with channel counts that are multiples of 8, so that the vector kernels (AVX2, wasm SIMD128)
// take every product and transform step, as they do at full width.
func deepWeights(t testing.TB) *weights.File {
	t.Helper()
	widths := []int{3, 8, 8, 16, 16, 24, 24, 24, 32, 32, 32}
	specs := make([]weights.LayerSpec, len(widths)-1)
	for i := range specs {
		specs[i] = weights.LayerSpec{Name: vgg.VGG16.Layers[i].Name, In: widths[i], Out: widths[i+1]}
	}
	f, err := weights.RandomLayers(11, specs)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// stripesImage is a diagonal-stripes exemplar (a structured texture, unlike vggtest.Image).
func stripesImage(h, w int) []float64 {
	img := make([]float64, h*w*3)
	for i := range h {
		for j := range w {
			for c := range 3 {
				img[(i*w+j)*3+c] = 0.5 + 0.4*math.Sin(float64(i+2*j)*0.7+float64(c)*2)
			}
		}
	}
	return img
}

// nearTie is how close (relative to the layer's RMS) two inputs of a max-pool window, or an
// activation and zero, may come before the float32 and float64 passes may take different
// branches: five times the largest float32 feature error of any kernel on this test's network
// (1–2·10⁻⁵ RMS).
const nearTie = 1e-4

// TestFloat32GradientDeep: the fast path's float32 image gradient of the gram loss, on whatever
// kernels this build runs (AVX2+FMA or portable natively; wasm SIMD128 with or without relaxed
// FMA, or portable, under js), against the same network in float64, through ten conv layers
// and three pools with every conv a tap: to 1e-4 relative. The kernels' own error through this
// depth is 2e-6–3e-6; a product reading stale or foreign memory, an edge of a register block
// left out, or a transform step on the wrong vector shows as 1e-3 or more. (The sw loss's
// gradient is left to TestFastMatchesReference: its sort has near-ties of its own.)
//
// The comparison is well posed only where both passes take the same branches. The 2×2 max
// pool routes the gradient to its maximum and the ReLU passes it where the activation is
// positive; where two inputs of a window (or an activation and zero) are within float32's
// rounding of each other, float32 may take the other branch and move that element's gradient
// to another pixel: relative errors of 1e-4 to 1e-2 with neither pass wrong (the float64
// gradient itself jumps as much when the image moves by float32's rounding). The test
// therefore checks that its input has no such near-tie, and fails saying so if it has.
func TestFloat32GradientDeep(t *testing.T) {
	w := deepWeights(t)
	taps := vgg.VGG16.Default()
	ones := make([]float64, len(taps))
	for i := range ones {
		ones[i] = 1
	}
	// 5×5 maps at conv4: not a multiple of the 4×4 Winograd tile. The image's smallest margin
	// (checkNoNearTies) is 2.0e-4 RMS.
	const h, wd = 40, 36
	ex, img := stripesImage(h, wd), vggtest.Image(h, wd, 37)
	for _, pad := range []vgg.Pad{vgg.PadZero, vgg.PadReflect} {
		net64, err := vgg.NewFast[float64](w, taps, pad)
		if err != nil {
			t.Fatal(err)
		}
		net32, err := vgg.NewFast[float32](w, taps, pad)
		if err != nil {
			t.Fatal(err)
		}
		f64, err := net64.Forward(img, h, wd)
		if err != nil {
			t.Fatal(err)
		}
		f32, err := net32.Forward(floats.ToF32(img), h, wd)
		if err != nil {
			t.Fatal(err)
		}
		for i, tap := range taps {
			if e := floats.RelErr(floats.Widen(f32[i].Data), f64[i].Data); e > 1e-4 {
				t.Fatalf("%s %s: float32 features' relative error %g", pad, tap, e)
			}
		}
		checkNoNearTies(t, string(pad), taps, f64, f32)
		ex64, err := net64.Forward(ex, h, wd)
		if err != nil {
			t.Fatal(err)
		}
		set64, err := loss.New[float64](loss.Options{Kind: "gram"}, ex64, ones)
		if err != nil {
			t.Fatal(err)
		}
		ex32, err := net32.Forward(floats.ToF32(ex), h, wd)
		if err != nil {
			t.Fatal(err)
		}
		set32, err := loss.New[float32](loss.Options{Kind: "gram"}, ex32, ones)
		if err != nil {
			t.Fatal(err)
		}
		want, wantGrad := vggtest.Evaluate(t, net64, set64, img, h, wd)
		got, grad := vggtest.Evaluate(t, net32, set32, floats.ToF32(img), h, wd)
		eLoss := math.Abs(got-want) / math.Abs(want)
		eGrad := floats.RelErr(grad, wantGrad)
		t.Logf("%s: loss relative error %.2g, gradient %.2g", pad, eLoss, eGrad)
		if eLoss > 1e-4 || eGrad > 1e-4 {
			t.Errorf("%s: float32 against float64: loss relative error %g, gradient %g (want ≤ 1e-4)", pad, eLoss, eGrad)
		}
	}
}

// checkNoNearTies fails if the float64 features have a max-pool window whose two largest inputs,
// or a positive activation and zero, are within nearTie of each other (relative to the layer's
// RMS), or if the float32 features' ReLU pattern is not the float64 one (a pre-activation within
// rounding of zero on the negative side, which the ReLU's output does not show).
func checkNoNearTies(t *testing.T, name string, taps []string, f64 []feature.Map[float64], f32 []feature.Map[float32]) {
	t.Helper()
	for i, tap := range taps {
		m, m32 := f64[i], f32[i]
		rms := math.Sqrt(dot(m.Data, m.Data) / float64(len(m.Data)))
		flips := 0
		for j, v := range m.Data {
			if (v > 0) != (m32.Data[j] > 0) {
				flips++
			}
			if v > 0 && v < nearTie*rms {
				t.Fatalf("%s %s: activation %g within %g·RMS of zero: the test input is ill-posed, change it", name, tap, v, nearTie)
			}
		}
		if flips > 0 {
			t.Fatalf("%s %s: the float32 ReLU pattern differs from float64's at %d activations (a pre-activation within rounding of zero)", name, tap, flips)
		}
		stages := vgg.VGG16.Stages()
		s, _ := vgg.VGG16.Index(tap)
		if s+1 >= len(stages) || !stages[s+1].Pool || s+1 >= deepest(taps) {
			continue // no pool after this tap that a gradient comes through
		}
		at := func(i, j, k int) float64 { return m.Data[(i*m.W+j)*m.C+k] }
		for pi := range m.H / 2 {
			for pj := range m.W / 2 {
				for k := range m.C {
					top, second := math.Inf(-1), math.Inf(-1)
					for _, v := range [4]float64{at(2*pi, 2*pj, k), at(2*pi, 2*pj+1, k), at(2*pi+1, 2*pj, k), at(2*pi+1, 2*pj+1, k)} {
						if v > top {
							top, second = v, top
						} else if v > second {
							second = v
						}
					}
					if top > 0 && top-second < nearTie*rms {
						t.Fatalf("%s: %s's pool window (%d, %d) channel %d has two inputs %g and %g within %g·RMS: the test input is ill-posed, change it", name, tap, pi, pj, k, top, second, nearTie)
					}
				}
			}
		}
	}
}

// deepest is the stage index of the deepest tap.
func deepest(taps []string) int {
	d := 0
	for _, tap := range taps {
		s, _ := vgg.VGG16.Index(tap)
		d = max(d, s)
	}
	return d
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
