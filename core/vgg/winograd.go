package vgg

import (
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

// winoKernel transforms a 3×3 kernel given by at(t, c, o) = g[t/3][t%3] for input channel c
// and output channel o into the n² matrices U_ξ [in × out], written straight into packed form.
func winoKernel[T Float](spec *winoSpec, in, out int, at func(t, c, o int) float64) *packed[T] {
	n := spec.n
	panels := (out + nr - 1) / nr
	p := &packed[T]{taps: n * n, k: in, n: out, data: make([]T, n*n*panels*in*nr)}
	var g [9]float64
	tmp := make([]float64, n*3)
	for c := range in {
		for o := range out {
			for t := range 9 {
				g[t] = at(t, c, o)
			}
			for i := range n { // G g
				for j := range 3 {
					s := 0.0
					for k := range 3 {
						s += spec.g[i][k] * g[k*3+j]
					}
					tmp[i*3+j] = s
				}
			}
			base := ((o/nr)*in+c)*nr + o%nr
			for i := range n { // (G g) Gᵀ
				for j := range n {
					s := 0.0
					for k := range 3 {
						s += tmp[i*3+k] * spec.g[j][k]
					}
					p.data[(i*n+j)*panels*in*nr+base] = T(s)
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
						combine(row, bt[i], d, s, tn)
					}
				}
				for i := range tn {
					for j := range tn {
						combineRows(vs[i*tn+j], bt[j], tmpIn, i*tn, in)
					}
				}
			}
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
						combine(tmpOut[(i*tn+s)*cout:(i*tn+s+1)*cout], at[i], vs, s, tn)
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
						combineRows(dst, at[j], tmpOut, i*tn, cout)
						if bias != nil {
							for o, bv := range bias[:cout] {
								dst[o] += bv
							}
						}
					}
				}
			}
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

// combine sets dst = Σ_r coef[r] · src[r·stride + s] (whole channel vectors), skipping zeros.
func combine[T Float](dst []T, coef []T, src [][]T, s, stride int) {
	first := true
	for r, k := range coef {
		if k == 0 {
			continue
		}
		x := src[r*stride+s][:len(dst)]
		mixIn(dst, k, x, first)
		first = false
	}
	if first {
		clear(dst)
	}
}

// combineRows sets dst = Σ_s coef[s] · tmp[(row0+s)·len : …] (channel vectors of a tmp row).
func combineRows[T Float](dst []T, coef []T, tmp []T, row0, width int) {
	first := true
	for s, k := range coef {
		if k == 0 {
			continue
		}
		x := tmp[(row0+s)*width : (row0+s+1)*width][:len(dst)]
		mixIn(dst, k, x, first)
		first = false
	}
	if first {
		clear(dst)
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
