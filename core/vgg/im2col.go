package vgg

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// im2colApplies tells whether a convolution is one the im2col path handles: 2-D, NHWC input and
// output, stride 1, no dilation, no grouping, no cropping (negative padding). VGG's convolutions
// and their input-gradient convolutions are all of this kind; anything else goes to simplego's
// own conv.
func im2colApplies(axes backends.ConvolveAxesConfig, strides []int, paddings [][2]int, inputDilations, kernelDilations []int, channelGroups, batchGroups int) bool {
	nhwc := func(batch, channels int, spatial []int) bool {
		return batch == 0 && channels == 3 && len(spatial) == 2 && spatial[0] == 1 && spatial[1] == 2
	}
	ones := func(v []int) bool {
		for _, x := range v {
			if x != 1 {
				return false
			}
		}
		return true
	}
	for _, p := range paddings {
		if p[0] < 0 || p[1] < 0 {
			return false
		}
	}
	return nhwc(axes.InputBatch, axes.InputChannels, axes.InputSpatial) &&
		nhwc(axes.OutputBatch, axes.OutputChannels, axes.OutputSpatial) &&
		ones(strides) && ones(inputDilations) && ones(kernelDilations) &&
		channelGroups <= 1 && batchGroups <= 1
}

// im2colConv computes the convolution as one matrix product: the kh·kw shifted windows of the
// zero-padded input are concatenated on the channel axis into an [N·H·W, kh·kw·C] matrix and
// multiplied by the kernel reshaped to [kh·kw·C, Cout]. Autodiff of graph-level Convolve
// builds convolutions too, so the backward pass takes this path as well.
func (b *builder) im2colConv(input, kernel backends.Op, axes backends.ConvolveAxesConfig, paddings [][2]int) (backends.Op, error) {
	in, err := b.OpShape(input)
	if err != nil {
		return nil, err
	}
	k, err := b.OpShape(kernel)
	if err != nil {
		return nil, err
	}
	// Kernel to [kh, kw, in, out], whatever its axes (the gradient conv swaps in and out).
	kernel, err = b.Transpose(kernel, axes.KernelSpatial[0], axes.KernelSpatial[1], axes.KernelInputChannels, axes.KernelOutputChannels)
	if err != nil {
		return nil, err
	}
	kh, kw := k.Dimensions[axes.KernelSpatial[0]], k.Dimensions[axes.KernelSpatial[1]]
	cin, cout := k.Dimensions[axes.KernelInputChannels], k.Dimensions[axes.KernelOutputChannels]
	n, c := in.Dimensions[0], in.Dimensions[3]
	if c != cin {
		return nil, fmt.Errorf("im2col conv: input has %d channels, kernel expects %d", c, cin)
	}

	for axis, p := range paddings {
		if input, err = b.padZeros(input, axis+1, p); err != nil {
			return nil, err
		}
	}
	padded, err := b.OpShape(input)
	if err != nil {
		return nil, err
	}
	hp, wp := padded.Dimensions[1], padded.Dimensions[2]
	h, w := hp-kh+1, wp-kw+1
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("im2col conv: %dx%d input too small for a %dx%d kernel", hp, wp, kh, kw)
	}

	cols := make([]backends.Op, 0, kh*kw)
	for i := range kh {
		for j := range kw {
			col, err := b.Slice(input, []int{0, i, j, 0}, []int{n, i + h, j + w, c}, []int{1, 1, 1, 1})
			if err != nil {
				return nil, err
			}
			cols = append(cols, col)
		}
	}
	patches, err := b.Concatenate(3, cols...)
	if err != nil {
		return nil, err
	}
	if patches, err = b.Reshape(patches, n*h*w, kh*kw*c); err != nil {
		return nil, err
	}
	if kernel, err = b.Reshape(kernel, kh*kw*c, cout); err != nil {
		return nil, err
	}
	out, err := b.DotGeneral(patches, []int{1}, nil, kernel, []int{0}, nil)
	if err != nil {
		return nil, err
	}
	return b.Reshape(out, n, h, w, cout)
}

// padZeros adds p[0] zero rows before and p[1] after x along axis.
func (b *builder) padZeros(x backends.Op, axis int, p [2]int) (backends.Op, error) {
	shape, err := b.OpShape(x)
	if err != nil {
		return nil, err
	}
	var zero backends.Op
	switch shape.DType {
	case dtypes.Float32:
		zero, err = b.Constant([]float32{0})
	case dtypes.Float64:
		zero, err = b.Constant([]float64{0})
	default:
		err = fmt.Errorf("im2col conv: unsupported dtype %s", shape.DType)
	}
	if err != nil {
		return nil, err
	}
	axes := make([]backends.PadAxis, shape.Rank())
	axes[axis] = backends.PadAxis{Start: p[0], End: p[1]}
	return b.Pad(x, zero, axes...)
}

func shapeSize(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}
