package vgg

import (
	"fmt"
	"os"
	"runtime"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// Conv selects how convolutions are executed.
type Conv string

const (
	// ConvFast runs the network with hand-written Go kernels (packed, register-blocked matrix
	// products over shifted views of the padded input; one forward and one hand-written
	// backward per evaluation) instead of GoMLX graphs. The default. Graph code built on this
	// backend by others gets the ConvGraph convolution.
	ConvFast Conv = "fast"
	// ConvWinograd2 is ConvFast with Winograd F(2×2,3×3) tiles instead of F(4×4,3×3).
	ConvWinograd2 Conv = "winograd2"
	// ConvDirect is ConvFast without Winograd: every conv is 9 shifted matrix products.
	ConvDirect Conv = "direct"
	// ConvGraph runs every convolution as im2col (shifted slices concatenated on the channel
	// axis) followed by one simplego DotGeneral, inside the GoMLX graph, with autodiff.
	ConvGraph Conv = "im2col"
	// ConvStock runs simplego's own ConvGeneral: the reference path.
	ConvStock Conv = "stock"
)

// ParseConv checks a conv path name.
func ParseConv(s string) (Conv, error) {
	switch Conv(s) {
	case ConvFast, "":
		return ConvFast, nil
	case ConvStock, ConvGraph, ConvDirect, ConvWinograd2:
		return Conv(s), nil
	}
	return "", fmt.Errorf("unknown conv path %q: use fast, winograd2, direct, im2col or stock", s)
}

// NewBackend returns simplego wrapped so that what VGG needs works: convolutions get strides
// filled in (simplego takes a missing stride as 0, and autodiff's gradient convolutions pass
// none), Reverse and Pad exist (the conv input-gradient and Slice's gradient use them), and conv
// selects the conv path: New builds ConvFast, ConvWinograd2 and ConvDirect networks from
// hand-written kernels (no graph), the others as GoMLX graphs. Under js/wasm execution is
// sequential: simplego's worker pool deadlocks there.
func NewBackend(conv Conv) (backends.Backend, error) {
	config := os.Getenv("TEXSYNTH_SIMPLEGO")
	if runtime.GOOS == "js" {
		config = "ops_sequential"
	}
	b, err := simplego.New(config)
	if err != nil {
		return nil, err
	}
	return &wrapped{Backend: b, conv: conv}, nil
}

type wrapped struct {
	backends.Backend
	conv Conv
}

func (b *wrapped) Builder(name string) backends.Builder {
	return &builder{Builder: b.Backend.Builder(name), conv: b.conv}
}

// builder embeds simplego's builder and replaces the two ops it lacks or gets wrong for us.
type builder struct {
	backends.Builder
	conv Conv
}

// Reverse flips x along axes as size-1 slices concatenated in reverse order. It is only used
// on 3×3 kernels, so the slices are few and small.
func (b *builder) Reverse(x backends.Op, axes ...int) (backends.Op, error) {
	for _, axis := range axes {
		shape, err := b.OpShape(x)
		if err != nil {
			return nil, err
		}
		dims := shape.Dimensions
		parts := make([]backends.Op, dims[axis])
		for i := range dims[axis] {
			starts := make([]int, len(dims))
			limits := slices.Clone(dims)
			strides := slices.Repeat([]int{1}, len(dims))
			starts[axis], limits[axis] = dims[axis]-1-i, dims[axis]-i
			if parts[i], err = b.Slice(x, starts, limits, strides); err != nil {
				return nil, err
			}
		}
		if x, err = b.Concatenate(axis, parts...); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// ConvGeneral fills missing strides, then runs the selected conv path.
func (b *builder) ConvGeneral(input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	strides []int, paddings [][2]int, inputDilations, kernelDilations []int,
	channelGroupCount, batchGroupCount int) (backends.Op, error) {
	spatial := len(axes.InputSpatial)
	if len(strides) == 0 {
		strides = slices.Repeat([]int{1}, spatial)
	}
	if b.conv != ConvStock && im2colApplies(axes, strides, paddings, inputDilations, kernelDilations, channelGroupCount, batchGroupCount) {
		return b.im2colConv(input, kernel, axes, paddings)
	}
	return b.Builder.ConvGeneral(input, kernel, axes, strides, paddings, inputDilations, kernelDilations,
		channelGroupCount, batchGroupCount)
}
