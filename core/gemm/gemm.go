// Package gemm holds the matrix products the network and the losses run: B packed once into
// column panels, a register-blocked portable kernel (A packed per block), and the platform's
// vector kernels where there are some (AVX2 on amd64, reading A in place; SIMD128 in wasm). It
// also runs batches of vector steps (Steps) for the Winograd transforms.
package gemm

import (
	"sync"

	"github.com/texsynth/texsynth/core/feature"
)

// The products are written for the shapes VGG has and for both Go targets: packed panels, a 2×4
// register-blocked micro-kernel whose inner loop has no bounds checks, the rows split over
// goroutines natively and a single thread in wasm (where goroutines do not run in parallel). Where the platform has a vector kernel for float32 (productF32: AVX2 on amd64,
// SIMD128 in wasm), the packed-B layout is shared and only A's packing and the inner loops
// differ.

// PanelCols is the width of a packed B panel: one AVX2 register, two wasm SIMD registers.
const PanelCols = nr

const (
	mr = 2  // rows of the scalar micro-kernel
	nr = 8  // PanelCols
	hr = 4  // columns of the scalar micro-kernel (half a panel)
	mc = 64 // rows per packed A block (a multiple of mr)
	kc = 256
)

// Packed holds the right-hand matrices of a product, one K×N matrix per tap, packed into
// nr-column panels: Data[((t·panels + j)·K + k)·nr + jj] = B_t[k, j·nr + jj], zero beyond N.
type Packed[T feature.Float] struct {
	Taps, K, N int
	Data       []T
}

// Pack packs taps matrices given by at(t, k, j) = B_t[k, j].
func Pack[T feature.Float](taps, k, n int, at func(t, k, j int) T) *Packed[T] {
	panels := (n + nr - 1) / nr
	p := &Packed[T]{Taps: taps, K: k, N: n, Data: make([]T, taps*panels*k*nr)}
	p.Set(at)
	return p
}

// Set repacks p's matrices from at(t, k, j) = B_t[k, j], keeping its shape and storage.
func (p *Packed[T]) Set(at func(t, k, j int) T) {
	panels := (p.N + nr - 1) / nr
	for t := range p.Taps {
		for j := range p.N {
			base := ((t*panels+j/nr)*p.K)*nr + j%nr
			for kk := range p.K {
				p.Data[base+kk*nr] = at(t, kk, j)
			}
		}
	}
}

// Product sets c (m×N) = a · B_0 for the m×K matrix a (rows K apart).
func Product[T feature.Float](c []T, m int, a []T, b *Packed[T]) {
	if (m+mc-1)/mc < Workers() && narrow(c, m, a, b.K, b) {
		return
	}
	clear(c[:m*b.N])
	Shifted(c, m, a, b.K, offsZero, b)
}

// Panel returns B_t's packed rows k0…k0+kn of panel j.
func (p *Packed[T]) Panel(t, j, k0, kn int) []T {
	panels := (p.N + nr - 1) / nr
	off := ((t*panels+j)*p.K + k0) * nr
	return p.Data[off : off+kn*nr]
}

// Shifted accumulates c[p, :] += Σ_t in[(p+offs[t])·lda : +K] · B_t for p in [0, m):
// a convolution whose taps are row shifts of a flattened, padded input (and a plain matrix
// product with one tap at offset 0). c is m×N, row-major. in must hold every row it reads.
func Shifted[T feature.Float](c []T, m int, in []T, lda int, offs []int, b *Packed[T]) {
	blocks := (m + mc - 1) / mc
	if min(Workers(), blocks) <= 1 && whole(c, m, in, lda, offs, b, -1) {
		return
	}
	if min(Workers(), blocks) <= 1 {
		buf := getBuf[T](BufLen(b.K))
		for blk := range blocks {
			productBlock(c, m, blk*mc, in, lda, offs, b, *buf, -1)
		}
		putBuf(buf)
		return
	}
	// Row blocks are independent (each row of c is one dot product per column, the same
	// whichever goroutine computes it): the split a pool of threads can take.
	Tasks(blocks, func(_, blk int) {
		buf := getBuf[T](BufLen(b.K))
		productBlock(c, m, blk*mc, in, lda, offs, b, *buf, -1)
		putBuf(buf)
	})
}

// Scratch for A's packing, reused so that products allocate nothing in steady state when they
// run on one goroutine (the losses run every evaluation; in wasm garbage costs peak memory).
// ProductInPlace's row buffers have a pool of their own, so that neither kind of buffer is
// handed out for the other.
var bufs32, bufs64, rows32, rows64 sync.Pool

func pool[T feature.Float](rows bool) *sync.Pool {
	var zero T
	_, f32 := any(zero).(float32)
	switch {
	case f32 && rows:
		return &rows32
	case f32:
		return &bufs32
	case rows:
		return &rows64
	}
	return &bufs64
}

func getBuf[T feature.Float](n int) *[]T { return get[T](pool[T](false), n) }

func putBuf[T feature.Float](b *[]T) { pool[T](false).Put(b) }

func get[T feature.Float](p *sync.Pool, n int) *[]T {
	if b, ok := p.Get().(*[]T); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]T, n)
	return &b
}

// BufLen is the length of the scratch buffer Serial needs for products with k rows in B.
func BufLen(k int) int { return mc * min(k, kc) }

// Serial accumulates c += a · B_tap on the calling goroutine, for m rows of a (lda apart); buf
// is scratch of BufLen(K).
func Serial[T feature.Float](c []T, m int, a []T, lda int, b *Packed[T], tap int, buf []T) {
	if whole(c, m, a, lda, offsZero, b, tap) {
		return
	}
	for p0 := 0; p0 < m; p0 += mc {
		productBlock(c, m, p0, a, lda, offsZero, b, buf, tap)
	}
}

var offsZero = []int{0}

// productBlock does rows p0…p0+mc of Shifted; tap ≥ 0 picks one matrix of b for a
// single offset.
func productBlock[T feature.Float](c []T, m, p0 int, in []T, lda int, offs []int, b *Packed[T], buf []T, tap int) {
	rows := min(mc, m-p0)
	groups := (rows + mr - 1) / mr
	n := b.N
	panels := (n + nr - 1) / nr
	var tile [mr * hr]T
	for t, off := range offs {
		if tap >= 0 {
			t = tap
		}
		if simdProduct(c[p0*n:], rows, in[(p0+off)*lda:], lda, b, t) {
			continue
		}
		for k0 := 0; k0 < b.K; k0 += kc {
			kn := min(kc, b.K-k0)
			// Pack A: groups of mr rows, k-major within a group.
			a := buf[:groups*mr*kn]
			for g := range groups {
				dst := a[g*mr*kn : (g+1)*mr*kn]
				for r := range mr {
					p := p0 + g*mr + r
					if p >= m {
						for k := range kn {
							dst[k*mr+r] = 0
						}
						continue
					}
					src := in[(p+off)*lda+k0 : (p+off)*lda+k0+kn]
					for k, v := range src {
						dst[k*mr+r] = v
					}
				}
			}
			for j := range panels {
				bp := b.Panel(t, j, k0, kn)
				for h := 0; h < nr && j*nr+h < n; h += hr {
					col := j*nr + h
					for g := range groups {
						ap := a[g*mr*kn : (g+1)*mr*kn]
						row := p0 + g*mr
						if row+mr <= m && col+hr <= n {
							micro(kn, ap, bp[h:], c[row*n+col:], n)
							continue
						}
						tile = [mr * hr]T{}
						micro(kn, ap, bp[h:], tile[:], hr)
						for r := range min(mr, m-row) {
							for jj := range min(hr, n-col) {
								c[(row+r)*n+col+jj] += tile[r*hr+jj]
							}
						}
					}
				}
			}
		}
	}
}

// whole hands each tap's product over all m rows to the vector kernel at once, when it splits
// products over threads itself (Pooled): 64-row blocks would be too small to share. It reports
// false, having done nothing, when there is no such kernel or it declines the shape.
func whole[T feature.Float](c []T, m int, in []T, lda int, offs []int, b *Packed[T], tap int) bool {
	if pooled <= 1 || m <= mc {
		return false
	}
	for i, off := range offs {
		t := i
		if tap >= 0 {
			t = tap
		}
		if !simdProduct(c, m, in[off*lda:], lda, b, t) {
			if i > 0 {
				panic("gemm: the vector kernel declined a tap after taking the first")
			}
			return false
		}
	}
	return true
}

// simdProduct hands a float32 product to the platform's vector kernel, if there is one and it
// takes the shape: c[p, :] += a[p·lda : p·lda+K] · B_tap for p in [0, m), c's rows b.N apart.
func simdProduct[T feature.Float](c []T, m int, a []T, lda int, b *Packed[T], tap int) bool {
	if productF32 == nil {
		return false
	}
	c32, ok := any(c).([]float32)
	if !ok {
		return false
	}
	return productF32(c32, m, any(a).([]float32), lda, any(b).(*Packed[float32]), tap)
}

// micro accumulates the mr×hr (2×4) product of a packed A group (kc×mr) and half of a packed B
// panel (b starts at the half's first column; rows nr apart) into c (rows ldc apart). Eight
// accumulators and six operands fit the 15 usable float registers of amd64 (and V8's allocation
// of wasm locals); a 4×4 or 2×8 block spills.
func micro[T feature.Float](kc int, a, b []T, c []T, ldc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 T
	a = a[:mr*kc]
	for k := range kc {
		aa := a[k*mr : k*mr+2 : k*mr+2]
		bb := b[k*nr : k*nr+4 : k*nr+4]
		a0, a1 := aa[0], aa[1]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	r := c[:4:4]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = c[ldc : ldc+4 : ldc+4]
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
}

// ProductInPlace sets the m×K matrix a to a · B_0 (B square: K = N), block of rows by block of
// rows through a small buffer: the same bits as Product into another matrix, without one.
func ProductInPlace[T feature.Float](a []T, m int, b *Packed[T]) {
	if b.K != b.N {
		panic("gemm: ProductInPlace needs a square B")
	}
	n := b.N
	if (m+mc-1)/mc < Workers() && narrow(a, m, a, n, b) {
		return
	}
	Tasks((m+mc-1)/mc, func(_, blk int) {
		p0 := blk * mc
		rows := min(mc, m-p0)
		buf, tmp := getBuf[T](BufLen(b.K)), get[T](pool[T](true), mc*n)
		c := (*tmp)[:rows*n]
		clear(c)
		productBlock(c, rows, 0, a[p0*n:], n, offsZero, b, *buf, -1)
		copy(a[p0*n:], c)
		putBuf(buf)
		pool[T](true).Put(tmp)
	})
}

// narrow shares out a product of too few row blocks to keep every worker busy (the deep sw
// layers at small sizes: 64 positions, 512 columns) by panels of B's columns instead: c (m×N) =
// a · B_0 for the m×K matrix a (rows lda apart), which may be c itself (ProductInPlace). Each
// group of panels is computed into zeroed scratch, and once every group is done (so that in
// place no row is overwritten while it is read) copied into its columns of c: every element is
// the one dot product over K the row blocks compute, so the bits are theirs. It reports false,
// having done nothing, when B has too few panels to share.
func narrow[T feature.Float](c []T, m int, a []T, lda int, b *Packed[T]) bool {
	panels := (b.N + nr - 1) / nr
	// Groups of a multiple of three panels: the vector kernel takes full panels three at a
	// time from the left (columnBlocks), and a panel must meet the kernel it would meet in the
	// whole product, since the kernels add their products in different orders. For the same
	// reason no group may begin within the last four full panels when columnBlocks takes them
	// two and two.
	per := 3 * (((panels+4*Workers()-1)/(4*Workers()) + 2) / 3)
	groups := (panels + per - 1) / per
	if full := b.N / nr; full%3 == 1 && groups > 1 && (groups-1)*per > full-4 {
		groups--
	}
	if b.Taps != 1 || groups < 2 || m == 0 {
		return false
	}
	span := func(g int) (c0, cols int) { // group g's first column and width
		j0, j1 := g*per, (g+1)*per
		if g == groups-1 {
			j1 = panels
		}
		return j0 * nr, min(j1*nr, b.N) - j0*nr
	}
	out := get[T](pool[T](true), m*b.N)
	tmp := *out // group g's m×cols product at tmp[c0·m:], rows cols apart
	clear(tmp)
	Tasks(groups, func(_, g int) {
		c0, cols := span(g)
		sub := &Packed[T]{Taps: 1, K: b.K, N: cols, Data: b.Data[c0*b.K : (c0+cols+nr-1)/nr*nr*b.K]}
		buf := getBuf[T](BufLen(b.K))
		for p0 := 0; p0 < m; p0 += mc {
			productBlock(tmp[c0*m:c0*m+m*cols], m, p0, a, lda, offsZero, sub, *buf, -1)
		}
		putBuf(buf)
	})
	for g := range groups {
		c0, cols := span(g)
		part := tmp[c0*m : c0*m+m*cols]
		for p := range m {
			copy(c[p*b.N+c0:p*b.N+c0+cols], part[p*cols:(p+1)*cols])
		}
	}
	pool[T](true).Put(out)
	return true
}
