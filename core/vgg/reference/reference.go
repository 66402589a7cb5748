// Package reference is VGG as a GoMLX graph on GoMLX's pure-Go backend (simplego), differentiated
// by GoMLX's autodiff: the specification of the network. Every engine (the fast one in core/vgg,
// and any other) is tested against it, and it is the "stock" conv path of the command line and
// the bench. It is slow — simplego's convolution is a plain loop, minutes per evaluation at
// 128 px — and only programs that import this package link it (the page's worker does not).
//
// Importing the package registers it with core/vgg as vgg.ConvStock.
package reference

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

func init() {
	vgg.Register(vgg.ConvStock, func(w *weights.File, taps []string, pad vgg.Pad) (vgg.Network[float32], error) {
		return New[float32](w, taps, pad)
	})
}

// Graph is the network as two compiled GoMLX graphs: image → taps, and (image, ∂loss/∂taps) →
// ∂loss/∂image by autodiff. It implements vgg.Network.
type Graph[T feature.Float] struct {
	plan     *vgg.Plan
	kernels  []*tensors.Tensor // per stage: HWIO, nil for a pool
	biases   []*tensors.Tensor // per stage: [1,1,1,Cout]
	features *graph.Exec
	gradient *graph.Exec

	img  []T // the last Forward's image, which Backward differentiates at
	h, w int
}

// New builds the graphs for the taps (canonical names) from the weights (vgg.NewPlan checks
// both).
func New[T feature.Float](w *weights.File, taps []string, pad vgg.Pad) (*Graph[T], error) {
	p, err := vgg.NewPlan(w, taps, pad)
	if err != nil {
		return nil, err
	}
	b, err := backend()
	if err != nil {
		return nil, err
	}
	g := &Graph[T]{plan: p, kernels: make([]*tensors.Tensor, len(p.Stages)), biases: make([]*tensors.Tensor, len(p.Stages))}
	for i, l := range p.Layers {
		if l != nil {
			g.kernels[i] = tensors.FromFlatDataAndDimensions(hwio[T](l), l.KH, l.KW, l.In, l.Out)
			bias := make([]T, l.Out)
			for o, v := range l.Bias {
				bias[o] = T(v)
			}
			g.biases[i] = tensors.FromFlatDataAndDimensions(bias, 1, 1, 1, l.Out)
		}
	}
	if g.features, err = graph.NewExec(b, g.forward); err != nil {
		return nil, err
	}
	if g.gradient, err = graph.NewExec(b, g.backward); err != nil {
		return nil, err
	}
	return g, nil
}

// Taps names the tap outputs in the order Forward returns them.
func (g *Graph[T]) Taps() []string { return g.plan.Taps }

// Forward runs the features graph and returns copies of the taps.
func (g *Graph[T]) Forward(img []T, h, w int) ([]feature.Map[T], error) {
	if err := vgg.CheckImage(img, h, w); err != nil {
		return nil, err
	}
	if err := g.checkSize(h, w); err != nil {
		return nil, err
	}
	outs, err := g.features.Exec(tensors.FromFlatDataAndDimensions(img, 1, h, w, 3))
	if err != nil {
		return nil, err
	}
	maps := make([]feature.Map[T], len(outs))
	for i, t := range outs {
		d := t.Shape().Dimensions
		data, err := tensors.CopyFlatData[T](t)
		if err != nil {
			return nil, err
		}
		_ = t.FinalizeAll()
		maps[i] = feature.Map[T]{H: d[1], W: d[2], C: d[3], Data: data}
	}
	g.img, g.h, g.w = append(g.img[:0], img...), h, w
	return maps, nil
}

// Backward runs the gradient graph at the last Forward's image.
func (g *Graph[T]) Backward(upstream []feature.Map[T], grad []T) error {
	if g.img == nil {
		return fmt.Errorf("reference: Backward without a Forward")
	}
	if len(upstream) != len(g.plan.Taps) {
		return fmt.Errorf("reference: %d upstream gradients for %d taps", len(upstream), len(g.plan.Taps))
	}
	if len(grad) != len(g.img) {
		return fmt.Errorf("reference: image gradient of %d values for a %dx%d image", len(grad), g.h, g.w)
	}
	args := make([]any, 1+len(upstream))
	args[0] = tensors.FromFlatDataAndDimensions(g.img, 1, g.h, g.w, 3)
	for i, u := range upstream {
		args[1+i] = tensors.FromFlatDataAndDimensions(u.Data, 1, u.H, u.W, u.C)
	}
	outs, err := g.gradient.Exec(args...)
	if err != nil {
		return err
	}
	defer outs[0].FinalizeAll()
	out, err := tensors.CopyFlatData[T](outs[0])
	if err != nil {
		return err
	}
	copy(grad, out)
	return nil
}

// checkSize refuses an image too small for the pools, which the graph would fail on less
// clearly.
func (g *Graph[T]) checkSize(h, w int) error {
	for _, s := range g.plan.Stages {
		if s.Pool {
			if h < 2 || w < 2 {
				return fmt.Errorf("reference: the image is too small for %s", s.Name)
			}
			h, w = h/2, w/2
		}
	}
	return nil
}

// forward runs the network on inputs[0], an image [1,H,W,3] in [0,1], and returns the taps.
func (g *Graph[T]) forward(inputs []*graph.Node) []*graph.Node {
	x := g.preprocess(inputs[0])
	var outs []*graph.Node
	for i, s := range g.plan.Stages {
		if s.Pool {
			x = maxPool2(x)
		} else {
			x = g.conv(x, i)
		}
		if g.plan.IsTap[i] {
			outs = append(outs, x)
		}
	}
	return outs
}

// backward returns the gradient of Σ_tap ⟨F_tap, U_tap⟩ with respect to the image, where the
// upstream gradients U_tap = ∂loss/∂F_tap (inputs[1:]) come from the host. The loss's own
// gradient is written analytically there, so GoMLX only differentiates the network.
func (g *Graph[T]) backward(inputs []*graph.Node) []*graph.Node {
	img := inputs[0]
	feats := g.forward(inputs[:1])
	var total *graph.Node
	for i, f := range feats {
		term := graph.ReduceAllSum(graph.Mul(f, inputs[1+i]))
		if total == nil {
			total = term
		} else {
			total = graph.Add(total, term)
		}
	}
	return graph.Gradient(total, img)
}

// preprocess maps [0,1] RGB to what the weights expect (vgg.Plan: channel order, then one scale
// and offset per channel).
func (g *Graph[T]) preprocess(x *graph.Node) *graph.Node {
	p := g.plan
	channel := func(c int) *graph.Node {
		return graph.Slice(x, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(c, c+1))
	}
	x = graph.Concatenate([]*graph.Node{channel(p.Source[0]), channel(p.Source[1]), channel(p.Source[2])}, 3)
	var scale, offset [3]T
	for c := range 3 {
		scale[c], offset[c] = T(p.Scale[c]), T(p.Offset[c])
	}
	gr := x.Graph()
	x = graph.Mul(x, graph.Const(gr, tensors.FromFlatDataAndDimensions(scale[:], 1, 1, 1, 3)))
	return graph.Sub(x, graph.Const(gr, tensors.FromFlatDataAndDimensions(offset[:], 1, 1, 1, 3)))
}

// conv is stage i's conv layer with its bias and ReLU.
func (g *Graph[T]) conv(x *graph.Node, i int) *graph.Node {
	gr := x.Graph()
	k := graph.Const(gr, g.kernels[i])
	var y *graph.Node
	if g.plan.Pad == vgg.PadZero {
		y = graph.Convolve(x, k).PadSame().Strides(1).Done()
	} else {
		y = graph.Convolve(padSpatial(x, g.plan.Pad), k).NoPadding().Strides(1).Done()
	}
	y = graph.Add(y, graph.Const(gr, g.biases[i]))
	return graph.Max(y, graph.ScalarZero(gr, y.DType()))
}

// maxPool2 is a 2×2 max pool with stride 2 as a reshape and a graph.ReduceMax, which simplego can
// differentiate (its MaxPool has no gradient). An odd last row or column is dropped, as in
// PyTorch and Caffe's VGG.
func maxPool2(x *graph.Node) *graph.Node {
	d := x.Shape().Dimensions
	nb, h, w, c := d[0], d[1], d[2], d[3]
	if h%2 != 0 || w%2 != 0 {
		x = graph.Slice(x, graph.AxisRange(), graph.AxisRange(0, h/2*2), graph.AxisRange(0, w/2*2), graph.AxisRange())
	}
	x = graph.Reshape(x, nb, h/2, 2, w/2, 2, c)
	return graph.ReduceMax(x, 2, 4)
}

// padSpatial extends x [N,H,W,C] by one row or column on every side of both spatial axes with
// the copies the padding mode makes (vgg.Pad.Source). It is built from slices and a
// concatenation, so autodiff routes the border's gradient back to where it came from.
func padSpatial(x *graph.Node, mode vgg.Pad) *graph.Node {
	for _, axis := range []int{1, 2} {
		size := x.Shape().Dimensions[axis]
		row := func(i int) *graph.Node {
			spec := []graph.SliceAxisSpec{graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange()}
			spec[axis] = graph.AxisRange(i, i+1)
			return graph.Slice(x, spec...)
		}
		x = graph.Concatenate([]*graph.Node{row(mode.Source(-1, size)), x, row(mode.Source(size, size))}, axis)
	}
	return x
}

// hwio dequantises a layer's OIHW kernel into GoMLX's HWIO layout.
func hwio[T feature.Float](l *weights.Layer) []T {
	k := l.Kernel()
	out := make([]T, len(k))
	for o := range l.Out {
		for i := range l.In {
			for y := range l.KH {
				for x := range l.KW {
					out[((y*l.KW+x)*l.In+i)*l.Out+o] = T(k[((o*l.In+i)*l.KH+y)*l.KW+x])
				}
			}
		}
	}
	return out
}
