package gpu

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/internal/vggtest"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
)

// failing stands for a GPU network: it is the fast engine, until its call number failAt (Forward
// and Backward counted together), from which on it reports a lost device, as a *Net does.
type failing struct {
	vgg.Network[float32]
	calls, failAt int
	closed        bool
}

func (f *failing) Forward(img []float32, h, w int) ([]feature.Map[float32], error) {
	if f.calls++; f.calls >= f.failAt {
		return nil, fmt.Errorf("%w: the GPU device was lost (destroyed)", ErrDevice)
	}
	return f.Network.Forward(img, h, w)
}

func (f *failing) Backward(up []feature.Map[float32], grad []float32) error {
	if f.calls++; f.calls >= f.failAt {
		return fmt.Errorf("%w: the GPU device was lost (destroyed)", ErrDevice)
	}
	return f.Network.Backward(up, grad)
}

func (f *failing) Close() { f.closed = true }

// TestFallback: a device lost in the forward pass, in the backward pass (its forward done on the
// GPU), or never, leaves every evaluation's loss and gradient what the backup engine alone
// gives, and the switch is made and told once.
func TestFallback(t *testing.T) {
	w := vggtest.Tiny(t, vgg.VGG16, "conv2_2")
	taps := []string{"conv1_1", "pool1", "conv2_2"}
	fast := func() (vgg.Network[float32], error) { return vgg.NewFast[float32](w, taps, vgg.PadReflect) }
	const h, wd = 20, 24
	images := make([][]float32, 3)
	for i := range images {
		for _, v := range vggtest.Image(h, wd, uint64(i+1)) {
			images[i] = append(images[i], float32(v))
		}
	}
	ref, _ := fast()
	exF, err := ref.Forward(images[0], h, wd)
	if err != nil {
		t.Fatal(err)
	}
	set, err := loss.New[float32](loss.Options{Kind: "gram"}, exF, []float64{1, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	type eval struct {
		value float64
		grad  []float64
	}
	var want []eval
	for _, img := range images {
		v, g := vggtest.Evaluate(t, ref, set, img, h, wd)
		want = append(want, eval{v, g})
	}
	for _, failAt := range []int{1, 3, 4, 100} { // the first forward, the second's forward, its backward, never
		t.Run(fmt.Sprint("call ", failAt), func(t *testing.T) {
			inner, _ := fast()
			gpu := &failing{Network: inner, failAt: failAt}
			told := 0
			var f *Fallback
			f = NewFallback(gpu, fast, func(reason error) {
				told++
				if !errors.Is(reason, ErrDevice) {
					t.Errorf("told %v, not the device's error", reason)
				}
			})
			for i, img := range images {
				v, g := vggtest.Evaluate(t, f, set, img, h, wd)
				if v != want[i].value || !slices.Equal(g, want[i].grad) {
					t.Errorf("evaluation %d: loss %v, want %v (or the gradient differs)", i, v, want[i].value)
				}
			}
			fell := failAt <= 2*len(images)
			if (told == 1) != fell || told > 1 || (f.Reason() != nil) != fell || gpu.closed != fell {
				t.Errorf("told %d times, reason %v, closed %v; want a switch: %v", told, f.Reason(), gpu.closed, fell)
			}
			if !slices.Equal(f.Taps(), taps) {
				t.Errorf("taps %v", f.Taps())
			}
		})
	}
}

// TestFallbackOtherErrors: an error that is not the device's is the caller's, with no switch;
// a backup that cannot be built is said with the GPU's error.
func TestFallbackOtherErrors(t *testing.T) {
	w := vggtest.Tiny(t, vgg.VGG16, "conv1_2")
	inner, err := vgg.NewFast[float32](w, []string{"conv1_2"}, vgg.PadZero)
	if err != nil {
		t.Fatal(err)
	}
	built := 0
	f := NewFallback(inner, func() (vgg.Network[float32], error) { built++; return nil, errors.New("no memory") }, nil)
	if _, err := f.Forward(make([]float32, 5), 4, 4); err == nil || errors.Is(err, ErrDevice) || built != 0 {
		t.Errorf("a bad image: %v, built %d", err, built)
	}
	g := NewFallback(&failing{Network: inner, failAt: 1}, f.build, nil)
	if _, err := g.Forward(make([]float32, 48), 4, 4); !errors.Is(err, ErrDevice) || built != 1 {
		t.Errorf("no backup: %v, built %d", err, built)
	}
}
