package vgg

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/weights"
)

// Net is VGG-16 built up to the deepest tap in use, in float32 (synthesis) or float64
// (gradient checks).
type Net[T Float] struct {
	taps    []string
	isTap   []bool // per stage
	depth   int    // stages to run
	pad     Pad
	pre     weights.Preprocess
	kernels []*tensors.Tensor // per conv stage in use: HWIO
	biases  []*tensors.Tensor // per conv stage in use: [1,1,1,Cout]

	features *graph.Exec // image → tap features
	gradient *graph.Exec // image, upstream gradient per tap → ∂Σ⟨F,U⟩/∂image

	fast *fastNet[T] // the ConvFast path: hand-written kernels instead of the two graphs
}

// New builds the network for the given taps (canonical names, see ParseTaps) from a weights
// file that must hold every conv layer up to the deepest tap.
func New[T Float](backend backends.Backend, w *weights.File, taps []string, pad Pad) (*Net[T], error) {
	if len(taps) == 0 {
		return nil, fmt.Errorf("%w: no layers selected", ErrTap)
	}
	n := &Net[T]{taps: taps, isTap: make([]bool, len(stages)), pad: pad, pre: w.Pre}
	for _, name := range taps {
		i, err := stageIndex(name)
		if err != nil {
			return nil, err
		}
		n.isTap[i] = true
		n.depth = max(n.depth, i+1)
	}
	wb, _ := backend.(*wrapped)
	fast := wb != nil && (wb.conv == ConvFast || wb.conv == ConvWinograd2 || wb.conv == ConvDirect)
	for _, s := range stages[:n.depth] {
		if s.pool {
			continue
		}
		l, ok := w.Layer(s.name)
		if !ok {
			return nil, fmt.Errorf("%w: the weights (%s) have no %s, which the selected layers need; use shallower layers or a file converted with a deeper -upto",
				ErrTap, w.Provenance, s.name)
		}
		if l.KH != 3 || l.KW != 3 {
			return nil, fmt.Errorf("%w: %s has a %dx%d kernel, VGG-16 needs 3x3", weights.ErrFormat, s.name, l.KH, l.KW)
		}
		if fast {
			continue // the fast path packs the kernels itself
		}
		n.kernels = append(n.kernels, tensors.FromFlatDataAndDimensions(hwio[T](l), l.KH, l.KW, l.In, l.Out))
		n.biases = append(n.biases, tensors.FromFlatDataAndDimensions(convert[T](l.Bias), 1, 1, 1, l.Out))
	}
	var err error
	if fast {
		var wino *winoSpec
		switch wb.conv {
		case ConvFast:
			wino = wino4
		case ConvWinograd2:
			wino = wino2
		}
		n.fast, err = newFastNet[T](w, n.isTap, n.depth, pad, wino)
		return n, err
	}
	if n.features, err = graph.NewExec(backend, n.forward); err != nil {
		return nil, err
	}
	if n.gradient, err = graph.NewExec(backend, n.backward); err != nil {
		return nil, err
	}
	return n, nil
}

// Taps returns the tap names, in the order features are returned.
func (n *Net[T]) Taps() []string { return n.taps }

// forward runs the network on inputs[0], an image [1,H,W,3] in [0,1], and returns the taps.
func (n *Net[T]) forward(inputs []*graph.Node) []*graph.Node {
	x := n.preprocess(inputs[0])
	var outs []*graph.Node
	conv := 0
	for i, s := range stages[:n.depth] {
		if s.pool {
			x = maxPool2(x)
		} else {
			x = n.conv(x, conv)
			conv++
		}
		if n.isTap[i] {
			outs = append(outs, x)
		}
	}
	return outs
}

// backward returns the gradient of Σ_tap ⟨F_tap, U_tap⟩ with respect to the image, where the
// upstream gradients U_tap = ∂loss/∂F_tap (inputs[1:]) come from the host. The loss's own
// gradient is written analytically there, so GoMLX only differentiates the network.
func (n *Net[T]) backward(inputs []*graph.Node) []*graph.Node {
	img := inputs[0]
	feats := n.forward(inputs[:1])
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

// preprocess maps [0,1] RGB to what the weights expect: channel order, scale, mean, std.
func (n *Net[T]) preprocess(x *graph.Node) *graph.Node {
	p := n.pre
	if p.Order == "bgr" {
		x = graph.Concatenate([]*graph.Node{
			graph.Slice(x, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(2, 3)),
			graph.Slice(x, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(1, 2)),
			graph.Slice(x, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(0, 1)),
		}, 3)
	}
	var mean, scale [3]T
	for c := range 3 {
		scale[c] = T(float64(p.Scale) / float64(p.Std[c]))
		mean[c] = T(float64(p.Mean[c]) / float64(p.Std[c]))
	}
	g := x.Graph()
	x = graph.Mul(x, graph.Const(g, tensors.FromFlatDataAndDimensions(scale[:], 1, 1, 1, 3)))
	return graph.Sub(x, graph.Const(g, tensors.FromFlatDataAndDimensions(mean[:], 1, 1, 1, 3)))
}

// conv is the i-th conv layer in use, with its bias and ReLU.
func (n *Net[T]) conv(x *graph.Node, i int) *graph.Node {
	g := x.Graph()
	k := graph.Const(g, n.kernels[i])
	var y *graph.Node
	if n.pad == PadZero {
		y = graph.Convolve(x, k).PadSame().Strides(1).Done()
	} else {
		y = graph.Convolve(padSpatial(x, 1, n.pad), k).NoPadding().Strides(1).Done()
	}
	y = graph.Add(y, graph.Const(g, n.biases[i]))
	return graph.Max(y, graph.ScalarZero(g, y.DType()))
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

// Features runs the network on an image (H×W×3, values in [0,1]) and returns every tap.
func (n *Net[T]) Features(img []T, h, w int) ([]loss.Map[T], error) {
	if err := n.checkImage(img, h, w); err != nil {
		return nil, err
	}
	if n.fast != nil {
		n.fast.mu.Lock()
		defer n.fast.mu.Unlock()
		ws, err := n.fast.forward(img, h, w)
		if err != nil {
			return nil, err
		}
		maps := n.fast.taps(ws)
		for i := range maps {
			maps[i].Data = append([]T(nil), maps[i].Data...)
		}
		return maps, nil
	}
	outs, err := n.features.Exec(tensors.FromFlatDataAndDimensions(img, 1, h, w, 3))
	if err != nil {
		return nil, err
	}
	maps := make([]loss.Map[T], len(outs))
	for i, t := range outs {
		d := t.Shape().Dimensions
		data, err := tensors.CopyFlatData[T](t)
		if err != nil {
			return nil, err
		}
		_ = t.FinalizeAll()
		maps[i] = loss.Map[T]{H: d[1], W: d[2], C: d[3], Data: data}
	}
	return maps, nil
}

// Gradient returns ∂/∂img of Σ_tap ⟨F_tap(img), upstream[tap]⟩: the image gradient of any loss
// whose gradient with respect to the features is upstream.
func (n *Net[T]) Gradient(img []T, h, w int, upstream []loss.Map[T]) ([]T, error) {
	if err := n.checkImage(img, h, w); err != nil {
		return nil, err
	}
	if len(upstream) != len(n.taps) {
		return nil, fmt.Errorf("vgg: %d upstream gradients for %d taps", len(upstream), len(n.taps))
	}
	if n.fast != nil {
		n.fast.mu.Lock()
		defer n.fast.mu.Unlock()
		ws, err := n.fast.forward(img, h, w)
		if err != nil {
			return nil, err
		}
		return n.fast.backward(ws, upstream)
	}
	args := make([]any, 1+len(upstream))
	args[0] = tensors.FromFlatDataAndDimensions(img, 1, h, w, 3)
	for i, u := range upstream {
		args[1+i] = tensors.FromFlatDataAndDimensions(u.Data, 1, u.H, u.W, u.C)
	}
	outs, err := n.gradient.Exec(args...)
	if err != nil {
		return nil, err
	}
	grad, err := tensors.CopyFlatData[T](outs[0])
	_ = outs[0].FinalizeAll()
	return grad, err
}

// Evaluate is Features, a loss and Gradient in one: it runs the network on img, calls upstream
// with the tap features to get ∂loss/∂features (one map per tap, same shapes), and returns the
// image gradient of Σ_tap ⟨F_tap, upstream_tap⟩. On the fast path the forward pass runs once and
// the features passed to upstream are views into the network's buffers, valid only during the
// call; the other paths run Features and then Gradient.
func (n *Net[T]) Evaluate(img []T, h, w int, upstream func(feats []loss.Map[T]) ([]loss.Map[T], error)) ([]T, error) {
	if err := n.checkImage(img, h, w); err != nil {
		return nil, err
	}
	if n.fast == nil {
		feats, err := n.Features(img, h, w)
		if err != nil {
			return nil, err
		}
		up, err := upstream(feats)
		if err != nil {
			return nil, err
		}
		return n.Gradient(img, h, w, up)
	}
	n.fast.mu.Lock()
	defer n.fast.mu.Unlock()
	ws, err := n.fast.forward(img, h, w)
	if err != nil {
		return nil, err
	}
	up, err := upstream(n.fast.taps(ws))
	if err != nil {
		return nil, err
	}
	if len(up) != len(n.taps) {
		return nil, fmt.Errorf("vgg: %d upstream gradients for %d taps", len(up), len(n.taps))
	}
	return n.fast.backward(ws, up)
}

func (n *Net[T]) checkImage(img []T, h, w int) error {
	if h < 1 || w < 1 || len(img) != h*w*3 {
		return fmt.Errorf("vgg: image of %d values is not %dx%dx3", len(img), h, w)
	}
	return nil
}

// hwio dequantises a layer's OIHW kernel into GoMLX's HWIO layout.
func hwio[T Float](l *weights.Layer) []T {
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

func convert[T Float](v []float32) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}
