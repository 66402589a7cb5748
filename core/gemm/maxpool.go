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
