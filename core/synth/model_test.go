package synth

import (
	"errors"
	"math"
	"testing"

	"github.com/texsynth/texsynth/core/input"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/weights"
)

// checker is a 24 px two-colour check pattern: a texture with an obvious structure.
func checker() *picture.RGB {
	m := &picture.RGB{W: 24, H: 24, Pix: make([]float32, 24*24*3)}
	for y := range 24 {
		for x := range 24 {
			if (x/4+y/4)%2 == 0 {
				copy(m.Pix[(y*24+x)*3:], []float32{0.9, 0.2, 0.1})
			} else {
				copy(m.Pix[(y*24+x)*3:], []float32{0.1, 0.3, 0.8})
			}
		}
	}
	return m
}

func newModel(t *testing.T, s Settings) *Model {
	t.Helper()
	w, err := weights.Random(0, "conv2_2")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(w, checker(), s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func small(loss, opt string) Settings {
	s := Defaults()
	s.Size, s.Iters, s.Loss, s.Optimizer = 24, 8, loss, opt
	s.Layers = "conv1_1,pool1,conv2_1"
	s.Redraw = 10
	return s
}

// TestLossFalls runs every loss with both optimisers a few iterations: the loss falls and the
// image stays in [0,1].
func TestLossFalls(t *testing.T) {
	for _, loss := range []string{"sw", "gram", "emd", "emd-seed"} {
		for _, opt := range []string{"lbfgs", "adam"} {
			m := newModel(t, small(loss, opt))
			var first, last float64
			for !m.Done() {
				f, err := m.Step()
				if err != nil {
					t.Fatalf("%s/%s: %v", loss, opt, err)
				}
				if f.Iter == 1 {
					first = f.Loss
				}
				last = f.Loss
			}
			if !(last < first) || math.IsNaN(last) {
				t.Errorf("%s/%s: loss went from %g to %g", loss, opt, first, last)
			}
			for _, v := range m.Image().Pix {
				if v < 0 || v > 1 {
					t.Fatalf("%s/%s: pixel %g outside [0,1]", loss, opt, v)
				}
			}
			if _, err := m.Step(); err == nil {
				t.Errorf("%s/%s: Step after Done did not fail", loss, opt)
			}
		}
	}
}

func TestStartImageIsMeanPlusNoise(t *testing.T) {
	mean := [3]float32{0.5, 0.25, 0.75}
	x := startImage(mean, 32, 1, StartColour)
	var sum [3]float64
	for i, v := range x {
		sum[i%3] += float64(v)
	}
	for c := range 3 {
		if got := sum[c] / (32 * 32); math.Abs(got-float64(mean[c])) > 0.01 {
			t.Errorf("channel %d mean %g, want %g", c, got, mean[c])
		}
	}
	y := startImage(mean, 32, 1, StartColour)
	z := startImage(mean, 32, 2, StartColour)
	if x[7] != y[7] || x[7] == z[7] {
		t.Error("start noise is not determined by the seed")
	}
}

// A grey start has the same noise in the three channels (where none is clipped), a colour
// start noise of its own in each.
func TestStartImageGrey(t *testing.T) {
	mean := [3]float32{0.5, 0.45, 0.55}
	grey, colour := startImage(mean, 16, 3, StartGrey), startImage(mean, 16, 3, StartColour)
	same := func(x []float32, i int) bool {
		d0, d1, d2 := x[i]-mean[0], x[i+1]-mean[1], x[i+2]-mean[2]
		return math.Abs(float64(d0-d1)) < 1e-6 && math.Abs(float64(d0-d2)) < 1e-6
	}
	nGrey, nColour := 0, 0
	for i := 0; i < len(grey); i += 3 {
		if same(grey, i) {
			nGrey++
		}
		if same(colour, i) {
			nColour++
		}
	}
	if n := len(grey) / 3; nGrey < n*9/10 || nColour > 0 {
		t.Errorf("pixels with equal noise in every channel: grey %d, colour %d of %d", nGrey, nColour, n)
	}
}

func TestBadSettings(t *testing.T) {
	w, _ := weights.Random(0, "conv1_1")
	for _, mod := range []func(*Settings){
		func(s *Settings) { s.Size = 8 },
		func(s *Settings) { s.Iters = 0 },
		func(s *Settings) { s.Loss = "l2" },
		func(s *Settings) { s.Pad = "edge" },
		func(s *Settings) { s.GramNorm = "none" },
		func(s *Settings) { s.Optimizer = "sgd" },
		func(s *Settings) { s.Layers = "conv1_1,fc7" },
		func(s *Settings) { s.LayerWeights = "linear:x" },
		func(s *Settings) { s.Redraw = 0 },
		func(s *Settings) { s.Layers = "conv2_1" }, // deeper than the weights
		func(s *Settings) { s.Layers = "conv3_4" }, // a VGG-19 layer
		func(s *Settings) { s.Conv = "stock" },     // not linked into this test
		func(s *Settings) { s.Conv = "direct" },
	} {
		s := Defaults()
		s.Layers = "conv1_1"
		mod(&s)
		_, err := New(w, checker(), s)
		if err == nil {
			t.Errorf("settings %+v accepted", s)
		} else if !errors.Is(err, input.Err) {
			t.Errorf("settings %+v: %v is not an input error", s, err)
		}
	}
}
