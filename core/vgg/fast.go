package vgg

import (
	"fmt"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
	"github.com/texsynth/texsynth/weights"
)

// Fast is the fast engine (ConvFast): the network of the GoMLX specification computed by
// hand-written Go, in float32 for synthesis or float64 for the gradient checks. Every 3×3 conv
// but the first is Winograd F(4×4,3×3) (winograd.go) over the products of core/gemm; the RGB
// layer is explicit 27-column products (conv.go). Forward keeps every stage's output, so
// Backward needs no second forward pass; the backward pass is written out: ReLU mask, each
// conv's input gradient as a 3×3 correlation of the zero-framed gradient with the flipped,
// transposed kernel followed by the padding's adjoint, the pool routed to its maximum.
//
// Natively every part of both passes is split over GOMAXPROCS goroutines (the products and
// transforms by tiles or by products, the element-wise stages by rows), and the results do not
// depend on how many there are. An image larger than the tile size is evaluated in overlapping
// tiles with the same result (tile.go), so that memory stays bounded.
type Fast[T feature.Float] struct {
	plan          *Plan
	source        [3]int
	scale, offset [3]T
	convs         []*fastConv[T] // per stage: the conv, nil for a pool
	chans         []int          // per stage: output channels

	ws       workspace[T] // the last evaluation's buffers (the whole image, or the last tile)
	lay      layout       // the whole image's layout, of the last Forward
	whole    bool         // the last Forward ran on the whole image and ws holds it
	tiles    tiling[T]    // a tiled evaluation (tile.go)
	tileSide int          // SetTiles

	wino winoScratch[T]
	wio  winoIO[T]
	thin thinScratch[T]
}

// workspace holds the buffers of one evaluation (an image or a tile), grown as needed and reused
// from one evaluation to the next (wasm memory never shrinks, so garbage costs peak memory there).
type workspace[T feature.Float] struct {
	x0    []T   // the preprocessed image
	acts  [][]T // per stage: its output
	g, g2 []T   // gradients flowing backwards
	cols  []T   // the thin layer's im2col gradients
	edge  []T   // a Winograd backward pass's border gradients
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
	c := 3
	for i, l := range p.Layers {
		if l != nil {
			n.convs[i] = &fastConv[T]{in: l.In, out: l.Out, bias: convert[T](l.Bias), thin: l.In < 8}
			c = l.Out
		}
		n.chans = append(n.chans, c)
	}
	// Transforming and packing the kernels takes a while at full width: one layer per worker.
	gemm.Tasks(len(p.Layers), func(_, i int) {
		if l := p.Layers[i]; l != nil {
			n.convs[i].prepare(l)
		}
	})
	return n, nil
}

// Taps names the tap outputs in the order Forward returns them.
func (n *Fast[T]) Taps() []string { return n.plan.Taps }

// Forward runs the network on img and keeps every stage's output; the maps it returns are views
// of those outputs (or, for a tiled image, the engine's own assembled maps).
func (n *Fast[T]) Forward(img []T, h, w int) ([]feature.Map[T], error) {
	if err := CheckImage(img, h, w); err != nil {
		return nil, err
	}
	n.whole, n.tiles.active = false, false
	if n.tiled(h, w) {
		return n.forwardTiles(img, h, w)
	}
	lay, err := wholeLayout(n.plan.Stages, n.plan.Pad, h, w)
	if err != nil {
		return nil, err
	}
	n.lay = lay
	n.ws.reserve(n.sizes(&n.lay))
	n.preprocess(n.ws.x0, img, w, nil, nil)
	n.forward(&n.ws, &n.lay)
	n.whole = true
	var maps []feature.Map[T]
	for i, tap := range n.plan.IsTap {
		if tap {
			maps = append(maps, n.tapMap(&n.ws, &n.lay, i))
		}
	}
	return maps, nil
}

// tapMap is stage i's output in ws, laid out as lay.
func (n *Fast[T]) tapMap(ws *workspace[T], lay *layout, i int) feature.Map[T] {
	h, w, c := lay.rows[i+1].n, lay.cols[i+1].n, n.chans[i]
	return feature.Map[T]{H: h, W: w, C: c, Data: ws.acts[i][:h*w*c]}
}

// Backward writes ∂Σ⟨F_tap, U_tap⟩/∂img for the image of the last Forward into grad.
func (n *Fast[T]) Backward(upstream []feature.Map[T], grad []T) error {
	if len(upstream) != len(n.plan.Taps) {
		return fmt.Errorf("vgg: %d upstream gradients for %d taps", len(upstream), len(n.plan.Taps))
	}
	if n.tiles.active {
		return n.backwardTiles(upstream, grad)
	}
	if !n.whole {
		return fmt.Errorf("vgg: Backward without a Forward")
	}
	lay := &n.lay
	h, w := lay.rows[0].n, lay.cols[0].n
	if len(grad) != h*w*3 {
		return fmt.Errorf("vgg: image gradient of %d values for a %dx%d image", len(grad), h, w)
	}
	tap := 0
	for i, isTap := range n.plan.IsTap {
		if isTap {
			if want := lay.positions(i+1) * n.chans[i]; len(upstream[tap].Data) != want {
				return fmt.Errorf("vgg: upstream gradient for %s has %d values, want %d", n.plan.Stages[i].Name, len(upstream[tap].Data), want)
			}
			tap++
		}
	}
	g := n.backward(&n.ws, lay, func(tap int, g []T) {
		u := upstream[tap].Data
		gemm.Ranges(len(g), gemm.Grain(len(g), 4096), func(_, lo, hi int) {
			for j := lo; j < hi; j++ {
				g[j] += u[j]
			}
		})
	})
	gemm.Ranges(h*w, gemm.Grain(h*w, 1024), func(_, lo, hi int) {
		for p := lo; p < hi; p++ {
			for c := range 3 {
				grad[p*3+n.source[c]] = g[p*3+c] * n.scale[c]
			}
		}
	})
	return nil
}

// sizes lists the lengths of the workspace's buffers an evaluation laid out as lay needs: x0,
// g (and g2), cols, edge, then every stage's output.
func (n *Fast[T]) sizes(lay *layout) []int {
	grad, cols, edge := lay.positions(0)*3, 0, 0
	acts := make([]int, len(n.plan.Stages))
	for i, s := range n.plan.Stages {
		acts[i] = lay.positions(i+1) * n.chans[i]
		grad = max(grad, acts[i])
		if s.Pool {
			continue
		}
		h, w := lay.rows[i].n, lay.cols[i].n
		if fc := n.convs[i]; fc.thin {
			cols = max(cols, h*w*9*fc.in)
		} else {
			edge = max(edge, 2*(w+h+4)*fc.in)
		}
	}
	return append([]int{lay.positions(0) * 3, grad, cols, edge}, acts...)
}

// reserve grows the workspace's buffers to the given sizes (Fast.sizes).
func (ws *workspace[T]) reserve(sz []int) {
	ws.x0 = grow(&ws.x0, sz[0])
	ws.g, ws.g2 = grow(&ws.g, sz[1]), grow(&ws.g2, sz[1])
	ws.cols, ws.edge = grow(&ws.cols, sz[2]), grow(&ws.edge, sz[3])
	acts := sz[4:]
	for len(ws.acts) < len(acts) {
		ws.acts = append(ws.acts, nil)
	}
	for i, a := range acts {
		ws.acts[i] = grow(&ws.acts[i], a)
	}
}

// preprocess writes into x0 the network's input for the image img (imgW pixels wide): every
// pixel, or, for a tile, pixel (rows[i], cols[j]) at (i, j).
func (n *Fast[T]) preprocess(x0, img []T, imgW int, rows, cols []int) {
	h, w := len(x0)/3/imgW, imgW
	if rows != nil {
		h, w = len(rows), len(cols)
	}
	gemm.Ranges(h, gemm.Grain(h, 1), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			for j := range w {
				p, q := i*w+j, i*w+j
				if rows != nil {
					q = rows[i]*imgW + cols[j]
				}
				for c := range 3 {
					x0[p*3+c] = img[q*3+n.source[c]]*n.scale[c] - n.offset[c]
				}
			}
		}
	})
}

// forward runs every stage on ws.x0, laid out as lay, into ws.acts.
func (n *Fast[T]) forward(ws *workspace[T], lay *layout) {
	x := ws.x0
	for i, s := range n.plan.Stages {
		y := ws.acts[i][:lay.positions(i+1)*n.chans[i]]
		if s.Pool {
			pool2(y, x, &lay.rows[i], &lay.cols[i], n.chans[i])
		} else {
			n.convForward(n.convs[i], y, x, &lay.rows[i], &lay.cols[i])
		}
		x = y
	}
}

// backward runs the backward pass of the last forward on ws; add(tap, g) adds tap's upstream
// gradient to g, the gradient with respect to that tap's output. It returns the gradient with
// respect to ws.x0 (one of ws's buffers).
func (n *Fast[T]) backward(ws *workspace[T], lay *layout, add func(tap int, g []T)) []T {
	depth := len(n.plan.Stages)
	tap := len(n.plan.Taps)
	g, g2 := ws.g, ws.g2
	g = g[:len(ws.acts[depth-1][:lay.positions(depth)*n.chans[depth-1]])]
	clear(g)
	for i := depth - 1; i >= 0; i-- {
		if n.plan.IsTap[i] {
			tap--
			add(tap, g)
		}
		in, ic := ws.x0, 3
		if i > 0 {
			in, ic = ws.acts[i-1], n.chans[i-1]
		}
		gin := g2[:lay.positions(i)*ic]
		if n.plan.Stages[i].Pool {
			pool2Backward(gin, g, in, &lay.rows[i], &lay.cols[i], ic)
		} else {
			n.convBackward(n.convs[i], ws, gin, g, ws.acts[i], &lay.rows[i], &lay.cols[i])
		}
		g, g2 = gin, g[:cap(g)]
	}
	return g
}

func convert[T feature.Float](v []float32) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}
