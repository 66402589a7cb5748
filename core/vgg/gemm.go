package vgg

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The fast conv path's matrix product, written for the shapes VGG has and for both Go targets:
// packed panels, a 2×4 register-blocked micro-kernel whose inner loop has no bounds checks, the
// rows split over goroutines natively and a single thread in wasm (where goroutines do not run
// in parallel). Where the platform has a vector kernel for float32 (productF32: AVX2 on amd64,
// SIMD128 in wasm), the packed-B layout is shared and only A's packing and the inner loops
// differ.

const (
	mr = 2  // rows of the scalar micro-kernel
	nr = 8  // columns of a packed B panel: one AVX2 register, two wasm SIMD registers
	hr = 4  // columns of the scalar micro-kernel (half a panel)
	mc = 64 // rows per packed A block (a multiple of mr)
	kc = 256
)

// packed holds the right-hand matrices of a shifted product, one K×N matrix per tap, packed
// into nr-column panels: data[((t·panels + j)·K + k)·nr + jj] = B_t[k, j·nr + jj], zero beyond N.
type packed[T Float] struct {
	taps, k, n int
	data       []T
}

// pack packs taps matrices given by at(t, k, j) = B_t[k, j].
func pack[T Float](taps, k, n int, at func(t, k, j int) T) *packed[T] {
	panels := (n + nr - 1) / nr
	p := &packed[T]{taps: taps, k: k, n: n, data: make([]T, taps*panels*k*nr)}
	for t := range taps {
		for j := range n {
			base := ((t*panels+j/nr)*k)*nr + j%nr
			for kk := range k {
				p.data[base+kk*nr] = at(t, kk, j)
			}
		}
	}
	return p
}

// panel returns B_t's packed rows k0…k0+kn of panel j.
func (p *packed[T]) panel(t, j, k0, kn int) []T {
	panels := (p.n + nr - 1) / nr
	off := ((t*panels+j)*p.k + k0) * nr
	return p.data[off : off+kn*nr]
}

// workers is how many goroutines share a product: one under js/wasm, where they would only
// take turns.
func workers() int {
	if runtime.GOOS == "js" {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// shiftedProduct accumulates c[p, :] += Σ_t in[(p+offs[t])·lda : +K] · B_t for p in [0, m):
// a convolution whose taps are row shifts of a flattened, padded input (and a plain matrix
// product with one tap at offset 0). c is m×N, row-major. in must hold every row it reads.
func shiftedProduct[T Float](c []T, m int, in []T, lda int, offs []int, b *packed[T]) {
	blocks := (m + mc - 1) / mc
	nw := min(workers(), blocks)
	var next atomic.Int64
	run := func() {
		buf := make([]T, mc*min(b.k, kc))
		for {
			blk := int(next.Add(1)) - 1
			if blk >= blocks {
				return
			}
			productBlock(c, m, blk*mc, in, lda, offs, b, buf, -1)
		}
	}
	if nw <= 1 {
		run()
		return
	}
	var wg sync.WaitGroup
	for range nw {
		wg.Go(run)
	}
	wg.Wait()
}

// productSerial accumulates c += a · B_tap on the calling goroutine, for m rows of a (lda apart).
func productSerial[T Float](c []T, m int, a []T, lda int, b *packed[T], tap int, buf []T) {
	for p0 := 0; p0 < m; p0 += mc {
		productBlock(c, m, p0, a, lda, offsZero, b, buf, tap)
	}
}

var offsZero = []int{0}

// productBlock does rows p0…p0+mc of shiftedProduct; tap ≥ 0 picks one matrix of b for a
// single offset.
func productBlock[T Float](c []T, m, p0 int, in []T, lda int, offs []int, b *packed[T], buf []T, tap int) {
	rows := min(mc, m-p0)
	groups := (rows + mr - 1) / mr
	n := b.n
	panels := (n + nr - 1) / nr
	var tile [mr * hr]T
	for t, off := range offs {
		if tap >= 0 {
			t = tap
		}
		if simdProduct(c[p0*n:], rows, in[(p0+off)*lda:], lda, b, t) {
			continue
		}
		for k0 := 0; k0 < b.k; k0 += kc {
			kn := min(kc, b.k-k0)
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
				bp := b.panel(t, j, k0, kn)
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

// simdProduct hands a float32 product to the platform's vector kernel, if there is one and it
// takes the shape: c[p, :] += a[p·lda : p·lda+K] · B_tap for p in [0, m), c's rows b.n apart.
func simdProduct[T Float](c []T, m int, a []T, lda int, b *packed[T], tap int) bool {
	if productF32 == nil {
		return false
	}
	c32, ok := any(c).([]float32)
	if !ok {
		return false
	}
	return productF32(c32, m, any(a).([]float32), lda, any(b).(*packed[float32]), tap)
}

// micro accumulates the mr×hr (2×4) product of a packed A group (kc×mr) and half of a packed B
// panel (b starts at the half's first column; rows nr apart) into c (rows ldc apart). Eight
// accumulators and six operands fit the 15 usable float registers of amd64 (and V8's allocation
// of wasm locals); a 4×4 or 2×8 block spills.
func micro[T Float](kc int, a, b []T, c []T, ldc int) {
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
