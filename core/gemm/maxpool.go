package gemm

import (
	"unsafe"

	"github.com/texsynth/texsynth/core/feature"
)

// The 2×2 max pool's inner loops over a window's channel vectors (core/vgg's pool2 and its
// adjoint). Written as Go loops they branch on which of four values is largest, which for a
// conv's outputs is unpredictable; the vector kernels (max4Now, route4Now) compare and blend
// eight channels at a time.

// max4Now and route4Now, when set (simd_amd64.go), run Max4 and Route4 on n float32 channels,
// n a positive multiple of 8.
var (
	max4Now   func(out, a, b, d, e unsafe.Pointer, n int)
	route4Now func(g, ga, gb, gd, ge, a, b, d, e unsafe.Pointer, n int)
)

// Max4 sets out[k] to the largest of a[k], b[k], d[k], e[k], the first of them on ties: taken
// by comparisons in that order (a value replaces the running maximum only if greater), not by
// the max builtin, which for floats is a runtime call in wasm and has NaN rules of its own. All
// slices hold at least len(out) values.
func Max4[T feature.Float](out, a, b, d, e []T) {
	n := len(out)
	a, b, d, e = a[:n], b[:n], d[:n], e[:n]
	if m := n &^ 7; max4Now != nil && unsafe.Sizeof(T(0)) == 4 && m > 0 {
		max4Now(unsafe.Pointer(&out[0]), unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0]), unsafe.Pointer(&d[0]), unsafe.Pointer(&e[0]), m)
		out, a, b, d, e = out[m:], a[m:], b[m:], d[m:], e[m:]
	}
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

// Route4 adds g[k] to whichever of ga, gb, gd, ge belongs to the value Max4 picks among a[k],
// b[k], d[k], e[k] (the adjoint of Max4; the first maximum takes the gradient). All slices hold
// at least len(g) values; the four gradients must not overlap.
func Route4[T feature.Float](g, ga, gb, gd, ge, a, b, d, e []T) {
	n := len(g)
	ga, gb, gd, ge = ga[:n], gb[:n], gd[:n], ge[:n]
	a, b, d, e = a[:n], b[:n], d[:n], e[:n]
	if m := n &^ 7; route4Now != nil && unsafe.Sizeof(T(0)) == 4 && m > 0 {
		route4Now(unsafe.Pointer(&g[0]), unsafe.Pointer(&ga[0]), unsafe.Pointer(&gb[0]), unsafe.Pointer(&gd[0]), unsafe.Pointer(&ge[0]),
			unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0]), unsafe.Pointer(&d[0]), unsafe.Pointer(&e[0]), m)
		g, ga, gb, gd, ge = g[m:], ga[m:], gb[m:], gd[m:], ge[m:]
		a, b, d, e = a[m:], b[m:], d[m:], e[m:]
	}
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

// maxPairsNow and routePairsNow, when set (maxpool_js.go), run MaxPairs and RoutePairs on
// float32 rows of w2 windows of c channels, c a multiple of 4.
var (
	maxPairsNow   func(out, r0, r1 unsafe.Pointer, w2, c int)
	routePairsNow func(g, g0, g1, r0, r1 unsafe.Pointer, w2, c int)
)

// MaxPairs is Max4 over one output row of a 2×2 pool whose windows are consecutive pairs of
// positions of two input rows r0 and r1 (c channels a position): window j of out (c values at
// j·c) is the maximum of positions 2j and 2j+1 of r0 and of r1, in that order. len(out) is a
// multiple of c; r0 and r1 hold at least 2·len(out) values. One call a row, not one a window,
// where a call costs much (wasm: into the kernel module).
func MaxPairs[T feature.Float](out, r0, r1 []T, c int) {
	n := len(out)
	r0, r1 = r0[:2*n], r1[:2*n]
	if w2 := n / c; maxPairsNow != nil && unsafe.Sizeof(T(0)) == 4 && c%4 == 0 && w2*c == n && n > 0 {
		maxPairsNow(unsafe.Pointer(&out[0]), unsafe.Pointer(&r0[0]), unsafe.Pointer(&r1[0]), w2, c)
		return
	}
	for p := 0; p+c <= n; p += c {
		Max4(out[p:p+c], r0[2*p:2*p+c], r0[2*p+c:2*p+2*c], r1[2*p:2*p+c], r1[2*p+c:2*p+2*c])
	}
}

// RoutePairs is Route4 over the row of windows MaxPairs computes: g (c values a window) goes to
// the rows' gradients g0 and g1 (laid out as r0 and r1) at the first maximum of each window.
// g0, g1, r0 and r1 hold at least 2·len(g) values; g0 and g1 must not overlap.
func RoutePairs[T feature.Float](g, g0, g1, r0, r1 []T, c int) {
	n := len(g)
	g0, g1, r0, r1 = g0[:2*n], g1[:2*n], r0[:2*n], r1[:2*n]
	if w2 := n / c; routePairsNow != nil && unsafe.Sizeof(T(0)) == 4 && c%4 == 0 && w2*c == n && n > 0 {
		routePairsNow(unsafe.Pointer(&g[0]), unsafe.Pointer(&g0[0]), unsafe.Pointer(&g1[0]), unsafe.Pointer(&r0[0]), unsafe.Pointer(&r1[0]), w2, c)
		return
	}
	for p := 0; p+c <= n; p += c {
		a, b := 2*p, 2*p+c
		Route4(g[p:p+c], g0[a:a+c], g0[b:b+c], g1[a:a+c], g1[b:b+c], r0[a:a+c], r0[b:b+c], r1[a:a+c], r1[b:b+c])
	}
}
