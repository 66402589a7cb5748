package vgg

import (
	"fmt"
	"slices"
	"strings"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/weights"
)

// Network is VGG's feature part on one engine, built up to the deepest tap in use: the forward
// pass to the taps, and the backward pass from ∂loss/∂taps to ∂loss/∂image. The loss is not the
// network's business: the caller reads the features Forward returns, computes the loss and its
// gradient on the host (core/loss) and hands that gradient to Backward. Keeping the two passes
// apart is what lets an engine that runs elsewhere (a GPU driven from Go) read the features back
// and take the gradient in between, and lets a caller evaluate a large image tile by tile
// (forward every tile, one loss over all of them, then backward every tile).
//
// A Network is not safe for concurrent use: Forward keeps what Backward needs.
type Network[T feature.Float] interface {
	// Taps names the tap outputs in the order Forward returns them: canonical names, network
	// order.
	Taps() []string
	// Forward runs the network on img (h×w×3, row-major RGB in [0,1]) and returns one map per
	// tap. The maps may be the network's own buffers: read them before the next Forward and do
	// not write them.
	Forward(img []T, h, w int) ([]feature.Map[T], error)
	// Backward writes into grad (h·w·3 values, overwritten) the gradient with respect to the
	// image of the last Forward of Σ_tap ⟨F_tap, upstream_tap⟩, where upstream has one map per
	// tap, shaped as Forward returned them.
	Backward(upstream []feature.Map[T], grad []T) error
}

// Conv names an engine: how the network is evaluated (Settings.Conv, the command's -conv).
type Conv string

const (
	// ConvFast is this package's engine: hand-written forward and backward passes, Winograd
	// F(4×4,3×3), the vector kernels of core/gemm. What synthesis runs by default.
	ConvFast Conv = "fast"
	// ConvStock is the GoMLX graph with simplego's own convolution and GoMLX's autodiff
	// (core/vgg/reference): the specification, minutes per evaluation at 128 px. It is linked
	// only into programs that import core/vgg/reference (the command line, the bench, tests).
	ConvStock Conv = "stock"
)

// known describes the engines this project has, linked or not, for error messages.
var known = map[Conv]string{
	ConvFast:  "the hand-written kernels",
	ConvStock: "the GoMLX reference, core/vgg/reference",
}

// Builder builds a float32 network of one engine for synthesis from a weights file, canonical
// tap names (Arch.ParseTaps) and a padding mode.
type Builder func(w *weights.File, taps []string, pad Pad) (Network[float32], error)

// engines are the engines linked into this program; Register adds to it from init functions,
// so it is only read once main runs.
var engines = map[Conv]Builder{
	ConvFast: func(w *weights.File, taps []string, pad Pad) (Network[float32], error) {
		return NewFast[float32](w, taps, pad)
	},
}

// Register makes an engine available to Build and ParseConv under a name. It is meant for the
// init function of the engine's package, the way image formats register with package image, so
// that a program links only the engines it imports; registering a name twice panics.
func Register(c Conv, b Builder) {
	if _, dup := engines[c]; dup {
		panic("vgg: engine " + string(c) + " registered twice")
	}
	engines[c] = b
}

// Engines lists the engines linked into this program, by name in sorted order: what ParseConv
// accepts.
func Engines() []string {
	names := make([]string, 0, len(engines))
	for n := range engines {
		names = append(names, string(n))
	}
	slices.Sort(names)
	return names
}

// ParseConv checks an engine name against the engines linked into this program; "" is ConvFast.
func ParseConv(s string) (Conv, error) {
	c := Conv(strings.TrimSpace(strings.ToLower(s)))
	if c == "" {
		return ConvFast, nil
	}
	if _, ok := engines[c]; ok {
		return c, nil
	}
	names := Engines()
	if what, ok := known[c]; ok {
		return "", fmt.Errorf("conv path %q (%s) is not built into this program; use %s", s, what, strings.Join(names, " or "))
	}
	return "", fmt.Errorf("unknown conv path %q; use %s", s, strings.Join(names, " or "))
}

// Build returns a float32 network of the engine c for the taps, on the weights' architecture.
func Build(c Conv, w *weights.File, taps []string, pad Pad) (Network[float32], error) {
	b, ok := engines[c]
	if !ok {
		_, err := ParseConv(string(c))
		return nil, err
	}
	return b(w, taps, pad)
}
