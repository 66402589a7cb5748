package gemm

import (
	"os"
	"sync"

	"golang.org/x/sys/cpu"
)

// The AVX2+FMA float32 product (simd_amd64.s): 4-row micro-kernels over 1–3 packed B panels
// at a time, 8-wide FMAs, about 10× the scalar Go kernel per core. Setting TEXSYNTH_SIMD=off in
// the environment keeps the portable kernel (to compare the two, or to rule the assembly out);
// tests and benchmarks can also set productF32 to nil for a while.

func init() {
	switch {
	case os.Getenv("TEXSYNTH_SIMD") == "off":
		kernel = "portable Go (TEXSYNTH_SIMD=off)"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		productF32 = productAVX2
		stepNow, combineNow = stepAVX2, combineAVX2
		reluNow, maskNow = reluNowAVX2, maskNowAVX2
		max4Now, route4Now = max4AVX2, route4AVX2
		kernel = "AVX2+FMA"
	default:
		kernel = "portable Go (this CPU has no AVX2+FMA)"
	}
}

// The kernels add the 4×(8·w) products of groups consecutive 4-row groups of A (rows lda
// apart, k columns) with w panels of B (bstride apart, rows of 8) into c (rows ldc apart);
// all strides in elements.

//go:noescape
func kernel4x24(k int, a *float32, lda int, b *float32, bstride int, c *float32, ldc int, groups int)

//go:noescape
func kernel4x16(k int, a *float32, lda int, b *float32, bstride int, c *float32, ldc int, groups int)

//go:noescape
func kernel4x8(k int, a *float32, lda int, b *float32, bstride int, c *float32, ldc int, groups int)

const simdRows = 4 // rows of the assembly micro-kernels

// simdScratch holds the edge buffers: the hook runs on several goroutines at once.
var simdScratch = sync.Pool{New: func() any { return new([]float32) }}

// productAVX2 is productF32 for machines with AVX2 and FMA. Whole 4-row groups and whole
// panels go straight into c; a partial last panel (n not a multiple of 8) and the last m%4 rows
// are computed into zeroed tiles (the rows padded with zeros) and added back. Every row of c
// gets the same sequence of operations wherever it sits, so a product split into row blocks
// (over threads, or Winograd tiles grouped differently) gives the same bits.
func productAVX2(c []float32, m int, a []float32, lda int, b *Packed[float32], tap int) bool {
	n, k := b.N, b.K
	if m <= 0 || n == 0 || k == 0 {
		return true
	}
	// The assembly does not check bounds: leave short slices to the portable kernel, which
	// panics where it should.
	if lda < k || len(a) < (m-1)*lda+k || len(c) < m*n || tap < 0 || tap >= b.Taps {
		return false
	}
	panels := (n + nr - 1) / nr
	full := n / nr
	bt := b.Data[tap*panels*k*nr : (tap+1)*panels*k*nr]
	groups := m / simdRows
	var scratch *[]float32
	buffer := func(size int) []float32 {
		if scratch == nil {
			scratch = simdScratch.Get().(*[]float32)
		}
		if cap(*scratch) < size {
			*scratch = make([]float32, size)
		}
		s := (*scratch)[:size]
		clear(s)
		return s
	}
	if groups > 0 {
		columnBlocks(c, n, a, lda, bt, k, full, groups)
		if full < panels {
			rows := groups * simdRows
			tile := buffer(rows * nr)
			kernel4x8(k, &a[0], lda, &bt[full*k*nr], k*nr, &tile[0], nr, groups)
			for r := range rows {
				dst := c[r*n+full*nr : (r+1)*n]
				for jj := range dst {
					dst[jj] += tile[r*nr+jj]
				}
			}
		}
	}
	if rest := m - groups*simdRows; rest > 0 {
		width := panels * nr
		tmp := buffer(simdRows*k + simdRows*width)
		ta, tc := tmp[:simdRows*k], tmp[simdRows*k:]
		for r := range rest {
			p := groups*simdRows + r
			copy(ta[r*k:(r+1)*k], a[p*lda:p*lda+k])
		}
		// The same kernels per column as for the whole groups above, so that a row's result
		// does not depend on whether it fell in a whole group or here.
		columnBlocks(tc, width, ta, k, bt, k, full, 1)
		if full < panels {
			kernel4x8(k, &ta[0], k, &bt[full*k*nr], k*nr, &tc[full*nr], width, 1)
		}
		for r := range rest {
			p := groups*simdRows + r
			dst := c[p*n : (p+1)*n]
			for j := range dst {
				dst[j] += tc[r*width+j]
			}
		}
	}
	if scratch != nil {
		simdScratch.Put(scratch)
	}
	return true
}

// columnBlocks runs the kernels over panels 0…panels-1 of bt for groups 4-row groups: 3 panels
// at a time (the widest kernel that fits the registers), ending with 2+2 rather than 3+1 where
// it can, since the one-panel kernel is the slowest.
func columnBlocks(c []float32, ldc int, a []float32, lda int, bt []float32, k, panels, groups int) {
	for j := 0; j < panels; {
		w := min(3, panels-j)
		if panels-j == 4 {
			w = 2
		}
		pb, pc := &bt[j*k*nr], &c[j*nr]
		switch w {
		case 3:
			kernel4x24(k, &a[0], lda, pb, k*nr, pc, ldc, groups)
		case 2:
			kernel4x16(k, &a[0], lda, pb, k*nr, pc, ldc, groups)
		default:
			kernel4x8(k, &a[0], lda, pb, k*nr, pc, ldc, groups)
		}
		j += w
	}
}
