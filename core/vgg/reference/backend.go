package reference

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// backend is simplego wrapped so that what VGG's graph and its autodiff need works; one is
// shared by every Graph. Under js/wasm execution is sequential: simplego's worker pool
// deadlocks there. TEXSYNTH_SIMPLEGO passes a configuration string to simplego natively.
var backend = sync.OnceValues(func() (backends.Backend, error) {
	config := os.Getenv("TEXSYNTH_SIMPLEGO")
	if runtime.GOOS == "js" {
		config = "ops_sequential"
	}
	b, err := simplego.New(config)
	if err != nil {
		return nil, err
	}
	return &wrapped{Backend: b}, nil
})

// wrapped fills simplego v0.26's gaps: convolutions get strides filled in (simplego takes a
// missing stride as 0, and autodiff's gradient convolutions pass none), and Reverse and Pad
// exist (the conv input-gradient and Slice's gradient use them).
type wrapped struct{ backends.Backend }

func (b *wrapped) Builder(name string) backends.Builder {
	return &builder{Builder: b.Backend.Builder(name)}
}

type builder struct{ backends.Builder }

// ConvGeneral fills missing strides with 1, then runs simplego's own convolution.
func (b *builder) ConvGeneral(input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	strides []int, paddings [][2]int, inputDilations, kernelDilations []int,
	channelGroupCount, batchGroupCount int) (backends.Op, error) {
	if len(strides) == 0 {
		strides = slices.Repeat([]int{1}, len(axes.InputSpatial))
	}
	return b.Builder.ConvGeneral(input, kernel, axes, strides, paddings, inputDilations, kernelDilations,
		channelGroupCount, batchGroupCount)
}

// Reverse flips x along axes as size-1 slices concatenated in reverse order. Autodiff uses it
// only on 3×3 kernels, so the slices are few and small.
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

// Pad is edge padding (no interior padding) as the fill value broadcast to blocks concatenated
// before and after each axis; negative padding (cropping) becomes a Slice. Autodiff needs it:
// the gradient of a Slice is a Pad, and the reflect and circular borders are built from slices.
func (b *builder) Pad(x, fill backends.Op, axes ...backends.PadAxis) (backends.Op, error) {
	for axis, p := range axes {
		if p.Interior != 0 {
			return nil, fmt.Errorf("reference backend: Pad with interior padding is not supported")
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
