package vgg

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/texsynth/texsynth/core/internal/floats"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/weights"
)

// tinyWeights is VGG-16 with tiny channel widths and random kernels and biases, up to conv3_1.
func tinyWeights(t testing.TB) *weights.File {
	t.Helper()
	widths := [][2]int{{3, 4}, {4, 9}, {9, 6}, {6, 10}, {10, 5}} // both fast conv kinds: thin (im2col) and shifted
	rng := rand.New(rand.NewPCG(7, 7))
	f := &weights.File{Pre: weights.ImageNet, Provenance: "test"}
	for i, wd := range widths {
		in, out := wd[0], wd[1]
		k := make([]float32, out*in*9)
		for j := range k {
			k[j] = float32(rng.NormFloat64() * math.Sqrt(2/float64(in*9)))
		}
		b := make([]float32, out)
		for j := range b {
			b[j] = float32(rng.NormFloat64() * 0.1)
		}
		l, err := weights.Quantize(ConvLayers[i], k, b, out, in, 3, 3)
		if err != nil {
			t.Fatal(err)
		}
		f.Layers = append(f.Layers, l)
	}
	return f
}

func randomImage(h, w int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := make([]float64, h*w*3)
	for i := range img {
		img[i] = rng.Float64()
	}
	return img
}

var testTaps = []string{"conv1_1", "pool1", "conv2_2", "pool2", "conv3_1"}

// reference is a plain float64 VGG forward pass: direct convolution loops, explicit padding.
func reference(w *weights.File, img []float64, h, wd int, pad Pad, taps []string) []loss.Map[float64] {
	want := map[string]bool{}
	deepest := 0
	for _, t := range taps {
		i, _ := stageIndex(t)
		want[stages[i].name] = true
		deepest = max(deepest, i+1)
	}
	c := 3
	x := make([]float64, len(img))
	p := w.Pre
	for i, v := range img {
		ch := i % 3
		src := ch
		if p.Order == "bgr" {
			src = 2 - ch
		}
		x[i] = img[i-ch+src]*(float64(p.Scale)/float64(p.Std[ch])) - float64(p.Mean[ch])/float64(p.Std[ch])
		_ = v
	}
	var out []loss.Map[float64]
	conv := 0
	for _, s := range stages[:deepest] {
		if s.pool {
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
			l := &w.Layers[conv]
			conv++
			kern := l.Kernel()
			y := make([]float64, h*wd*l.Out)
			at := func(i, j, k int) float64 {
				switch pad {
				case PadZero:
					if i < 0 || i >= h || j < 0 || j >= wd {
						return 0
					}
				case PadReflect:
					i, j = reflect(i, h), reflect(j, wd)
				case PadCircular:
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
		if want[s.name] {
			out = append(out, loss.Map[float64]{H: h, W: wd, C: c, Data: append([]float64(nil), x...)})
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

func TestFeaturesMatchReference(t *testing.T) {
	w := tinyWeights(t)
	h, wd := 12, 10
	img := randomImage(h, wd, 1)
	for _, conv := range []Conv{ConvFast, ConvStock} {
		backend, err := NewBackend(conv)
		if err != nil {
			t.Fatal(err)
		}
		for _, pad := range []Pad{PadZero, PadReflect, PadCircular} {
			want := reference(w, img, h, wd, pad, testTaps)
			net, err := New[float64](backend, w, testTaps, pad)
			if err != nil {
				t.Fatal(err)
			}
			got, err := net.Features(img, h, wd)
			if err != nil {
				t.Fatal(err)
			}
			net32, err := New[float32](backend, w, testTaps, pad)
			if err != nil {
				t.Fatal(err)
			}
			got32, err := net32.Features(floats.ToF32(img), h, wd)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if got[i].H != want[i].H || got[i].W != want[i].W || got[i].C != want[i].C {
					t.Fatalf("%s %s tap %s: shape %dx%dx%d, want %dx%dx%d", conv, pad, testTaps[i],
						got[i].H, got[i].W, got[i].C, want[i].H, want[i].W, want[i].C)
				}
				if e := floats.RelErr(got[i].Data, want[i].Data); e > 1e-12 {
					t.Errorf("%s %s tap %s: float64 relative error %g", conv, pad, testTaps[i], e)
				}
				if e := floats.RelErr(floats.Widen(got32[i].Data), want[i].Data); e > 1e-5 {
					t.Errorf("%s %s tap %s: float32 relative error %g", conv, pad, testTaps[i], e)
				}
			}
		}
	}
}

// TestGradientFiniteDifference checks ∂Σ⟨F,U⟩/∂img against central differences in float64, for
// every padding and both conv paths.
func TestGradientFiniteDifference(t *testing.T) {
	w := tinyWeights(t)
	h, wd := 8, 8
	img := randomImage(h, wd, 2)
	rng := rand.New(rand.NewPCG(3, 3))
	for _, conv := range []Conv{ConvFast, ConvStock} {
		backend, err := NewBackend(conv)
		if err != nil {
			t.Fatal(err)
		}
		for _, pad := range []Pad{PadZero, PadReflect, PadCircular} {
			net, err := New[float64](backend, w, testTaps, pad)
			if err != nil {
				t.Fatal(err)
			}
			feats, err := net.Features(img, h, wd)
			if err != nil {
				t.Fatal(err)
			}
			up := make([]loss.Map[float64], len(feats))
			for i, f := range feats {
				up[i] = loss.Map[float64]{H: f.H, W: f.W, C: f.C, Data: make([]float64, len(f.Data))}
				for j := range up[i].Data {
					up[i].Data[j] = rng.NormFloat64()
				}
			}
			objective := func(x []float64) float64 {
				fs, err := net.Features(x, h, wd)
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
			grad, err := net.Gradient(img, h, wd, up)
			if err != nil {
				t.Fatal(err)
			}
			const eps = 1e-6
			x := append([]float64(nil), img...)
			worst := 0.0
			for k := 0; k < len(x); k += 7 {
				x[k] = img[k] + eps
				fp := objective(x)
				x[k] = img[k] - eps
				fm := objective(x)
				x[k] = img[k]
				fd := (fp - fm) / (2 * eps)
				e := math.Abs(fd-grad[k]) / math.Max(1, math.Abs(fd))
				worst = math.Max(worst, e)
			}
			if worst > 1e-5 {
				t.Errorf("%s %s: gradient differs from finite differences by %g", conv, pad, worst)
			}
		}
	}
}

// TestCircularIsShiftEquivariant: with circular padding a shifted image gives shifted features,
// which is what makes the output tile.
func TestCircularIsShiftEquivariant(t *testing.T) {
	w := tinyWeights(t)
	h, wd := 8, 8
	img := randomImage(h, wd, 4)
	shifted := make([]float64, len(img))
	for i := range h {
		for j := range wd {
			copy(shifted[(((i+4)%h)*wd+(j+4)%wd)*3:][:3], img[(i*wd+j)*3:][:3])
		}
	}
	backend, err := NewBackend(ConvFast)
	if err != nil {
		t.Fatal(err)
	}
	net, err := New[float64](backend, w, []string{"conv2_2"}, PadCircular)
	if err != nil {
		t.Fatal(err)
	}
	a, err := net.Features(img, h, wd)
	if err != nil {
		t.Fatal(err)
	}
	b, err := net.Features(shifted, h, wd)
	if err != nil {
		t.Fatal(err)
	}
	f, g := a[0], b[0] // 4×4, shifted by 2
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

func TestNewRefusesMissingLayers(t *testing.T) {
	backend, err := NewBackend(ConvFast)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New[float32](backend, tinyWeights(t), []string{"conv4_1"}, PadZero); err == nil {
		t.Fatal("a tap deeper than the weights was accepted")
	}
}

func TestParseTaps(t *testing.T) {
	got, err := ParseTaps("pool1, relu1_1,conv1_1")
	if err != nil || len(got) != 2 || got[0] != "conv1_1" || got[1] != "pool1" {
		t.Fatalf("ParseTaps = %v, %v", got, err)
	}
	if _, err := ParseTaps("conv6_1"); err == nil {
		t.Fatal("conv6_1 accepted")
	}
	if got, _ := ParseTaps("all"); len(got) != 13 {
		t.Fatalf("all = %v", got)
	}
}
