// Package vggtest holds what the tests of every VGG engine share: narrow random networks of
// either architecture, a plain float64 forward pass (direct convolution loops, explicit
// padding) to compare features with, a finite-difference check of an engine's image gradient,
// and one synthesis evaluation (Forward, loss, Backward).
package vggtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/internal/floats"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// widths are the narrow networks' output channels, layer by layer (repeated): the first layer
// is thin (the fast engine's im2col case), the others Winograd, with odd and even widths.
var widths = []int{4, 9, 6, 10, 5, 7, 8, 3}

// Tiny returns a narrow version of arch up to the conv layer upto, with random kernels and
// biases (He-normal kernels, biases σ = 0.1), quantised to int8 as a weights file would be.
func Tiny(t testing.TB, arch *vgg.Arch, upto string) *weights.File {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	f := &weights.File{Pre: weights.ImageNet, Provenance: "narrow random " + arch.Name}
	in := 3
	for i, spec := range arch.Layers {
		out := widths[i%len(widths)]
		k := make([]float32, out*in*9)
		for j := range k {
			k[j] = float32(rng.NormFloat64() * math.Sqrt(2/float64(in*9)))
		}
		b := make([]float32, out)
		for j := range b {
			b[j] = float32(rng.NormFloat64() * 0.1)
		}
		l, err := weights.Quantize(spec.Name, k, b, out, in, 3, 3)
		if err != nil {
			t.Fatal(err)
		}
		f.Layers = append(f.Layers, l)
		if spec.Name == upto {
			break
		}
		in = out
	}
	return f
}

// Case is a narrow network, Tiny(Arch, Upto), and the taps an engine is tested on.
type Case struct {
	Arch *vgg.Arch
	Upto string
	Taps []string
	H, W int // the side of the image the check uses
}

// ForEach calls f for every case and padding mode, with the case's narrow weights and a name for
// messages.
func ForEach(t *testing.T, cases []Case, f func(c Case, w *weights.File, pad vgg.Pad, what string)) {
	t.Helper()
	for _, c := range cases {
		w := Tiny(t, c.Arch, c.Upto)
		for _, pad := range vgg.Pads {
			f(c, w, pad, c.Arch.Name+" "+string(pad))
		}
	}
}

// Image is an h×w×3 image of uniform random values in [0,1).
func Image(h, w int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := make([]float64, h*w*3)
	for i := range img {
		img[i] = rng.Float64()
	}
	return img
}

// Naive is the network's forward pass in plain float64 loops, written from the definition:
// preprocessing, 3×3 convolutions over the explicitly padded input with bias and ReLU, 2×2 max
// pools dropping an odd last row or column. It returns the taps in network order.
func Naive(w *weights.File, img []float64, h, wd int, pad vgg.Pad, taps []string) []feature.Map[float64] {
	arch := vgg.ArchOf(w)
	want := map[string]bool{}
	deepest := 0
	for _, t := range taps {
		i, err := arch.Index(t)
		if err != nil {
			panic(err)
		}
		want[arch.Stages()[i].Name] = true
		deepest = max(deepest, i+1)
	}
	c := 3
	x := make([]float64, len(img))
	p := w.Pre
	for i := range img {
		ch := i % 3
		src := ch
		if p.Order == "bgr" {
			src = 2 - ch
		}
		x[i] = (img[i-ch+src]*float64(p.Scale) - float64(p.Mean[ch])) / float64(p.Std[ch])
	}
	var out []feature.Map[float64]
	for _, s := range arch.Stages()[:deepest] {
		if s.Pool {
			h2, w2 := h/2, wd/2
			y := make([]float64, h2*w2*c)
			for i := range h2 {
				for j := range w2 {
					for k := range c {
						m := math.Inf(-1)
						for di := range 2 {
							for dj := range 2 {
								m = math.Max(m, x[((2*i+di)*wd+2*j+dj)*c+k])
							}
						}
						y[(i*w2+j)*c+k] = m
					}
				}
			}
			x, h, wd = y, h2, w2
		} else {
			l, _ := w.Layer(s.Name)
			kern := l.Kernel()
			y := make([]float64, h*wd*l.Out)
			at := func(i, j, k int) float64 {
				switch pad {
				case vgg.PadZero:
					if i < 0 || i >= h || j < 0 || j >= wd {
						return 0
					}
				case vgg.PadReflect:
					i, j = reflect(i, h), reflect(j, wd)
				case vgg.PadCircular:
					i, j = (i+h)%h, (j+wd)%wd
				}
				return x[(i*wd+j)*c+k]
			}
			for i := range h {
				for j := range wd {
					for o := range l.Out {
						s := float64(l.Bias[o])
						for k := range l.In {
							for di := range 3 {
								for dj := range 3 {
									s += float64(kern[((o*l.In+k)*3+di)*3+dj]) * at(i+di-1, j+dj-1, k)
								}
							}
						}
						y[(i*wd+j)*l.Out+o] = math.Max(s, 0)
					}
				}
			}
			x, c = y, l.Out
		}
		if want[s.Name] {
			out = append(out, feature.Map[float64]{H: h, W: wd, C: c, Data: append([]float64(nil), x...)})
		}
	}
	return out
}

func reflect(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*n - 2 - i
	}
	return i
}

// CheckFeatures compares a network's taps on img with Naive's, to tol relative error per tap.
func CheckFeatures[T feature.Float](t *testing.T, what string, net vgg.Network[T], w *weights.File, img []float64, h, wd int, pad vgg.Pad, tol float64) {
	t.Helper()
	want := Naive(w, img, h, wd, pad, net.Taps())
	x := make([]T, len(img))
	for i, v := range img {
		x[i] = T(v)
	}
	got, err := net.Forward(x, h, wd)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d taps, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !feature.SameShape(feature.Map[float64]{H: got[i].H, W: got[i].W, C: got[i].C}, want[i]) {
			t.Fatalf("%s tap %s: shape %dx%dx%d, want %dx%dx%d", what, net.Taps()[i],
				got[i].H, got[i].W, got[i].C, want[i].H, want[i].W, want[i].C)
		}
		g := make([]float64, len(got[i].Data))
		for j, v := range got[i].Data {
			g[j] = float64(v)
		}
		if e := floats.RelErr(g, want[i].Data); e > tol {
			t.Errorf("%s tap %s: relative error %g, want ≤ %g", what, net.Taps()[i], e, tol)
		}
	}
}

// CheckGradient compares net.Backward with central differences of Σ⟨F, U⟩ for random upstream
// gradients U, in float64, at about a hundred pixel values spread over the image (every 7th
// on small images).
func CheckGradient(t *testing.T, what string, net vgg.Network[float64], img []float64, h, w int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 3))
	feats, err := net.Forward(img, h, w)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	up := make([]feature.Map[float64], len(feats))
	for i, f := range feats {
		up[i] = feature.Map[float64]{H: f.H, W: f.W, C: f.C, Data: make([]float64, len(f.Data))}
		for j := range up[i].Data {
			up[i].Data[j] = rng.NormFloat64()
		}
	}
	grad := make([]float64, len(img))
	if err := net.Backward(up, grad); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	objective := func(x []float64) float64 {
		fs, err := net.Forward(x, h, w)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, f := range fs {
			for j, v := range f.Data {
				s += v * up[i].Data[j]
			}
		}
		return s
	}
	const eps = 1e-6
	x := append([]float64(nil), img...)
	worst := 0.0
	step := max(7, len(x)/110|1)
	for k := 0; k < len(x); k += step {
		x[k] = img[k] + eps
		fp := objective(x)
		x[k] = img[k] - eps
		fm := objective(x)
		x[k] = img[k]
		fd := (fp - fm) / (2 * eps)
		worst = math.Max(worst, math.Abs(fd-grad[k])/math.Max(1, math.Abs(fd)))
	}
	if worst > 1e-5 {
		t.Errorf("%s: gradient differs from finite differences by %g", what, worst)
	}
}

// Evaluate is one synthesis evaluation of img on net with the loss set: Forward, the loss and
// its gradient with respect to the taps, Backward. It returns the loss and the image gradient
// in float64.
func Evaluate[T feature.Float](t testing.TB, net vgg.Network[T], set *loss.Set[T], img []T, h, w int) (float64, []float64) {
	t.Helper()
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
