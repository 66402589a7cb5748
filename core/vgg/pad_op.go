package vgg

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Pad implements simplego's missing Pad op for edge padding (no interior padding), as the
// fill value broadcast to blocks concatenated before and after each axis. Autodiff needs it:
// the gradient of a Slice is a Pad, and the reflect and circular borders are built from slices.
// Negative padding (cropping) becomes a Slice.
func (b *builder) Pad(x, fill backends.Op, axes ...backends.PadAxis) (backends.Op, error) {
	for axis, p := range axes {
		if p.Interior != 0 {
			return nil, fmt.Errorf("vgg backend: Pad with interior padding is not supported")
		}
		shape, err := b.OpShape(x)
		if err != nil {
			return nil, err
		}
		if p.Start < 0 || p.End < 0 {
			starts := make([]int, shape.Rank())
			limits := slices.Clone(shape.Dimensions)
			strides := slices.Repeat([]int{1}, shape.Rank())
			starts[axis] = max(-p.Start, 0)
			limits[axis] -= max(-p.End, 0)
			if x, err = b.Slice(x, starts, limits, strides); err != nil {
				return nil, err
			}
			p.Start, p.End = max(p.Start, 0), max(p.End, 0)
			if shape, err = b.OpShape(x); err != nil {
				return nil, err
			}
		}
		parts := []backends.Op{}
		block := func(n int) error {
			dims := slices.Clone(shape.Dimensions)
			dims[axis] = n
			op, err := b.BroadcastInDim(fill, shapes.Make(shape.DType, dims...), nil)
			if err == nil {
				parts = append(parts, op)
			}
			return err
		}
		if p.Start > 0 {
			if err := block(p.Start); err != nil {
				return nil, err
			}
		}
		parts = append(parts, x)
		if p.End > 0 {
			if err := block(p.End); err != nil {
				return nil, err
			}
		}
		if len(parts) > 1 {
			if x, err = b.Concatenate(axis, parts...); err != nil {
				return nil, err
			}
		}
	}
	return x, nil
}
