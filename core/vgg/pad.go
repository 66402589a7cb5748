package vgg

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// Pad is how a convolution sees beyond the image border.
type Pad string

const (
	// PadZero pads with zeros, as the seed (and VGG's training) did. Deep layers' receptive
	// fields see the zero border, which tints the synthesised border (the seed's Q6).
	PadZero Pad = "zero"
	// PadReflect mirrors the image at its border (without repeating the edge pixel).
	PadReflect Pad = "reflect"
	// PadCircular wraps around: every conv sees the opposite edge, so the output tiles
	// seamlessly.
	PadCircular Pad = "circular"
)

// ParsePad checks a padding name.
func ParsePad(s string) (Pad, error) {
	switch Pad(s) {
	case PadZero, PadReflect, PadCircular:
		return Pad(s), nil
	case "":
		return PadZero, nil
	}
	return "", fmt.Errorf("%w: unknown padding %q; use zero, reflect or circular", ErrTap, s)
}

// padSpatial extends x [N,H,W,C] by p on every side of both spatial axes with reflected or
// wrapped-around copies of its own rows and columns. It is built from slices and a
// concatenation, so autodiff routes the border's gradient back to where it came from.
func padSpatial(x *graph.Node, p int, mode Pad) *graph.Node {
	for _, axis := range []int{1, 2} {
		size := x.Shape().Dimensions[axis]
		row := func(i int) *graph.Node {
			spec := []graph.SliceAxisSpec{graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange()}
			spec[axis] = graph.AxisRange(i, i+1)
			return graph.Slice(x, spec...)
		}
		parts := make([]*graph.Node, 0, size+2*p)
		for i := p; i >= 1; i-- { // before the first row
			if mode == PadCircular {
				parts = append(parts, row(size-i))
			} else {
				parts = append(parts, row(i))
			}
		}
		parts = append(parts, x)
		for i := 1; i <= p; i++ { // after the last row
			if mode == PadCircular {
				parts = append(parts, row(i-1))
			} else {
				parts = append(parts, row(size-1-i))
			}
		}
		x = graph.Concatenate(parts, axis)
	}
	return x
}
