package vgg

import (
	"fmt"
	"github.com/texsynth/texsynth/core/gemm"
	"sync"
	"sync/atomic"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/weights"
)

// fastNet is the ConvFast path (and ConvWinograd2, ConvDirect): the same network as the GoMLX
// graph, computed by hand-written Go. Every 3×3 conv is Winograd (winograd.go) or, on the
// direct path, 9 shifted matrix products (gemm.go); the RGB layer's forward is one 27-column
// product. The forward pass keeps every stage's output, so the backward pass needs no second
// forward; the backward pass is written out (ReLU mask; conv input-gradient = a 3×3 correlation
// of the zero-framed gradient with the flipped, transposed kernel, then the padding's adjoint;
// pool routed to the maximum).
type fastNet[T Float] struct {
	pad    Pad
	depth  int
	isTap  []bool
	bgr    bool
	scale  [3]T
	mean   [3]T
	convs  []fastConv[T] // per conv stage in use
	convAt []int         // stage → index in convs, -1 for pools

	mu      sync.Mutex
	ws      *workspace[T]
	scratch []*winoScratch[T] // the Winograd workers' buffers
}

type fastConv[T Float] struct {
	in, out  int
	im2col   bool            // the input is so thin (RGB) that one explicit 27-column product beats 9 shifted ones
	fwd, bwd *gemm.Packed[T] // fwd: 9 taps of [in, out] (or 1 tap of [9·in, out]); bwd: 9 taps of [out, in]
	wino     *winoSpec
	wf, wb   *gemm.Packed[T] // Winograd: the forward kernel and the backward (flipped, transposed) one; nil on the direct path
	bias     []T
}

// workspace holds every buffer of one image size, reused from one evaluation to the next.
type workspace[T Float] struct {
	h, w    int
	x0      []T   // preprocessed image
	acts    [][]T // per stage: its output
	hs, ws  []int // per stage: output size
	cs      []int // per stage: output channels
	scratch []T   // padded input / im2col columns / zero-framed gradient
	dpad    []T   // gradient w.r.t. a padded input
	g, g2   []T   // gradients flowing backwards
}

func newFastNet[T Float](w *weights.File, isTap []bool, depth int, pad Pad, wino *winoSpec) (*fastNet[T], error) {
	n := &fastNet[T]{pad: pad, depth: depth, isTap: isTap, bgr: w.Pre.Order == "bgr", convAt: make([]int, depth)}
	for c := range 3 {
		n.scale[c] = T(float64(w.Pre.Scale) / float64(w.Pre.Std[c]))
		n.mean[c] = T(float64(w.Pre.Mean[c]) / float64(w.Pre.Std[c]))
	}
	var jobs []func()
	for i, s := range stages[:depth] {
		n.convAt[i] = -1
		if s.pool {
			continue
		}
		l, _ := w.Layer(s.name)
		n.convAt[i] = len(n.convs)
		n.convs = append(n.convs, fastConv[T]{in: l.In, out: l.Out, bias: convert[T](l.Bias), im2col: l.In < 8, wino: wino})
		idx := len(n.convs) - 1 // n.convs may still move: look it up when the job runs
		jobs = append(jobs, func() { n.convs[idx].prepare(l, wino) })
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

// prepare packs a layer's kernels for the products it will run.
func (fc *fastConv[T]) prepare(l *weights.Layer, wino *winoSpec) {
	k := l.Kernel() // OIHW
	at64 := func(t, c, o int) float64 { return float64(k[((o*l.In+c)*3+t/3)*3+t%3]) }
	at := func(t, c, o int) T { return T(at64(t, c, o)) }
	switch {
	case fc.im2col:
		fc.fwd = gemm.Pack(1, 9*l.In, l.Out, func(_, kk, o int) T { return at(kk/l.In, kk%l.In, o) })
	case wino != nil:
		fc.wf = winoKernel[T](wino, k, l.In, l.Out, false)
	default:
		fc.fwd = gemm.Pack(9, l.In, l.Out, at)
	}
	if wino != nil {
		fc.wb = winoKernel[T](wino, k, l.In, l.Out, true)
	} else {
		fc.bwd = gemm.Pack(9, l.Out, l.In, func(t, o, c int) T { return at(t, c, o) })
	}
}

// workspace returns the buffers for an h×w image, allocating them on a size change.
func (n *fastNet[T]) workspace(h, w int) *workspace[T] {
	if n.ws != nil && n.ws.h == h && n.ws.w == w {
		return n.ws
	}
	n.ws = nil // let the old buffers go before allocating new ones
	ws := &workspace[T]{h: h, w: w, x0: make([]T, h*w*3)}
	ch, cw, c := h, w, 3
	scratch, dpad, grad := 0, 0, h*w*3
	for i, s := range stages[:n.depth] {
		if s.pool {
			ch, cw = ch/2, cw/2
		} else {
			fc := n.convs[n.convAt[i]]
			q := (ch+2)*(cw+2) + 2*(2*(cw+2)+2)
			scratch = max(scratch, q*max(c, fc.out), (ch+4)*(cw+4)*max(c, fc.out), ch*cw*9*c)
			dpad = max(dpad, (ch+2)*(cw+2)*c, ch*(cw+2)*fc.out)
			c = fc.out
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

// forward runs the network on img and keeps every stage's output in the workspace.
func (n *fastNet[T]) forward(img []T, h, w int) (*workspace[T], error) {
	if h < 1 || w < 1 || len(img) != h*w*3 {
		return nil, fmt.Errorf("vgg: image of %d values is not %dx%dx3", len(img), h, w)
	}
	ws := n.workspace(h, w)
	for p := 0; p < h*w; p++ {
		for c := range 3 {
			src := c
			if n.bgr {
				src = 2 - c
			}
			ws.x0[p*3+c] = img[p*3+src]*n.scale[c] - n.mean[c]
		}
	}
	x, ch, cw, c := ws.x0, h, w, 3
	for i, s := range stages[:n.depth] {
		if s.pool {
			if ch < 2 || cw < 2 {
				return nil, fmt.Errorf("vgg: a %dx%d image is too small for %s", h, w, s.name)
			}
			pool2(ws.acts[i], x, ch, cw, c)
		} else {
			n.convForward(&n.convs[n.convAt[i]], ws, ws.acts[i], x, ch, cw)
		}
		x, ch, cw, c = ws.acts[i], ws.hs[i], ws.ws[i], ws.cs[i]
	}
	return ws, nil
}

// taps returns views of the tap outputs (valid until the next forward).
func (n *fastNet[T]) taps(ws *workspace[T]) []loss.Map[T] {
	var maps []loss.Map[T]
	for i := range n.depth {
		if n.isTap[i] {
			maps = append(maps, loss.Map[T]{H: ws.hs[i], W: ws.ws[i], C: ws.cs[i], Data: ws.acts[i]})
		}
	}
	return maps
}

// backward returns ∂Σ⟨F_tap, U_tap⟩/∂img for the image of the last forward.
func (n *fastNet[T]) backward(ws *workspace[T], upstream []loss.Map[T]) ([]T, error) {
	tap := len(upstream)
	g, g2 := ws.g, ws.g2
	g = g[:len(ws.acts[n.depth-1])]
	clear(g)
	for i := n.depth - 1; i >= 0; i-- {
		if n.isTap[i] {
			tap--
			u := upstream[tap]
			if len(u.Data) != len(g) {
				return nil, fmt.Errorf("vgg: upstream gradient for %s has %d values, want %d", stages[i].name, len(u.Data), len(g))
			}
			for j, v := range u.Data {
				g[j] += v
			}
		}
		ih, iw, ic := ws.h, ws.w, 3
		if i > 0 {
			ih, iw, ic = ws.hs[i-1], ws.ws[i-1], ws.cs[i-1]
		}
		gin := g2[:ih*iw*ic]
		if stages[i].pool {
			var in []T
			if i > 0 {
				in = ws.acts[i-1]
			} else {
				in = ws.x0
			}
			pool2Backward(gin, g, in, ih, iw, ic)
		} else {
			n.convBackward(&n.convs[n.convAt[i]], ws, gin, g, ws.acts[i], ih, iw)
		}
		g, g2 = gin, g[:cap(g)]
	}
	out := make([]T, ws.h*ws.w*3)
	for p := 0; p < ws.h*ws.w; p++ {
		for c := range 3 {
			src := c
			if n.bgr {
				src = 2 - c
			}
			out[p*3+src] = g[p*3+c] * n.scale[c]
		}
	}
	return out, nil
}

// padIndex maps a coordinate one outside [0, n) to the one it copies, or -1 for a zero.
func padIndex(i, n int, pad Pad) int {
	if i >= 0 && i < n {
		return i
	}
	switch pad {
	case PadReflect:
		if n == 1 {
			return 0
		}
		if i < 0 {
			return -i
		}
		return 2*n - 2 - i
	case PadCircular:
		return (i + n) % n
	}
	return -1
}

// convForward computes y = ReLU(conv3×3(x) + bias) for x h×w×in.
func (n *fastNet[T]) convForward(fc *fastConv[T], ws *workspace[T], y, x []T, h, w int) {
	cin, cout := fc.in, fc.out
	if fc.im2col {
		cols := ws.scratch[:h*w*9*cin]
		for i := range h {
			for j := range w {
				row := cols[(i*w+j)*9*cin:]
				for t := range 9 {
					si, sj := padIndex(i+t/3-1, h, n.pad), padIndex(j+t%3-1, w, n.pad)
					dst := row[t*cin : (t+1)*cin]
					if si < 0 || sj < 0 {
						clear(dst)
					} else {
						copy(dst, x[(si*w+sj)*cin:])
					}
				}
			}
		}
		for p := range h * w {
			copy(y[p*cout:(p+1)*cout], fc.bias)
		}
		gemm.Shifted(y, h*w, cols, 9*cin, []int{0}, fc.fwd)
		relu(y)
		return
	}
	// The padded input, flattened: output position (i, j) of a (w+2)-wide grid reads padded
	// positions (i+di, j+dj), i.e. row p + di·(w+2) + dj of the flat input.
	wp := w + 2
	q := (h + 2) * wp
	xp := ws.scratch[:(q+2)*cin]
	for pi := range h + 2 {
		si := padIndex(pi-1, h, n.pad)
		for pj := range wp {
			sj := padIndex(pj-1, w, n.pad)
			dst := xp[(pi*wp+pj)*cin : (pi*wp+pj+1)*cin]
			if si < 0 || sj < 0 {
				clear(dst)
			} else {
				copy(dst, x[(si*w+sj)*cin:])
			}
		}
	}
	clear(xp[q*cin:])
	if fc.wf != nil {
		winograd(fc.wino, y, xp, h+2, wp, cin, fc.wf, fc.bias, &n.scratch)
		relu(y)
		return
	}
	var offs [9]int
	for t := range 9 {
		offs[t] = t/3*wp + t%3
	}
	m := h * wp
	out := ws.dpad[:m*cout]
	for p := range m {
		copy(out[p*cout:(p+1)*cout], fc.bias)
	}
	gemm.Shifted(out, m, xp, cin, offs[:], fc.fwd)
	for i := range h {
		copy(y[i*w*cout:(i+1)*w*cout], out[i*wp*cout:])
	}
	relu(y)
}

func relu[T Float](y []T) {
	for i, v := range y {
		if v < 0 {
			y[i] = 0
		}
	}
}

// convBackward computes gx = ∂⟨y, gy⟩/∂x for y = convForward(x): the ReLU mask, then the
// transposed convolution (the gradient w.r.t. the padded input), then the padding's adjoint
// (border gradients go back to the pixels they copied).
func (n *fastNet[T]) convBackward(fc *fastConv[T], ws *workspace[T], gx, gy, y []T, h, w int) {
	cin, cout := fc.in, fc.out
	wp := w + 2
	q := (h + 2) * wp
	dp := ws.dpad[:q*cin]
	if fc.wb != nil {
		// dXp(pi, pj) = Σ g(pi-di, pj-dj)·K[di][dj]ᵀ: a valid correlation of the masked
		// gradient, framed by two zeros, with the flipped, transposed kernel.
		z := ws.scratch[:(h+4)*(w+4)*cout]
		clear(z)
		for i := range h {
			maskInto(z[((i+2)*(w+4)+2)*cout:((i+2)*(w+4)+2+w)*cout], gy[i*w*cout:(i+1)*w*cout], y[i*w*cout:(i+1)*w*cout])
		}
		winograd(fc.wino, dp, z, h+4, w+4, cout, fc.wb, nil, &n.scratch)
	} else {
		// The same as a shifted product over the zero-framed gradient, flattened on the
		// (w+2)-wide grid: dXp[q] = Σ_t Z[q + s - off_t]·K_tᵀ.
		s := 2*wp + 2 // the largest tap offset
		z := ws.scratch[:(q+s)*cout]
		clear(z)
		for i := range h {
			maskInto(z[(s+i*wp)*cout:(s+i*wp+w)*cout], gy[i*w*cout:(i+1)*w*cout], y[i*w*cout:(i+1)*w*cout])
		}
		var offs [9]int
		for t := range 9 {
			offs[t] = s - (t/3*wp + t%3)
		}
		clear(dp)
		gemm.Shifted(dp, q, z, cout, offs[:], fc.bwd)
	}
	clear(gx[:h*w*cin])
	for pi := range h + 2 {
		si := padIndex(pi-1, h, n.pad)
		if si < 0 {
			continue
		}
		for pj := range wp {
			sj := padIndex(pj-1, w, n.pad)
			if sj < 0 {
				continue
			}
			src := dp[(pi*wp+pj)*cin : (pi*wp+pj+1)*cin]
			dst := gx[(si*w+sj)*cin : (si*w+sj+1)*cin][:len(src)]
			for c, v := range src {
				dst[c] += v
			}
		}
	}
}

// maskInto writes g where y > 0 (the ReLU's derivative) and 0 elsewhere.
func maskInto[T Float](dst, g, y []T) {
	g = g[:len(dst)]
	y = y[:len(dst)]
	for i := range dst {
		if y[i] > 0 {
			dst[i] = g[i]
		} else {
			dst[i] = 0
		}
	}
}

// pool2 is the 2×2, stride-2 max pool; an odd last row or column is dropped. The maximum is
// taken by comparisons, not the max builtin: for floats that is a runtime call in wasm (NaN
// rules), and the first maximum is then the one pool2Backward routes to.
func pool2[T Float](y, x []T, h, w, c int) {
	h2, w2 := h/2, w/2
	for i := range h2 {
		for j := range w2 {
			out := y[(i*w2+j)*c : (i*w2+j+1)*c]
			a, b, d, e := quad(x, i, j, w, c)
			for k := range out {
				m := a[k]
				if b[k] > m {
					m = b[k]
				}
				if d[k] > m {
					m = d[k]
				}
				if e[k] > m {
					m = e[k]
				}
				out[k] = m
			}
		}
	}
}

// quad returns the c channels of the four inputs of output (i, j) of a 2×2 pool over a w-wide
// map, each c long (so loops over them need no bounds checks).
func quad[T Float](x []T, i, j, w, c int) (a, b, d, e []T) {
	p := ((2*i)*w + 2*j) * c
	q := p + w*c
	return x[p : p+c], x[p+c : p+2*c], x[q : q+c], x[q+c : q+2*c]
}

// pool2Backward routes each output gradient to the first input holding the maximum.
func pool2Backward[T Float](gx, gy, x []T, h, w, c int) {
	clear(gx[:h*w*c])
	h2, w2 := h/2, w/2
	for i := range h2 {
		for j := range w2 {
			g := gy[(i*w2+j)*c : (i*w2+j+1)*c]
			a, b, d, e := quad(x, i, j, w, c)
			ga, gb, gd, ge := quad(gx, i, j, w, c)
			for k, v := range g {
				m, dst := a[k], ga
				if b[k] > m {
					m, dst = b[k], gb
				}
				if d[k] > m {
					m, dst = d[k], gd
				}
				if e[k] > m {
					dst = ge
				}
				dst[k] += v
			}
		}
	}
}
