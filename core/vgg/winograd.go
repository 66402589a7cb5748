package vgg

import (
	"sync"
	"sync/atomic"

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

// chunkTiles is the chunk for a layer whose widest side has width channels: winoChunk, or, when
// the product kernel shares each product among threads (gemm.Pooled, the page's worker pool),
// about 32 768 rows × channels (512 tiles at 64 channels, 64 at 512), so that each of the n²
// products is worth splitting.
func chunkTiles(width int) int {
	if gemm.Pooled() <= 1 {
		return winoChunk
	}
	return max(winoChunk, 32768/width/winoChunk*winoChunk)
}

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

// winoScratch is one worker's buffers, kept from call to call (wasm memory never shrinks, so
// garbage costs peak memory there).
type winoScratch[T feature.Float] struct{ v, m, buf, tmpIn, tmpOut, zero []T }

func grow[T feature.Float](b *[]T, n int) []T {
	if cap(*b) < n {
		*b = make([]T, n)
	}
	return (*b)[:n]
}

// winograd computes out[(i, j), o] = bias[o] + Σ_{di,dj,c} grid[(i+di, j+dj), c] · g[di][dj][c][o]
// for the (hi-2)×(wi-2) valid positions of an hi×wi×in grid; u is winoKernel(spec, g). scratch
// holds the workers' buffers and is grown as needed.
func winograd[T feature.Float](spec *winoSpec, out []T, grid []T, hi, wi, in int, u *gemm.Packed[T], bias []T, scratch *[]*winoScratch[T]) {
	tm, tn := spec.m, spec.n
	nn := tn * tn
	ho, wo, cout := hi-2, wi-2, u.N
	th, tw := (ho+tm-1)/tm, (wo+tm-1)/tm
	tiles := th * tw
	chunk := chunkTiles(max(in, cout))
	chunks := (tiles + chunk - 1) / chunk
	nw := min(gemm.Workers(), chunks)
	bt, at := matrixT[T](spec.bt), matrixT[T](spec.at)
	for len(*scratch) < nw {
		*scratch = append(*scratch, &winoScratch[T]{})
	}
	var next atomic.Int64
	run := func(sc *winoScratch[T]) {
		v := grow(&sc.v, nn*chunk*in)
		m := grow(&sc.m, nn*chunk*cout)
		buf := grow(&sc.buf, gemm.BufLen(in))
		tmpIn := rows(grow(&sc.tmpIn, nn*in), in)          // Bᵀ d, one channel vector per row
		tmpOut := rows(grow(&sc.tmpOut, tm*tn*cout), cout) // Aᵀ M
		zero := grow(&sc.zero, max(in, cout))
		clear(zero)
		mx := &gemm.Steps[T]{Zero: zero}
		d := make([][]T, nn)
		vs := make([][]T, nn)
		for {
			ch := int(next.Add(1)) - 1
			if ch >= chunks {
				return
			}
			t0 := ch * chunk
			n := min(chunk, tiles-t0)
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
					vs[xi] = v[(xi*chunk+tl)*in : (xi*chunk+tl+1)*in]
				}
				// tmp = Bᵀ d (rows), then V = tmp B (columns).
				for i := range tn {
					for s := range tn {
						mx.Combine(tmpIn[i*tn+s], bt[i], d, s, tn)
					}
				}
				for i := range tn {
					for j := range tn {
						mx.Combine(vs[i*tn+j], bt[j], tmpIn, i*tn, 1)
					}
				}
			}
			mx.Flush()
			// The n² products.
			mm := m[:nn*chunk*cout]
			clear(mm)
			for xi := range nn {
				gemm.Serial(mm[xi*chunk*cout:], n, v[xi*chunk*in:], in, u, xi, buf)
			}
			// Output transform: Y = Aᵀ M A.
			for tl := range n {
				a, b := (t0+tl)/tw, (t0+tl)%tw
				for xi := range nn {
					vs[xi] = m[(xi*chunk+tl)*cout : (xi*chunk+tl+1)*cout]
				}
				for i := range tm { // tmp = Aᵀ M
					for s := range tn {
						mx.Combine(tmpOut[i*tn+s], at[i], vs, s, tn)
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
						mx.Combine(dst, at[j], tmpOut, i*tn, 1)
						if bias != nil {
							mx.Mix(dst, 1, bias[:cout], false)
						}
					}
				}
			}
			mx.Flush()
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

// rows views b as consecutive rows of width elements.
func rows[T feature.Float](b []T, width int) [][]T {
	out := make([][]T, len(b)/width)
	for i := range out {
		out[i] = b[i*width : (i+1)*width]
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
