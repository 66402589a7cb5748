//go:build js && wasm

package gpu

import (
	"errors"
	"fmt"
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

// network is what core/vgg's Net and this package's have in common.
type network[T float32 | float64] interface {
	Features(img []T, h, w int) ([]loss.Map[T], error)
	Evaluate(img []T, h, w int, upstream func(feats []loss.Map[T]) ([]loss.Map[T], error)) ([]T, error)
}

// evaluate returns the loss of img of each kind (the exemplar's features from the same network
// are the targets) from one evaluation, and the image gradient of the first kind's loss.
func evaluate[T float32 | float64](t *testing.T, net network[T], kinds []loss.Kind, taps int, ex, img []T, h, wd int) ([]float64, []float64) {
	t.Helper()
	exF, err := net.Features(ex, h, wd)
	if err != nil {
		t.Fatal(err)
	}
	sets := make([]*loss.Set[T], len(kinds))
	for i, kind := range kinds {
		if sets[i], err = loss.New[T](loss.Options{Kind: kind, Seed: 3}, exF, uniform(taps)); err != nil {
			t.Fatal(err)
		}
	}
	values := make([]float64, len(kinds))
	grad, err := net.Evaluate(img, h, wd, func(feats []loss.Map[T]) ([]loss.Map[T], error) {
		var up []loss.Map[T]
		for i, set := range sets {
			u, g := upstreamFor(feats)
			var err error
			if values[i], err = set.Eval(feats, g); err != nil {
				return nil, err
			}
			if i == 0 {
				up = u
			}
		}
		return up, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, len(grad))
	for i, v := range grad {
		g[i] = float64(v)
	}
	return values, g
}

// reference is evaluate on core/vgg's float64 network, the path that the float64 loops of
// core/vgg's tests check.
func reference(t *testing.T, kinds []loss.Kind, w *weights.File, taps []string, pad vgg.Pad, ex, img []float64, h, wd int) ([]float64, []float64) {
	t.Helper()
	b, err := vgg.NewBackend(vgg.ConvFast)
	if err != nil {
		t.Fatal(err)
	}
	net, err := vgg.New[float64](b, w, taps, pad)
	if err != nil {
		t.Fatal(err)
	}
	return evaluate[float64](t, net, kinds, len(taps), ex, img, h, wd)
}

// compare checks the GPU's losses and first gradient against the reference's.
func compare(t *testing.T, what string, kinds []loss.Kind, got, want []float64, grad, wantGrad []float64) {
	t.Helper()
	ge := floats.RelErr(grad, wantGrad)
	for i, kind := range kinds {
		le := math.Abs(got[i]-want[i]) / math.Abs(want[i])
		if i == 0 {
			t.Logf("%s %s: loss %.6g (float64 %.6g), relative error: loss %.2g, gradient %.2g", what, kind, got[i], want[i], le, ge)
		} else {
			t.Logf("%s %s: loss %.6g (float64 %.6g), relative error: loss %.2g", what, kind, got[i], want[i], le)
		}
		if le > 1e-3 {
			t.Errorf("%s %s: loss relative error %g, want ≤ 1e-3", what, kind, le)
		}
	}
	if ge > 1e-3 {
		t.Errorf("%s %s: gradient relative error %g, want ≤ 1e-3", what, kinds[0], ge)
	}
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
			kinds := []loss.Kind{"sw"}
			want, wantGrad := reference(t, kinds, w, taps, pad, ex, img, h, wd)
			// The odd size runs both convolution kernels (the tiled one is the GPUs'), the
			// other the device's own.
			convs := []bool{!d.Emulated()}
			if h%2 == 1 {
				convs = []bool{false, true}
			}
			for _, tiled := range convs {
				net, err := build(d, testKernels(t, d, tiled), Stages(vgg.Taps()), w, taps, string(pad))
				if err != nil {
					t.Fatal(err)
				}
				got, grad := evaluate[float32](t, net, kinds, len(taps), floats.ToF32(ex), floats.ToF32(img), h, wd)
				net.Close()
				compare(t, fmt.Sprintf("%dx%d %s (tiled %v)", h, wd, pad, tiled), kinds, got, want, grad, wantGrad)
			}
		}
	}
}

// TestFullDepth: the untrained VGG-16 (the page's default weights) to relu4_3 with the default
// ten taps, at 24 px, against core/vgg in float64, for every padding: the sw and the gram loss,
// and the gram loss's image gradient. (Not sw's gradient: sorting makes its float32 error
// depend on near-ties between projections, and core/vgg's own float32 path differs from float64
// by up to 7e-3 on such inputs; the gram gradient, smooth, agrees to 1e-5 there.)
func TestFullDepth(t *testing.T) {
	d := device(t)
	w, err := weights.Random(0, "conv4_3")
	if err != nil {
		t.Fatal(err)
	}
	taps := vgg.DefaultTaps
	const h, wd = 24, 24
	ex, img := image(h, wd, 3), image(h, wd, 4)
	kinds := []loss.Kind{"gram", "sw"}
	for _, pad := range pads {
		want, wantGrad := reference(t, kinds, w, taps, pad, ex, img, h, wd)
		net, err := New(d, Stages(vgg.Taps()), w, taps, string(pad))
		if err != nil {
			t.Fatal(err)
		}
		got, grad := evaluate[float32](t, net, kinds, len(taps), floats.ToF32(ex), floats.ToF32(img), h, wd)
		net.Close()
		compare(t, fmt.Sprintf("VGG-16 %s", pad), kinds, got, want, grad, wantGrad)
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

// TestTooLarge: an image whose buffers exceed what the adapter can bind is refused with
// ErrDevice before anything is allocated, as an out-of-memory error would be.
func TestTooLarge(t *testing.T) {
	d := device(t)
	if _, err := d.storage([]int{16, d.maxBytes + 4}); !errors.Is(err, ErrDevice) {
		t.Fatalf("a buffer of %d bytes (the limit is %d): %v, want ErrDevice", d.maxBytes+4, d.maxBytes, err)
	} else {
		t.Logf("reported: %v", err)
	}
}
