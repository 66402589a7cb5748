//go:build js && wasm

package gpu

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/texsynth/texsynth/core/internal/floats"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// narrow is VGG-16's first nine layers with a few channels each and random biases: both the
// thin first layer and layers wider than a workgroup's 64-channel tile (conv2_2: 70).
func narrow(t testing.TB) *weights.File {
	t.Helper()
	w, err := weights.RandomLayers(11, []weights.LayerSpec{
		{Name: "conv1_1", In: 3, Out: 8}, {Name: "conv1_2", In: 8, Out: 5},
		{Name: "conv2_1", In: 5, Out: 12}, {Name: "conv2_2", In: 12, Out: 70},
		{Name: "conv3_1", In: 70, Out: 9}, {Name: "conv3_2", In: 9, Out: 9}, {Name: "conv3_3", In: 9, Out: 16},
		{Name: "conv4_1", In: 16, Out: 6}, {Name: "conv4_2", In: 6, Out: 6}, {Name: "conv4_3", In: 6, Out: 7},
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range w.Layers {
		for j := range w.Layers[i].Bias {
			w.Layers[i].Bias[j] = float32(rng.NormFloat64() * 0.1)
		}
	}
	return w
}

func image(h, w int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := make([]float64, h*w*3)
	for i := range img {
		img[i] = rng.Float64()
	}
	return img
}

// evaluation is a loss and its image gradient.
type evaluation struct {
	loss float64
	grad []float64
}

// reference evaluates the sw loss of img on core/vgg's float64 network (the path the float64
// loops of core/vgg's tests check) with the exemplar's features from the same network.
func reference(t *testing.T, w *weights.File, taps []string, pad vgg.Pad, ex, img []float64, h, wd int) evaluation {
	t.Helper()
	b, err := vgg.NewBackend(vgg.ConvFast)
	if err != nil {
		t.Fatal(err)
	}
	net, err := vgg.New[float64](b, w, taps, pad)
	if err != nil {
		t.Fatal(err)
	}
	exF, err := net.Features(ex, h, wd)
	if err != nil {
		t.Fatal(err)
	}
	set, err := loss.New[float64](loss.Options{Kind: "sw", Seed: 3}, exF, uniform(len(taps)))
	if err != nil {
		t.Fatal(err)
	}
	var e evaluation
	e.grad, err = net.Evaluate(img, h, wd, func(feats []loss.Map[float64]) ([]loss.Map[float64], error) {
		up, g := upstreamFor(feats)
		var err error
		e.loss, err = set.Eval(feats, g)
		return up, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// onGPU is reference on a gpu.Net.
func onGPU(t *testing.T, net *Net, taps []string, ex, img []float64, h, wd int) evaluation {
	t.Helper()
	exF, err := net.Features(floats.ToF32(ex), h, wd)
	if err != nil {
		t.Fatal(err)
	}
	set, err := loss.New[float32](loss.Options{Kind: "sw", Seed: 3}, exF, uniform(len(taps)))
	if err != nil {
		t.Fatal(err)
	}
	var e evaluation
	grad, err := net.Evaluate(floats.ToF32(img), h, wd, func(feats []loss.Map[float32]) ([]loss.Map[float32], error) {
		up, g := upstreamFor(feats)
		var err error
		e.loss, err = set.Eval(feats, g)
		return up, err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.grad = floats.Widen(grad)
	return e
}

func upstreamFor[T float32 | float64](feats []loss.Map[T]) ([]loss.Map[T], [][]T) {
	up := make([]loss.Map[T], len(feats))
	g := make([][]T, len(feats))
	for i, f := range feats {
		g[i] = make([]T, len(f.Data))
		up[i] = loss.Map[T]{H: f.H, W: f.W, C: f.C, Data: g[i]}
	}
	return up, g
}

func uniform(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

var pads = []vgg.Pad{vgg.PadZero, vgg.PadReflect, vgg.PadCircular}

// TestNetMatchesReference: the sw loss and its image gradient on the GPU (float32) match core/vgg
// in float64 to 1e-3 relative, for every padding, with taps at convolutions and pools, on a
// square and an odd-sized image.
func TestNetMatchesReference(t *testing.T) {
	d := device(t)
	w := narrow(t)
	taps := []string{"conv1_1", "pool1", "conv2_2", "conv3_1", "pool3", "conv4_3"}
	for _, size := range [][2]int{{32, 32}, {21, 27}} {
		h, wd := size[0], size[1]
		ex, img := image(h, wd, 1), image(h, wd, 2)
		for _, pad := range pads {
			want := reference(t, w, taps, pad, ex, img, h, wd)
			net, err := New(d, Stages(vgg.Taps()), w, taps, string(pad))
			if err != nil {
				t.Fatal(err)
			}
			got := onGPU(t, net, taps, ex, img, h, wd)
			le := math.Abs(got.loss-want.loss) / math.Abs(want.loss)
			ge := floats.RelErr(got.grad, want.grad)
			t.Logf("%dx%d %s: loss %.6g (float64 %.6g), relative error: loss %.2g, gradient %.2g", h, wd, pad, got.loss, want.loss, le, ge)
			if le > 1e-3 || ge > 1e-3 {
				t.Errorf("%dx%d %s: relative error loss %g, gradient %g, want ≤ 1e-3", h, wd, pad, le, ge)
			}
		}
	}
}

// TestDeviceLoss: once the device is gone, Evaluate reports ErrDevice (the caller's cue to fall
// back) and keeps reporting it.
func TestDeviceLoss(t *testing.T) {
	device(t)
	d, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	w := narrow(t)
	taps := []string{"conv1_2", "conv2_1"}
	net, err := New(d, Stages(vgg.Taps()), w, taps, "reflect")
	if err != nil {
		t.Fatal(err)
	}
	img := floats.ToF32(image(16, 16, 3))
	up := func(feats []loss.Map[float32]) ([]loss.Map[float32], error) {
		u, _ := upstreamFor(feats)
		return u, nil
	}
	if _, err := net.Evaluate(img, 16, 16, up); err != nil {
		t.Fatalf("before the loss: %v", err)
	}
	d.Destroy()
	for range 2 {
		_, err := net.Evaluate(img, 16, 16, up)
		if !errors.Is(err, ErrDevice) {
			t.Fatalf("after the device was destroyed: %v, want ErrDevice", err)
		}
		t.Logf("reported: %v", err)
	}
	if _, err := New(d, Stages(vgg.Taps()), w, taps, "zero"); !errors.Is(err, ErrDevice) {
		t.Fatalf("New on a destroyed device: %v, want ErrDevice", err)
	}
}
