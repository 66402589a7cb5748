package gpu

import (
	"errors"
	"fmt"
	"slices"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/vgg"
)

// Fallback is a network that runs on the GPU and, the first time the GPU fails (an error
// wrapping ErrDevice: a lost device, out of memory, a refused shader), builds another engine
// and goes on there. The evaluation the failure interrupted is run again on the new engine, so
// its caller — the optimiser, in the middle of a step or a line search — gets its answer as if
// nothing had happened: the run keeps its image, its iteration count and its optimiser state,
// and only the engine changes. The two engines agree to float32 rounding (the tests hold them
// to the same float64 reference), so the switch is no jump in the objective.
type Fallback struct {
	gpu    vgg.Network[float32] // nil once fallen back
	build  func() (vgg.Network[float32], error)
	backup vgg.Network[float32]
	fell   func(reason error)
	reason error

	// The last Forward's image: Backward needs it when the GPU fails between the two passes.
	img  []float32
	h, w int
}

var _ vgg.Network[float32] = (*Fallback)(nil)

// NewFallback wraps net (a *Net, or any network whose failures wrap ErrDevice); build makes
// the engine to go on with, and fell, if not nil, is told why once the switch is made.
func NewFallback(net vgg.Network[float32], build func() (vgg.Network[float32], error), fell func(reason error)) *Fallback {
	return &Fallback{gpu: net, build: build, fell: fell}
}

// Reason is the GPU's error that made the network fall back, or nil while it runs on the GPU.
func (f *Fallback) Reason() error { return f.reason }

// Taps names the taps, the same on both engines.
func (f *Fallback) Taps() []string {
	if f.backup != nil {
		return f.backup.Taps()
	}
	return f.gpu.Taps()
}

// Forward runs the GPU's forward pass, or the backup's once the GPU has failed.
func (f *Fallback) Forward(img []float32, h, w int) ([]feature.Map[float32], error) {
	f.img, f.h, f.w = append(f.img[:0], img...), h, w
	if f.backup == nil {
		feats, err := f.gpu.Forward(img, h, w)
		if !errors.Is(err, ErrDevice) {
			return feats, err
		}
		if err := f.fall(err); err != nil {
			return nil, err
		}
	}
	return f.backup.Forward(img, h, w)
}

// Backward runs the GPU's backward pass; if the GPU fails now, the backup runs the last
// Forward's image forward first, so that its backward pass has the activations it needs.
func (f *Fallback) Backward(upstream []feature.Map[float32], grad []float32) error {
	if f.backup == nil {
		err := f.gpu.Backward(upstream, grad)
		if !errors.Is(err, ErrDevice) {
			return err
		}
		if err := f.fall(err); err != nil {
			return err
		}
		feats, err := f.backup.Forward(f.img, f.h, f.w)
		if err != nil {
			return err
		}
		if !sameShapes(feats, upstream) {
			return fmt.Errorf("gpu: the fallback engine's taps are not the GPU's")
		}
	}
	return f.backup.Backward(upstream, grad)
}

// Close frees the GPU network's buffers (if it has them: a *Net) while it is in use.
func (f *Fallback) Close() {
	if c, ok := f.gpu.(interface{ Close() }); ok {
		c.Close()
	}
}

func (f *Fallback) fall(reason error) error {
	b, err := f.build()
	if err != nil {
		return fmt.Errorf("%w; the fallback engine cannot be built either: %v", reason, err)
	}
	f.Close()
	f.gpu, f.backup, f.reason = nil, b, reason
	if f.fell != nil {
		f.fell(reason)
	}
	return nil
}

func sameShapes(a, b []feature.Map[float32]) bool {
	return slices.EqualFunc(a, b, func(x, y feature.Map[float32]) bool { return x.H == y.H && x.W == y.W && x.C == y.C })
}
