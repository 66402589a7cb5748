package vgg

import "github.com/texsynth/texsynth/core/feature"

// The element-wise stages of the fast engine and their adjoints.

func relu[T feature.Float](y []T) {
	for i, v := range y {
		if v < 0 {
			y[i] = 0
		}
	}
}

// maskInto writes g where y > 0 (the ReLU's derivative) and 0 elsewhere.
func maskInto[T feature.Float](dst, g, y []T) {
	g = g[:len(dst)]
	y = y[:len(dst)]
	for i := range dst {
		if y[i] > 0 {
			dst[i] = g[i]
		} else {
			dst[i] = 0
		}
	}
}

// pool2 is the 2×2, stride-2 max pool; an odd last row or column is dropped (as in PyTorch's and
// Caffe's VGG). The maximum is taken by comparisons, not the max builtin: for floats that is a
// runtime call in wasm (NaN rules), and the first maximum is then the one pool2Backward routes
// to.
func pool2[T feature.Float](y, x []T, h, w, c int) {
	h2, w2 := h/2, w/2
	for i := range h2 {
		for j := range w2 {
			out := y[(i*w2+j)*c : (i*w2+j+1)*c]
			a, b, d, e := quad(x, i, j, w, c)
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
	}
}

// quad returns the c channels of the four inputs of output (i, j) of a 2×2 pool over a w-wide
// map, each c long (so loops over them need no bounds checks).
func quad[T feature.Float](x []T, i, j, w, c int) (a, b, d, e []T) {
	p := ((2*i)*w + 2*j) * c
	q := p + w*c
	return x[p : p+c], x[p+c : p+2*c], x[q : q+c], x[q+c : q+2*c]
}

// pool2Backward routes each output gradient to the first input holding the maximum.
func pool2Backward[T feature.Float](gx, gy, x []T, h, w, c int) {
	clear(gx[:h*w*c])
	h2, w2 := h/2, w/2
	for i := range h2 {
		for j := range w2 {
			g := gy[(i*w2+j)*c : (i*w2+j+1)*c]
			a, b, d, e := quad(x, i, j, w, c)
			ga, gb, gd, ge := quad(gx, i, j, w, c)
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
	}
}
