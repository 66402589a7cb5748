package vgg

import (
	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
	"github.com/texsynth/texsynth/weights"
)

// fastConv is one 3×3 conv layer of the fast engine, its kernels packed for the products.
type fastConv[T feature.Float] struct {
	in, out int
	// thin: the input is so thin (RGB) that explicit 9·in-column products beat Winograd, whose
	// transforms cost as much as its products there (and whose backward would produce 3-wide
	// vectors that no vector step takes).
	thin     bool
	fwd, bwd *gemm.Packed[T] // thin: [9·in, out] forward, [out, 9·in] backward
	wf, wb   *gemm.Packed[T] // Winograd: the forward kernel and the backward (flipped, transposed) one
	bias     []T
}

// prepare packs a layer's kernels for the products it will run.
func (fc *fastConv[T]) prepare(l *weights.Layer) {
	k := l.Kernel() // OIHW
	if fc.thin {
		// Column t·in + c of a position's im2col row is input channel c at tap t = 3·di + dj.
		at := func(o, kk int) T {
			t, c := kk/l.In, kk%l.In
			return T(float64(k[((o*l.In+c)*3+t/3)*3+t%3]))
		}
		fc.fwd = gemm.Pack(1, 9*l.In, l.Out, func(_, kk, o int) T { return at(o, kk) })
		// The backward product's columns padded with zeros to whole 8-column panels, which the
		// vector kernels take (wasm's takes nothing else).
		fc.bwd = gemm.Pack(1, l.Out, thinCols(l.In), func(_, o, kk int) T {
			if kk >= 9*l.In {
				return 0
			}
			return at(o, kk)
		})
		return
	}
	fc.wf = winoKernel[T](wino4, k, l.In, l.Out, false)
	fc.wb = winoKernel[T](wino4, k, l.In, l.Out, true)
}

// thinCols is the width of the thin layer's backward im2col rows: its 9·in columns rounded up to
// whole 8-column panels.
func thinCols(in int) int { return (9*in + 7) &^ 7 }

// thinRows is how many positions a worker gathers into im2col rows at a time.
const thinRows = 128

// convForward computes y = ReLU(conv3×3(x) + bias) for x laid out as rows × cols (in channels),
// its padding as the axes say.
func (n *Fast[T]) convForward(fc *fastConv[T], y, x []T, rows, cols *axis) {
	h, w := rows.n, cols.n
	cin, cout := fc.in, fc.out
	if fc.thin {
		k := 9 * cin
		n.thin.prepare(gemm.Workers(), thinRows*k, gemm.BufLen(k))
		gemm.Ranges(h*w, gemm.Grain(h*w, thinRows), func(wk, lo, hi int) {
			for p0 := lo; p0 < hi; p0 += thinRows {
				m := min(thinRows, hi-p0)
				buf := n.thin.workers[wk]
				im2col(buf.cols[:m*k], x, p0, m, rows, cols, cin)
				out := y[p0*cout : (p0+m)*cout]
				for p := range m {
					copy(out[p*cout:(p+1)*cout], fc.bias)
				}
				gemm.Serial(out, m, buf.cols, k, fc.fwd, 0, buf.buf)
				gemm.ReLU(out)
			}
		})
		return
	}
	// Winograd computes the valid correlation over the padded input, (h+2)×(w+2); its grid
	// reads x through the padding's sources, so no padded copy is made.
	io := n.io(x, w, h+2, w+2, y, w, h, w)
	for p := range h + 2 {
		io.rowSrc[p] = rows.source(p - 1)
	}
	for p := range w + 2 {
		io.colSrc[p] = cols.source(p - 1)
	}
	for p := range h {
		io.rowDst[p] = p
	}
	for p := range w {
		io.colDst[p] = p
	}
	io.numberEdges()
	winograd(wino4, io, h+2, w+2, cin, fc.wf, fc.bias, true, &n.wino)
}

// im2col writes the 9·c-column rows of positions p0 … p0+m−1 of x (rows × cols positions, c
// channels) into cols: tap t = 3·di + dj of position (i, j) is x at (i+di−1, j+dj−1) through the
// padding.
func im2col[T feature.Float](dst, x []T, p0, m int, rows, cols *axis, c int) {
	w := cols.n
	for p := range m {
		i, j := (p0+p)/w, (p0+p)%w
		row := dst[p*9*c : (p+1)*9*c]
		for t := range 9 {
			si, sj := rows.source(i+t/3-1), cols.source(j+t%3-1)
			out := row[t*c : (t+1)*c]
			if si < 0 || sj < 0 {
				clear(out)
			} else {
				copy(out, x[(si*w+sj)*c:])
			}
		}
	}
}

// convBackward computes gx = ∂⟨y, gy⟩/∂x for y = convForward(x): the ReLU mask (applied to gy in
// place: gy is the engine's own buffer), then the transposed convolution — the gradient with
// respect to the padded input — folded back through the padding's adjoint (border gradients go
// to the positions they copied).
func (n *Fast[T]) convBackward(fc *fastConv[T], ws *workspace[T], gx, gy, y []T, rows, cols *axis) {
	h, w := rows.n, cols.n
	cin, cout := fc.in, fc.out
	gemm.Ranges(h, gemm.Grain(h, 1), func(_, lo, hi int) {
		gemm.Mask(gy[lo*w*cout:hi*w*cout], y[lo*w*cout:hi*w*cout])
	})
	if fc.thin {
		// ∂/∂(im2col row) = gy · Kᵀ for every position, then each input position gathers the
		// taps that read it (itself, or through the padding).
		k := thinCols(cin)
		gcols := grow(&ws.cols, h*w*k)
		gemm.Product(gcols, h*w, gy, fc.bwd)
		gemm.Ranges(h, gemm.Grain(h, 1), func(_, lo, hi int) {
			for a := lo; a < hi; a++ {
				col2im(gx[a*w*cin:(a+1)*w*cin], gcols, k, a, rows, cols, cin)
			}
		})
		return
	}
	// dXp(pi, pj) = Σ g(pi−di, pj−dj)·K[di][dj]ᵀ: a valid correlation of the masked gradient,
	// framed by two zeros, with the flipped, transposed kernel. Its interior is gx itself; the
	// border (the padding's positions) goes to the edge slots and is folded back below.
	io := n.io(gy, w, h+4, w+4, gx, w, h+2, w+2)
	for p := range h + 4 {
		io.rowSrc[p] = inside(p-2, h)
	}
	for p := range w + 4 {
		io.colSrc[p] = inside(p-2, w)
	}
	for p := range h + 2 {
		io.rowDst[p] = inside(p-1, h)
	}
	for p := range w + 2 {
		io.colDst[p] = inside(p-1, w)
	}
	io.edge = grow(&ws.edge, io.numberEdges()*cin)
	winograd(wino4, io, h+4, w+4, cout, fc.wb, nil, false, &n.wino)
	for pi := range h + 2 {
		for pj := range w + 2 {
			if io.rowDst[pi] >= 0 && io.colDst[pj] >= 0 {
				continue
			}
			si, sj := rows.source(pi-1), cols.source(pj-1)
			if si < 0 || sj < 0 {
				continue
			}
			src := io.dst(pi, pj, cin)
			dst := gx[(si*w+sj)*cin : (si*w+sj+1)*cin]
			for c, v := range src {
				dst[c] += v
			}
		}
	}
}

// inside is p where 0 ≤ p < n, −1 elsewhere.
func inside(p, n int) int {
	if p < 0 || p >= n {
		return -1
	}
	return p
}

// col2im writes into dst (row a of the input gradient: w positions × c) the sum of the im2col
// gradients gcols that read each of its positions: position (i, j)'s tap (di, dj) read the
// padded position (i+di, j+dj), which is input position (source(i+di−1), source(j+dj−1)).
// gcols holds k values a position (9·c and its panel padding).
func col2im[T feature.Float](dst, gcols []T, k, a int, rows, cols *axis, c int) {
	h, w := rows.n, cols.n
	clear(dst)
	pr, nr := rows.copiedAt(a)
	for b := range w {
		pc, nc := cols.copiedAt(b)
		out := dst[b*c : (b+1)*c]
		for _, r := range pr[:nr] {
			for di := range 3 {
				i := r - di
				if i < 0 || i >= h {
					continue
				}
				for _, q := range pc[:nc] {
					for dj := range 3 {
						j := q - dj
						if j < 0 || j >= w {
							continue
						}
						src := gcols[(i*w+j)*k+(di*3+dj)*c:][:c]
						for ch, v := range src {
							out[ch] += v
						}
					}
				}
			}
		}
	}
}

// io returns the engine's winoIO, its index slices sized for a grid of gh×gw and an output of
// oh×ow.
func (n *Fast[T]) io(in []T, inW, gh, gw int, out []T, outW, oh, ow int) *winoIO[T] {
	io := &n.wio
	io.in, io.inW, io.out, io.outW, io.edge = in, inW, out, outW, nil
	io.rowSrc, io.colSrc = growInts(io.rowSrc, gh), growInts(io.colSrc, gw)
	io.rowDst, io.colDst = growInts(io.rowDst, oh), growInts(io.colDst, ow)
	return io
}

func growInts(b []int, n int) []int {
	if cap(b) < n {
		return make([]int, n)
	}
	return b[:n]
}

// thinScratch is the workers' buffers for the thin layer's products.
type thinScratch[T feature.Float] struct{ workers []*thinBuf[T] }

type thinBuf[T feature.Float] struct{ cols, buf []T }

func (s *thinScratch[T]) prepare(nw, cols, buf int) {
	for len(s.workers) < nw {
		s.workers = append(s.workers, &thinBuf[T]{})
	}
	for _, b := range s.workers[:nw] {
		b.cols, b.buf = grow(&b.cols, cols), grow(&b.buf, buf)
	}
}
