package vgg

import (
	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
)

// The element-wise stages of the fast engine and their adjoints. Their inner loops over channels
// are core/gemm's (ReLU and Mask, Max4 and Route4, a row of windows at a time with MaxPairs and
// RoutePairs), vector kernels where the platform has them.

// pool2 is the 2×2, stride-2 max pool of x (rows × cols positions, c channels), the windows
// where the axes pair positions (every other one for a whole map: an odd last row or column is
// dropped, as in PyTorch's and Caffe's VGG). The maximum is gemm.Max4's: the first maximum,
// the one pool2Backward routes to (gemm.Route4).
func pool2[T feature.Float](y, x []T, rows, cols *axis, c int) {
	w, h2, w2 := cols.n, rows.pooled(), cols.pooled()
	gemm.Ranges(h2, gemm.Grain(h2, 1), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			if cols.pairs == nil { // windows on consecutive pairs: the whole row in one call
				r0, r1 := inputRows(x, rows.pair(i), w, c)
				gemm.MaxPairs(y[i*w2*c:(i+1)*w2*c], r0, r1, c)
				continue
			}
			for j := range w2 {
				a, b, d, e := quad(x, rows.pair(i), cols.pair(j), w, c)
				gemm.Max4(y[(i*w2+j)*c:(i*w2+j+1)*c], a, b, d, e)
			}
		}
	})
}

// quad returns the c channels of the four inputs of the pool window whose first input is
// (r, s) of a w-wide map, each c long (so loops over them need no bounds checks).
func quad[T feature.Float](x []T, r, s, w, c int) (a, b, d, e []T) {
	p := (r*w + s) * c
	q := p + w*c
	return x[p : p+c], x[p+c : p+2*c], x[q : q+c], x[q+c : q+2*c]
}

// inputRows returns rows r and r+1 of a w-wide map of c channels.
func inputRows[T feature.Float](x []T, r, w, c int) (r0, r1 []T) {
	return x[r*w*c : (r+1)*w*c], x[(r+1)*w*c : (r+2)*w*c]
}

// pool2Backward routes each output gradient to the first input holding the maximum; inputs no
// window reads get zero.
func pool2Backward[T feature.Float](gx, gy, x []T, rows, cols *axis, c int) {
	w, h2, w2 := cols.n, rows.pooled(), cols.pooled()
	gemm.Ranges(rows.n, gemm.Grain(rows.n, 1), func(_, lo, hi int) { clear(gx[lo*w*c : hi*w*c]) })
	// Windows never overlap, so output rows can go to different workers.
	gemm.Ranges(h2, gemm.Grain(h2, 1), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			if cols.pairs == nil {
				r0, r1 := inputRows(x, rows.pair(i), w, c)
				g0, g1 := inputRows(gx, rows.pair(i), w, c)
				gemm.RoutePairs(gy[i*w2*c:(i+1)*w2*c], g0, g1, r0, r1, c)
				continue
			}
			for j := range w2 {
				g := gy[(i*w2+j)*c : (i*w2+j+1)*c]
				r, s := rows.pair(i), cols.pair(j)
				a, b, d, e := quad(x, r, s, w, c)
				ga, gb, gd, ge := quad(gx, r, s, w, c)
				gemm.Route4(g, ga, gb, gd, ge, a, b, d, e)
			}
		}
	})
}
