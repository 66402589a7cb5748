package vgg

import (
	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
)

// Winograd F(m×m, 3×3) (Lavin & Gray 2016): each m×m output tile of a 3×3 correlation is
// computed from an n×n input tile (n = m+2) as n² independent matrix products
// [tiles × in]·[in × out] between transformed input tiles V = Bᵀ d B and transformed kernels
// U = G g Gᵀ, then Y = Aᵀ M A per tile: n²/m² multiplications per output and channel pair
// instead of 9 (2.25 for F(4×4), the one used here). The backward pass is a 3×3 correlation as well
// (of the zero-framed output gradient with the flipped, transposed kernel), so it takes the
// same path.

// winoSpec holds the transform matrices of one tile size.
type winoSpec struct {
	m, n int
	bt   [][]float64 // n×n
	g    [][]float64 // n×3
	at   [][]float64 // m×n
}

// wino4 is F(4×4, 3×3), interpolation points 0, ±1, ±2, ∞: 36 products per 16 outputs instead
// of 144, and 35 % fewer multiplications than F(2×2) with the transforms counted
// (docs/performance-history.md); its float32 error on VGG's layers is about 2e-6.
var wino4 = &winoSpec{m: 4, n: 6,
	bt: [][]float64{
		{4, 0, -5, 0, 1, 0},
		{0, -4, -4, 1, 1, 0},
		{0, 4, -4, -1, 1, 0},
		{0, -2, -1, 2, 1, 0},
		{0, 2, -1, -2, 1, 0},
		{0, 4, 0, -5, 0, 1},
	},
	g: [][]float64{
		{1.0 / 4, 0, 0},
		{-1.0 / 6, -1.0 / 6, -1.0 / 6},
		{-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6},
		{1.0 / 24, -1.0 / 12, 1.0 / 6},
		{0, 0, 1},
	},
	at: [][]float64{
		{1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0},
		{0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1},
	},
}

// winoChunk is how many tiles one worker transforms and multiplies at a time: small enough that
// the transformed tiles of a chunk stay in cache.
const winoChunk = 32

// winoKernel transforms a layer's 3×3 kernels (k: OIHW, in and out channels) into the n²
// matrices U_ξ = (G g Gᵀ)_ξ, packed for the products: [in × out] for the forward pass, or, with
// backward, [out × in] of the flipped kernels (the input gradient's correlation). U_ξ is linear
// in the nine taps, U_(i,j) = Σ_(a,b) G[i][a]·G[j][b]·g_(a,b), and packing is linear too, so the
// taps are packed once as nine planes and each U_ξ is one combination of whole planes: long
// vector steps (SIMD in wasm) instead of a small matrix product per channel pair, which took
// seconds in wasm.
func winoKernel[T feature.Float](spec *winoSpec, k []float32, in, out int, backward bool) *gemm.Packed[T] {
	rows, cols := in, out
	if backward {
		rows, cols = out, in
	}
	n := spec.n
	panels := (cols + gemm.PanelCols - 1) / gemm.PanelCols
	plane := panels * rows * gemm.PanelCols
	taps := make([]T, 9*plane)
	for col := range cols {
		for r := range rows {
			// Forward: g[t] = k[col][r][t]; backward: k[r][col][8−t].
			base := (col/gemm.PanelCols*rows+r)*gemm.PanelCols + col%gemm.PanelCols
			if backward {
				src := k[(r*in+col)*9 : (r*in+col)*9+9]
				for t := range 9 {
					taps[t*plane+base] = T(src[8-t])
				}
			} else {
				src := k[(col*in+r)*9 : (col*in+r)*9+9]
				for t := range 9 {
					taps[t*plane+base] = T(src[t])
				}
			}
		}
	}
	src := make([][]T, 9)
	for t := range src {
		src[t] = taps[t*plane : (t+1)*plane]
	}
	p := &gemm.Packed[T]{Taps: n * n, K: rows, N: cols, Data: make([]T, n*n*plane)}
	st := &gemm.Steps[T]{Zero: make([]T, plane)}
	coef := make([]T, 9)
	for i := range n {
		for j := range n {
			for t := range 9 {
				coef[t] = T(spec.g[i][t/3] * spec.g[j][t%3])
			}
			st.Combine(p.Data[(i*n+j)*plane:(i*n+j+1)*plane], coef, src, 0, 1)
		}
	}
	st.Flush()
	return p
}

// winoIO says where a Winograd correlation reads its grid and writes its output, so that no
// padded copy of a map is ever made: grid position (y, x) is in's position (rowSrc[y],
// colSrc[x]) (in is inW positions wide), or a zero where either is −1; output position (y, x)
// is out's position (rowDst[y], colDst[x]) (out is outW wide), or, where either is −1, a slot
// of edge (edgeSlot), which the caller folds back itself (the backward pass's padding adjoint).
type winoIO[T feature.Float] struct {
	in             []T
	inW            int
	rowSrc, colSrc []int
	out            []T
	outW           int
	rowDst, colDst []int
	edge           []T
	// rowEdge[y] numbers the output rows with rowDst[y] = −1 (−1 for the others); colEdge the
	// same for columns. The edge slots are those rows whole, then those columns whole (their
	// slots in the edge rows stay unused).
	rowEdge, colEdge []int
	edgeRows         int
}

// dst is where output position (y, x) goes, c channels.
func (io *winoIO[T]) dst(y, x, c int) []T {
	if r, cc := io.rowDst[y], io.colDst[x]; r >= 0 && cc >= 0 {
		p := (r*io.outW + cc) * c
		return io.out[p : p+c]
	}
	ho, wo := len(io.rowDst), len(io.colDst)
	slot := io.edgeRows*wo + io.colEdge[x]*ho + y
	if e := io.rowEdge[y]; e >= 0 {
		slot = e*wo + x
	}
	return io.edge[slot*c : (slot+1)*c]
}

// numberEdges fills rowEdge and colEdge from rowDst and colDst and returns how many edge slots
// there are.
func (io *winoIO[T]) numberEdges() int {
	number := func(dst []int, e *[]int) int {
		*e = (*e)[:0]
		k := 0
		for _, d := range dst {
			if d < 0 {
				*e = append(*e, k)
				k++
			} else {
				*e = append(*e, -1)
			}
		}
		return k
	}
	io.edgeRows = number(io.rowDst, &io.rowEdge)
	cols := number(io.colDst, &io.colEdge)
	return io.edgeRows*len(io.colDst) + cols*len(io.rowDst)
}

// winoScratch holds the buffers of the Winograd convolutions, kept from call to call (wasm memory
// never shrinks, so garbage costs peak memory there): one set per worker, and the transformed
// tiles of a group when the workers share its products.
type winoScratch[T feature.Float] struct {
	bt, at  [][]T
	workers []*winoWorker[T]
	v, m    []T
}

// winoWorker is one worker's buffers.
type winoWorker[T feature.Float] struct {
	v, m, buf, zero []T
	tmpIn, tmpOut   []T
	inRows, outRows [][]T // tmpIn and tmpOut as rows of one channel vector
	d, vs           [][]T
	mx              gemm.Steps[T]
}

// prepare grows the buffers of nw workers for in and out channels; it runs before the workers
// start, so that they only read sc.
func (sc *winoScratch[T]) prepare(spec *winoSpec, nw, in, out int) {
	for len(sc.workers) < nw {
		sc.workers = append(sc.workers, &winoWorker[T]{})
	}
	for _, wk := range sc.workers[:nw] {
		wk.grow(spec, in, out)
	}
}

func (wk *winoWorker[T]) grow(spec *winoSpec, in, out int) {
	nn := spec.n * spec.n
	wk.v = grow(&wk.v, nn*winoChunk*in)
	wk.m = grow(&wk.m, nn*winoChunk*out)
	wk.buf = grow(&wk.buf, gemm.BufLen(in))
	if c := max(in, out); len(wk.zero) < c {
		wk.zero = make([]T, c)
	}
	wk.mx.Zero = wk.zero
	wk.tmpIn = grow(&wk.tmpIn, nn*in)
	wk.tmpOut = grow(&wk.tmpOut, spec.m*spec.n*out)
	wk.inRows = rowsInto(wk.inRows, wk.tmpIn, in)
	wk.outRows = rowsInto(wk.outRows, wk.tmpOut, out)
	if len(wk.d) < nn {
		wk.d, wk.vs = make([][]T, nn), make([][]T, nn)
	}
}

func grow[T feature.Float](b *[]T, n int) []T {
	if cap(*b) < n {
		*b = make([]T, n)
	}
	return (*b)[:n]
}

// phasedTiles is the most tiles the workers transform together before sharing their products,
// which bounds the group's buffers (36 × tiles × channels each).
const phasedTiles = 256

// winograd computes the valid 3×3 correlation of an hi×wi grid of in channels (io) with the
// kernels u = winoKernel(spec, g): output (y, x, o) = bias[o] + Σ_{di,dj,c} grid(y+di, x+dj, c) ·
// g[di][dj][c][o] at the (hi−2)×(wi−2) output positions, then ReLU if relu.
//
// The work is split over the workers in one of two ways, which give the same bits (every row of
// a product is computed alike wherever it sits: core/gemm): with many tiles, each worker takes
// whole chunks of winoChunk tiles through the input transform, the n² products and the output
// transform, keeping the chunk in its own cache; with few (the deep layers, whose maps are
// small), the workers transform the tiles of a group together, then share out its n² products
// in row blocks, then the output transforms, so that a layer of one chunk still runs on every
// core and each worker reads only its share of the kernels. Where the vector kernel splits each
// product over threads itself (gemm.Pooled: the page's worker pool), every layer takes the second
// way with each of a group's n² products whole, the largest products the group allows.
func winograd[T feature.Float](spec *winoSpec, io *winoIO[T], hi, wi, in int, u *gemm.Packed[T], bias []T, relu bool, sc *winoScratch[T]) {
	tm, nn := spec.m, spec.n*spec.n
	ho, wo, cout := hi-2, wi-2, u.N
	th, tw := (ho+tm-1)/tm, (wo+tm-1)/tm
	tiles := th * tw
	chunks := (tiles + winoChunk - 1) / winoChunk
	nw := gemm.Workers()
	if sc.bt == nil {
		sc.bt, sc.at = matrixT[T](spec.bt), matrixT[T](spec.at)
	}
	sc.prepare(spec, nw, in, cout)
	g := &winoGeom[T]{spec: spec, io: io, hi: hi, wi: wi, ho: ho, wo: wo, tw: tw, in: in, out: cout, bias: bias, relu: relu, bt: sc.bt, at: sc.at}
	pooled := gemm.Pooled() > 1
	if chunks >= 3*nw && !pooled {
		gemm.Tasks(chunks, func(w, ch int) {
			wk := sc.workers[w]
			t0 := ch * winoChunk
			n := min(winoChunk, tiles-t0)
			for tl := range n {
				g.input(wk, t0+tl, wk.v, winoChunk, tl)
			}
			wk.mx.Flush()
			mm := wk.m[:nn*winoChunk*cout]
			clear(mm)
			for xi := range nn {
				gemm.Serial(mm[xi*winoChunk*cout:], n, wk.v[xi*winoChunk*in:], in, u, xi, wk.buf)
			}
			for tl := range n {
				g.output(wk, t0+tl, wk.m, winoChunk, tl)
			}
			g.finish(wk, t0, t0+n)
		})
		return
	}
	for g0 := 0; g0 < tiles; g0 += phasedTiles {
		gn := min(phasedTiles, tiles-g0)
		v, m := grow(&sc.v, nn*gn*in), grow(&sc.m, nn*gn*cout)
		grain := gemm.Grain(gn, 1)
		gemm.Ranges(gn, grain, func(w, lo, hi int) {
			wk := sc.workers[w]
			for t := lo; t < hi; t++ {
				g.input(wk, g0+t, v, gn, t)
			}
			wk.mx.Flush()
		})
		// Row blocks for the workers; with a pooled kernel (one worker), each tap's whole product,
		// which the pool splits itself.
		block := winoChunk
		if pooled {
			block = gn
		}
		blocks := (gn + block - 1) / block
		gemm.Tasks(nn*blocks, func(w, i int) {
			wk := sc.workers[w]
			xi, r0 := i/blocks, (i%blocks)*block
			rows := min(block, gn-r0)
			c := m[(xi*gn+r0)*cout : (xi*gn+r0+rows)*cout]
			clear(c)
			gemm.Serial(c, rows, v[(xi*gn+r0)*in:], in, u, xi, wk.buf)
		})
		gemm.Ranges(gn, grain, func(w, lo, hi int) {
			wk := sc.workers[w]
			for t := lo; t < hi; t++ {
				g.output(wk, g0+t, m, gn, t)
			}
			g.finish(wk, g0+lo, g0+hi)
		})
	}
}

// winoGeom is what the transforms of one winograd call share.
type winoGeom[T feature.Float] struct {
	spec               *winoSpec
	io                 *winoIO[T]
	hi, wi, ho, wo, tw int
	in, out            int
	bias               []T
	relu               bool
	bt, at             [][]T
}

// input transforms tile t of the grid into V_ξ = (Bᵀ d B)_ξ, row row of v's matrices (stride
// rows apart).
func (g *winoGeom[T]) input(wk *winoWorker[T], t int, v []T, stride, row int) {
	tm, tn, in, io := g.spec.m, g.spec.n, g.in, g.io
	a, b := t/g.tw, t%g.tw
	d, vs, mx := wk.d, wk.vs, &wk.mx
	for r := range tn {
		y := tm*a + r
		sr := -1
		if y < g.hi {
			sr = io.rowSrc[y]
		}
		for s := range tn {
			x := tm*b + s
			sc := -1
			if x < g.wi {
				sc = io.colSrc[x]
			}
			if sr >= 0 && sc >= 0 {
				p := (sr*io.inW + sc) * in
				d[r*tn+s] = io.in[p : p+in]
			} else {
				d[r*tn+s] = wk.zero[:in]
			}
		}
	}
	for xi := range tn * tn {
		vs[xi] = v[(xi*stride+row)*in : (xi*stride+row+1)*in]
	}
	// tmp = Bᵀ d (rows), then V = tmp B (columns).
	for i := range tn {
		for s := range tn {
			mx.Combine(wk.inRows[i*tn+s], g.bt[i], d, s, tn)
		}
	}
	for i := range tn {
		for j := range tn {
			mx.Combine(vs[i*tn+j], g.bt[j], wk.inRows, i*tn, 1)
		}
	}
}

// output transforms tile t's products (row row of m's matrices, stride rows apart) into its
// outputs: Y = Aᵀ M A, plus the bias.
func (g *winoGeom[T]) output(wk *winoWorker[T], t int, m []T, stride, row int) {
	tm, tn, cout := g.spec.m, g.spec.n, g.out
	a, b := t/g.tw, t%g.tw
	vs, mx := wk.vs, &wk.mx
	for xi := range tn * tn {
		vs[xi] = m[(xi*stride+row)*cout : (xi*stride+row+1)*cout]
	}
	for i := range tm { // tmp = Aᵀ M
		for s := range tn {
			mx.Combine(wk.outRows[i*tn+s], g.at[i], vs, s, tn)
		}
	}
	for i := range tm {
		y := tm*a + i
		if y >= g.ho {
			break
		}
		for j := range tm {
			x := tm*b + j
			if x >= g.wo {
				break
			}
			dst := g.io.dst(y, x, cout)
			mx.Combine(dst, g.at[j], wk.outRows, i*tn, 1)
			if g.bias != nil {
				mx.Mix(dst, 1, g.bias[:cout], false)
			}
		}
	}
}

// finish runs the worker's recorded steps and, for a forward conv, the ReLU of tiles t0 … t1−1.
func (g *winoGeom[T]) finish(wk *winoWorker[T], t0, t1 int) {
	wk.mx.Flush()
	if !g.relu {
		return
	}
	// Output row by output row across the tiles of each tile row, so that positions adjacent in
	// memory go to gemm.ReLU together (one call per run: a call into wasm's kernel module costs
	// several hundred nanoseconds).
	tm := g.spec.m
	var run []T
	for t := t0; t < t1; {
		a, b0 := t/g.tw, t%g.tw
		b1 := min(g.tw, b0+t1-t)
		for y := tm * a; y < min(tm*a+tm, g.ho); y++ {
			for x := tm * b0; x < min(tm*b1, g.wo); x++ {
				d := g.io.dst(y, x, g.out)
				if n := len(run); n > 0 && cap(run)-n >= len(d) && &run[:n+1][n] == &d[0] {
					run = run[:n+len(d)]
					continue
				}
				gemm.ReLU(run)
				run = d
			}
		}
		t += b1 - b0
	}
	gemm.ReLU(run)
}

// rowsInto views b as consecutive rows of width elements, reusing out's storage.
func rowsInto[T feature.Float](out [][]T, b []T, width int) [][]T {
	out = out[:0]
	for i := 0; i+width <= len(b); i += width {
		out = append(out, b[i:i+width])
	}
	return out
}

func matrixT[T feature.Float](m [][]float64) [][]T {
	out := make([][]T, len(m))
	for i, r := range m {
		out[i] = make([]T, len(r))
		for j, v := range r {
			out[i][j] = T(v)
		}
	}
	return out
}
