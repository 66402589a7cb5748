package vgg

import (
	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
	"github.com/texsynth/texsynth/weights"
)

// fastConv is one 3×3 conv layer of the fast engine, its kernels packed for the products.
type fastConv[T feature.Float] struct {
	in, out int
	// im2col: the input is so thin (RGB) that one explicit 27-column product beats Winograd,
	// whose transforms cost as much as its products there.
	im2col bool
	fwd    *gemm.Packed[T] // im2col forward: 1 tap of [9·in, out]
	wf, wb *gemm.Packed[T] // Winograd: the forward kernel and the backward (flipped, transposed) one
	bias   []T
}

// prepare packs a layer's kernels for the products it will run.
func (fc *fastConv[T]) prepare(l *weights.Layer) {
	k := l.Kernel() // OIHW
	if fc.im2col {
		fc.fwd = gemm.Pack(1, 9*l.In, l.Out, func(_, kk, o int) T {
			t, c := kk/l.In, kk%l.In
			return T(float64(k[((o*l.In+c)*3+t/3)*3+t%3]))
		})
	} else {
		fc.wf = winoKernel[T](wino4, k, l.In, l.Out, false)
	}
	fc.wb = winoKernel[T](wino4, k, l.In, l.Out, true)
}

// convForward computes y = ReLU(conv3×3(x) + bias) for x h×w×in.
func (n *Fast[T]) convForward(fc *fastConv[T], ws *workspace[T], y, x []T, h, w int) {
	cin, cout := fc.in, fc.out
	pad := n.plan.Pad
	if fc.im2col {
		cols := ws.scratch[:h*w*9*cin]
		for i := range h {
			for j := range w {
				row := cols[(i*w+j)*9*cin:]
				for t := range 9 {
					si, sj := pad.Source(i+t/3-1, h), pad.Source(j+t%3-1, w)
					dst := row[t*cin : (t+1)*cin]
					if si < 0 || sj < 0 {
						clear(dst)
					} else {
						copy(dst, x[(si*w+sj)*cin:])
					}
				}
			}
		}
		for p := range h * w {
			copy(y[p*cout:(p+1)*cout], fc.bias)
		}
		gemm.Shifted(y, h*w, cols, 9*cin, []int{0}, fc.fwd)
		relu(y)
		return
	}
	// The padded input, (h+2)×(w+2): Winograd computes the valid correlation over it.
	wp := w + 2
	xp := ws.scratch[:(h+2)*wp*cin]
	for pi := range h + 2 {
		si := pad.Source(pi-1, h)
		for pj := range wp {
			sj := pad.Source(pj-1, w)
			dst := xp[(pi*wp+pj)*cin : (pi*wp+pj+1)*cin]
			if si < 0 || sj < 0 {
				clear(dst)
			} else {
				copy(dst, x[(si*w+sj)*cin:])
			}
		}
	}
	winograd(wino4, y, xp, h+2, wp, cin, fc.wf, fc.bias, &n.scratch)
	relu(y)
}

// convBackward computes gx = ∂⟨y, gy⟩/∂x for y = convForward(x): the ReLU mask, then the
// transposed convolution (the gradient w.r.t. the padded input), then the padding's adjoint
// (border gradients go back to the pixels they copied).
func (n *Fast[T]) convBackward(fc *fastConv[T], ws *workspace[T], gx, gy, y []T, h, w int) {
	cin, cout := fc.in, fc.out
	pad := n.plan.Pad
	wp := w + 2
	dp := ws.dpad[:(h+2)*wp*cin]
	// dXp(pi, pj) = Σ g(pi-di, pj-dj)·K[di][dj]ᵀ: a valid correlation of the masked gradient,
	// framed by two zeros, with the flipped, transposed kernel.
	z := ws.scratch[:(h+4)*(w+4)*cout]
	clear(z)
	for i := range h {
		maskInto(z[((i+2)*(w+4)+2)*cout:((i+2)*(w+4)+2+w)*cout], gy[i*w*cout:(i+1)*w*cout], y[i*w*cout:(i+1)*w*cout])
	}
	winograd(wino4, dp, z, h+4, w+4, cout, fc.wb, nil, &n.scratch)
	clear(gx[:h*w*cin])
	for pi := range h + 2 {
		si := pad.Source(pi-1, h)
		if si < 0 {
			continue
		}
		for pj := range wp {
			sj := pad.Source(pj-1, w)
			if sj < 0 {
				continue
			}
			src := dp[(pi*wp+pj)*cin : (pi*wp+pj+1)*cin]
			dst := gx[(si*w+sj)*cin : (si*w+sj+1)*cin][:len(src)]
			for c, v := range src {
				dst[c] += v
			}
		}
	}
}
