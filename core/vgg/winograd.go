package vgg

import (
	"math"
	"sync"
	"sync/atomic"
)

// Winograd F(m×m, 3×3) (Lavin & Gray 2016): each m×m output tile of a 3×3 correlation is
// computed from an n×n input tile (n = m+2) as n² independent matrix products
// [tiles × in]·[in × out] between transformed input tiles V = Bᵀ d B and transformed kernels
// U = G g Gᵀ, then Y = Aᵀ M A per tile: n²/m² multiplications per output and channel pair
// instead of 9 (4 for F(2×2), 2.25 for F(4×4)). The backward pass is a 3×3 correlation as well
// (of the zero-framed output gradient with the flipped, transposed kernel), so it takes the
// same path.

// winoSpec holds the transform matrices of one tile size.
type winoSpec struct {
	m, n int
	bt   [][]float64 // n×n
	g    [][]float64 // n×3
	at   [][]float64 // m×n
}

var (
	// wino2 is F(2×2, 3×3).
	wino2 = &winoSpec{m: 2, n: 4,
		bt: [][]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
		g:  [][]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
		at: [][]float64{{1, 1, 1, 0}, {0, 1, -1, -1}},
	}
	// wino4 is F(4×4, 3×3), interpolation points 0, ±1, ±2, ∞.
	wino4 = &winoSpec{m: 4, n: 6,
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
)

// winoChunk is how many tiles one worker transforms and multiplies at a time: small enough that
// the transformed tiles of a chunk stay in cache.
const winoChunk = 32

// winoKernel transforms a layer's 3×3 kernels (k: OIHW, in and out channels) into the n²
// matrices U_ξ, written straight into packed form: [in × out] for the forward pass, or, with
// backward, [out × in] of the flipped kernels (the input gradient's correlation).
// It reads k directly rather than through a closure: in wasm, Go's calls are slow enough that
// a closure per weight made building VGG-16 take seconds.
func winoKernel[T Float](spec *winoSpec, k []float32, in, out int, backward bool) *packed[T] {
	rows, cols := in, out
	if backward {
		rows, cols = out, in
	}
	n := spec.n
	var gm [8][3]float64 // spec.g, n ≤ 8
	for i := range n {
		copy(gm[i][:], spec.g[i])
	}
	panels := (cols + nr - 1) / nr
	p := &packed[T]{taps: n * n, k: rows, n: cols, data: make([]T, n*n*panels*rows*nr)}
	plane := panels * rows * nr // one U_ξ
	var g [9]float64
	var tmp [8][3]float64
	// Panel, then row, then the panel's columns: the n² planes are written in order, not
	// scattered.
	for pn := range panels {
		for r := range rows {
			for cc := range min(nr, cols-pn*nr) {
				col := pn*nr + cc
				if backward {
					src := k[(r*in+col)*9 : (r*in+col)*9+9]
					for t := range 9 {
						g[t] = float64(src[8-t])
					}
				} else {
					src := k[(col*in+r)*9 : (col*in+r)*9+9]
					for t := range 9 {
						g[t] = float64(src[t])
					}
				}
				for i := range n { // G g
					gi := &gm[i]
					for j := range 3 {
						tmp[i][j] = gi[0]*g[j] + gi[1]*g[3+j] + gi[2]*g[6+j]
					}
				}
				base := (pn*rows+r)*nr + cc
				for i := range n { // (G g) Gᵀ
					ti := &tmp[i]
					for j := range n {
						gj := &gm[j]
						p.data[(i*n+j)*plane+base] = T(ti[0]*gj[0] + ti[1]*gj[1] + ti[2]*gj[2])
					}
				}
			}
		}
	}
	return p
}

// winoScratch is one worker's buffers, kept from call to call (wasm memory never shrinks, so
// garbage costs peak memory there).
type winoScratch[T Float] struct{ v, m, buf, tmpIn, tmpOut, zero []T }

func grow[T Float](b *[]T, n int) []T {
	if cap(*b) < n {
		*b = make([]T, n)
	}
	return (*b)[:n]
}

// winograd computes out[(i, j), o] = bias[o] + Σ_{di,dj,c} grid[(i+di, j+dj), c] · g[di][dj][c][o]
// for the (hi-2)×(wi-2) valid positions of an hi×wi×in grid; u is winoKernel(spec, g). scratch
// holds the workers' buffers and is grown as needed.
func winograd[T Float](spec *winoSpec, out []T, grid []T, hi, wi, in int, u *packed[T], bias []T, scratch *[]*winoScratch[T]) {
	tm, tn := spec.m, spec.n
	nn := tn * tn
	ho, wo, cout := hi-2, wi-2, u.n
	th, tw := (ho+tm-1)/tm, (wo+tm-1)/tm
	tiles := th * tw
	chunks := (tiles + winoChunk - 1) / winoChunk
	nw := min(workers(), chunks)
	bt, at := matrixT[T](spec.bt), matrixT[T](spec.at)
	for len(*scratch) < nw {
		*scratch = append(*scratch, &winoScratch[T]{})
	}
	var next atomic.Int64
	run := func(sc *winoScratch[T]) {
		v := grow(&sc.v, nn*winoChunk*in)
		m := grow(&sc.m, nn*winoChunk*cout)
		buf := grow(&sc.buf, mc*min(in, kc))
		tmpIn := grow(&sc.tmpIn, nn*in)
		tmpOut := grow(&sc.tmpOut, tm*tn*cout)
		zero := grow(&sc.zero, max(in, cout))
		clear(zero)
		mx := &mixer[T]{zero: zero}
		d := make([][]T, nn)
		vs := make([][]T, nn)
		for {
			ch := int(next.Add(1)) - 1
			if ch >= chunks {
				return
			}
			t0 := ch * winoChunk
			n := min(winoChunk, tiles-t0)
			// Input transform: V_ξ[tile, c].
			for tl := range n {
				a, b := (t0+tl)/tw, (t0+tl)%tw
				for r := range tn {
					for s := range tn {
						y, x := tm*a+r, tm*b+s
						if y < hi && x < wi {
							d[r*tn+s] = grid[(y*wi+x)*in : (y*wi+x+1)*in]
						} else {
							d[r*tn+s] = zero[:in]
						}
					}
				}
				for xi := range nn {
					vs[xi] = v[(xi*winoChunk+tl)*in : (xi*winoChunk+tl+1)*in]
				}
				// tmp = Bᵀ d (rows), then V = tmp B (columns).
				for i := range tn {
					for s := range tn {
						row := tmpIn[(i*tn+s)*in : (i*tn+s+1)*in]
						mx.combine(row, bt[i], d, s, tn)
					}
				}
				for i := range tn {
					for j := range tn {
						mx.combineRows(vs[i*tn+j], bt[j], tmpIn, i*tn, in)
					}
				}
			}
			mx.flush()
			// The n² products.
			mm := m[:nn*winoChunk*cout]
			clear(mm)
			for xi := range nn {
				productSerial(mm[xi*winoChunk*cout:], n, v[xi*winoChunk*in:], in, u, xi, buf)
			}
			// Output transform: Y = Aᵀ M A.
			for tl := range n {
				a, b := (t0+tl)/tw, (t0+tl)%tw
				for xi := range nn {
					vs[xi] = m[(xi*winoChunk+tl)*cout : (xi*winoChunk+tl+1)*cout]
				}
				for i := range tm { // tmp = Aᵀ M
					for s := range tn {
						mx.combine(tmpOut[(i*tn+s)*cout:(i*tn+s+1)*cout], at[i], vs, s, tn)
					}
				}
				for i := range tm {
					y := tm*a + i
					if y >= ho {
						break
					}
					for j := range tm {
						x := tm*b + j
						if x >= wo {
							break
						}
						dst := out[(y*wo+x)*cout : (y*wo+x+1)*cout]
						mx.combineRows(dst, at[j], tmpOut, i*tn, cout)
						if bias != nil {
							mx.mixIn(dst, 1, bias[:cout], false)
						}
					}
				}
			}
			mx.flush()
		}
	}
	if nw <= 1 {
		run((*scratch)[0])
		return
	}
	var wg sync.WaitGroup
	for i := range nw {
		sc := (*scratch)[i]
		wg.Go(func() { run(sc) })
	}
	wg.Wait()
}

func matrixT[T Float](m [][]float64) [][]T {
	out := make([][]T, len(m))
	for i, r := range m {
		out[i] = make([]T, len(r))
		for j, v := range r {
			out[i][j] = T(v)
		}
	}
	return out
}

// mixer does the transforms' steps "dst = k·x" or "dst += k·x" on channel vectors: at once in
// Go, or, where the platform has a vector kernel for them (mixF32: SIMD128 in wasm), recorded
// and run in one batch per stage of a chunk, since a call into that kernel costs about as much
// as a few hundred multiply-adds. Steps run in the order they were given either way.
type mixer[T Float] struct {
	zero []T     // zeros, at least as long as any dst
	ops  []int32 // recorded steps: dst address, x address, k's bits, 1 to add
	n    int     // the vectors' length in the recorded steps
}

// mixF32, when set, runs recorded steps on vectors of n float32s (a multiple of 4); addrF32
// gives a float's address for them.
var (
	mixF32  func(ops []int32, n int)
	addrF32 func(p *float32) int32
)

// mixIn sets dst = k·x (first) or adds k·x to it.
func (mx *mixer[T]) mixIn(dst []T, k T, x []T, first bool) {
	if mixF32 != nil && len(dst)%4 == 0 && len(dst) > 0 && (mx.n == 0 || mx.n == len(dst)) {
		if d, ok := any(dst).([]float32); ok {
			add := int32(1)
			if first {
				add = 0
			}
			xs := any(x).([]float32)[:len(d)]
			mx.ops = append(mx.ops, addrF32(&d[0]), addrF32(&xs[0]), int32(math.Float32bits(float32(k))), add)
			mx.n = len(d)
			return
		}
	}
	mx.flush()
	mixIn(dst, k, x, first)
}

// flush runs the recorded steps.
func (mx *mixer[T]) flush() {
	if len(mx.ops) > 0 {
		mixF32(mx.ops, mx.n)
		mx.ops = mx.ops[:0]
	}
	mx.n = 0
}

// combine sets dst = Σ_r coef[r] · src[r·stride + s] (whole channel vectors), skipping zeros.
func (mx *mixer[T]) combine(dst []T, coef []T, src [][]T, s, stride int) {
	first := true
	for r, k := range coef {
		if k == 0 {
			continue
		}
		x := src[r*stride+s][:len(dst)]
		mx.mixIn(dst, k, x, first)
		first = false
	}
	if first {
		mx.mixIn(dst, 0, mx.zero[:len(dst)], true)
	}
}

// combineRows sets dst = Σ_s coef[s] · tmp[(row0+s)·len : …] (channel vectors of a tmp row).
func (mx *mixer[T]) combineRows(dst []T, coef []T, tmp []T, row0, width int) {
	first := true
	for s, k := range coef {
		if k == 0 {
			continue
		}
		x := tmp[(row0+s)*width : (row0+s+1)*width][:len(dst)]
		mx.mixIn(dst, k, x, first)
		first = false
	}
	if first {
		mx.mixIn(dst, 0, mx.zero[:len(dst)], true)
	}
}

// mixIn sets dst = k·x (first) or adds k·x to it, with the transforms' common coefficients 1 and
// −1 as plain copies and additions.
func mixIn[T Float](dst []T, k T, x []T, first bool) {
	switch {
	case first && k == 1:
		copy(dst, x)
	case first:
		for c, v := range x {
			dst[c] = k * v
		}
	case k == 1:
		for c, v := range x {
			dst[c] += v
		}
	case k == -1:
		for c, v := range x {
			dst[c] -= v
		}
	default:
		for c, v := range x {
			dst[c] += k * v
		}
	}
}
