package vgg

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
	"github.com/texsynth/texsynth/weights"
)

// Fast is the fast engine (ConvFast): the network of the GoMLX specification computed by
// hand-written Go, in float32 for synthesis or float64 for the gradient checks. Every 3×3 conv
// but the first is Winograd F(4×4,3×3) (winograd.go) over the products of core/gemm; the RGB
// layer's forward is one 27-column product (conv.go). Forward keeps every stage's output, so
// Backward needs no second forward pass; the backward pass is written out: ReLU mask, each
// conv's input gradient as a 3×3 correlation of the zero-framed gradient with the flipped,
// transposed kernel followed by the padding's adjoint, the pool routed to its maximum.
type Fast[T feature.Float] struct {
	plan          *Plan
	source        [3]int
	scale, offset [3]T
	convs         []*fastConv[T] // per stage: the conv, nil for a pool

	ws      *workspace[T]     // of the last Forward
	scratch []*winoScratch[T] // the Winograd workers' buffers
}

// workspace holds every buffer of one image size, reused from one evaluation to the next (wasm
// memory never shrinks, so garbage costs peak memory there).
type workspace[T feature.Float] struct {
	h, w    int
	x0      []T   // preprocessed image
	acts    [][]T // per stage: its output
	hs, ws  []int // per stage: output size
	cs      []int // per stage: output channels
	scratch []T   // padded input / im2col columns / zero-framed gradient
	dpad    []T   // gradient w.r.t. a padded input
	g, g2   []T   // gradients flowing backwards
}

// NewFast builds the fast engine for the taps (canonical names, Arch.ParseTaps) from a weights
// file holding every conv layer up to the deepest tap.
func NewFast[T feature.Float](w *weights.File, taps []string, pad Pad) (*Fast[T], error) {
	p, err := NewPlan(w, taps, pad)
	if err != nil {
		return nil, err
	}
	n := &Fast[T]{plan: p, source: p.Source, convs: make([]*fastConv[T], len(p.Stages))}
	for c := range 3 {
		n.scale[c], n.offset[c] = T(p.Scale[c]), T(p.Offset[c])
	}
	var jobs []func()
	for i, l := range p.Layers {
		if l != nil {
			fc := &fastConv[T]{in: l.In, out: l.Out, bias: convert[T](l.Bias), im2col: l.In < 8}
			n.convs[i] = fc
			jobs = append(jobs, func() { fc.prepare(l) })
		}
	}
	// Transforming and packing the kernels takes a while at full width: one layer per worker.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(gemm.Workers(), len(jobs)) {
		wg.Go(func() {
			for j := int(next.Add(1)) - 1; j < len(jobs); j = int(next.Add(1)) - 1 {
				jobs[j]()
			}
		})
	}
	wg.Wait()
	return n, nil
}

// Taps names the tap outputs in the order Forward returns them.
func (n *Fast[T]) Taps() []string { return n.plan.Taps }

// workspace returns the buffers for an h×w image, allocating them on a size change.
func (n *Fast[T]) workspace(h, w int) *workspace[T] {
	if n.ws != nil && n.ws.h == h && n.ws.w == w {
		return n.ws
	}
	n.ws = nil // let the old buffers go before allocating new ones
	ws := &workspace[T]{h: h, w: w, x0: make([]T, h*w*3)}
	ch, cw, c := h, w, 3
	scratch, dpad, grad := 0, 0, h*w*3
	for i, s := range n.plan.Stages {
		if s.Pool {
			ch, cw = ch/2, cw/2
		} else {
			out := n.convs[i].out
			scratch = max(scratch, ((ch+2)*(cw+2))*c, (ch+4)*(cw+4)*out, ch*cw*9*c)
			dpad = max(dpad, (ch+2)*(cw+2)*c)
			c = out
		}
		ws.hs, ws.ws, ws.cs = append(ws.hs, ch), append(ws.ws, cw), append(ws.cs, c)
		ws.acts = append(ws.acts, make([]T, ch*cw*c))
		grad = max(grad, ch*cw*c)
	}
	ws.scratch, ws.dpad = make([]T, scratch), make([]T, dpad)
	ws.g, ws.g2 = make([]T, grad), make([]T, grad)
	n.ws = ws
	return ws
}

// Forward runs the network on img and keeps every stage's output; the maps it returns are views
// of those outputs.
func (n *Fast[T]) Forward(img []T, h, w int) ([]feature.Map[T], error) {
	if err := CheckImage(img, h, w); err != nil {
		return nil, err
	}
	ws := n.workspace(h, w)
	for p := 0; p < h*w; p++ {
		for c := range 3 {
			ws.x0[p*3+c] = img[p*3+n.source[c]]*n.scale[c] - n.offset[c]
		}
	}
	x, ch, cw, c := ws.x0, h, w, 3
	for i, s := range n.plan.Stages {
		if s.Pool {
			if ch < 2 || cw < 2 {
				n.ws = nil // no Backward of a failed Forward
				return nil, fmt.Errorf("vgg: a %dx%d image is too small for %s", h, w, s.Name)
			}
			pool2(ws.acts[i], x, ch, cw, c)
		} else {
			n.convForward(n.convs[i], ws, ws.acts[i], x, ch, cw)
		}
		x, ch, cw, c = ws.acts[i], ws.hs[i], ws.ws[i], ws.cs[i]
	}
	var maps []feature.Map[T]
	for i, tap := range n.plan.IsTap {
		if tap {
			maps = append(maps, feature.Map[T]{H: ws.hs[i], W: ws.ws[i], C: ws.cs[i], Data: ws.acts[i]})
		}
	}
	return maps, nil
}

// Backward writes ∂Σ⟨F_tap, U_tap⟩/∂img for the image of the last Forward into grad.
func (n *Fast[T]) Backward(upstream []feature.Map[T], grad []T) error {
	ws := n.ws
	if ws == nil {
		return fmt.Errorf("vgg: Backward without a Forward")
	}
	if len(upstream) != len(n.plan.Taps) {
		return fmt.Errorf("vgg: %d upstream gradients for %d taps", len(upstream), len(n.plan.Taps))
	}
	if len(grad) != ws.h*ws.w*3 {
		return fmt.Errorf("vgg: image gradient of %d values for a %dx%d image", len(grad), ws.h, ws.w)
	}
	depth := len(n.plan.Stages)
	tap := len(upstream)
	g, g2 := ws.g, ws.g2
	g = g[:len(ws.acts[depth-1])]
	clear(g)
	for i := depth - 1; i >= 0; i-- {
		if n.plan.IsTap[i] {
			tap--
			u := upstream[tap]
			if len(u.Data) != len(g) {
				return fmt.Errorf("vgg: upstream gradient for %s has %d values, want %d", n.plan.Stages[i].Name, len(u.Data), len(g))
			}
			for j, v := range u.Data {
				g[j] += v
			}
		}
		ih, iw, ic := ws.h, ws.w, 3
		in := ws.x0
		if i > 0 {
			ih, iw, ic, in = ws.hs[i-1], ws.ws[i-1], ws.cs[i-1], ws.acts[i-1]
		}
		gin := g2[:ih*iw*ic]
		if n.plan.Stages[i].Pool {
			pool2Backward(gin, g, in, ih, iw, ic)
		} else {
			n.convBackward(n.convs[i], ws, gin, g, ws.acts[i], ih, iw)
		}
		g, g2 = gin, g[:cap(g)]
	}
	for p := 0; p < ws.h*ws.w; p++ {
		for c := range 3 {
			grad[p*3+n.source[c]] = g[p*3+c] * n.scale[c]
		}
	}
	return nil
}

func convert[T feature.Float](v []float32) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}
