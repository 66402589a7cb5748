package synth

import (
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/vgg"
)

// The half-scale term (Settings.HalfScaleWeight = w > 0): the same texture loss, on the same
// taps, between the image averaged down 2×2 and the exemplar averaged down the same way, added
// with weight w. A tap's receptive field covers twice the distance in the half-scale copy, so
// light and dark that vary over more than the deepest tap sees (44 px at relu3_4) are held to
// the exemplar's as well; the pyramid's coarse level sees them only while it runs, and the
// fine level, which does not, is free to lose them again.
//
// It always runs on the fast engine: a quarter of the work, and an engine that holds one
// network per device (the page's WebGPU engine frees the last network it built when it builds
// the next) is left with the main one. When the main network is the fast engine's too, the term
// runs on it: its passes come after the main ones have finished with their buffers, which,
// grown for the main side, serve the half side as they are, so the term adds no network
// buffers or kernels of its own (at 512 px in wasm, about 170 MiB).
type halfScale struct {
	net  vgg.Network[float32]
	loss *loss.Set[float32]
	ex   *picture.RGB // the exemplar averaged down: its loss keeps no copy of its features (loss.Options.Refeed)
	x    []float32    // the image averaged down
	grad []float32    // ∂term/∂(averaged image)
}

// halfScaleAt tells whether a level of side size runs the half-scale term: it is on and the
// image averaged down is not below MinSize.
func (s Settings) halfScaleAt(size int) bool { return s.HalfScaleWeight > 0 && size/2 >= MinSize }

// newHalfScale builds the term for a level whose exemplar is ex.
func (m *Model) newHalfScale(ex *picture.RGB, seed uint64) (*halfScale, error) {
	h := &halfScale{}
	switch {
	case m.half != nil:
		h.net = m.half.net
	case m.p.conv == vgg.ConvFast:
		h.net = m.net
	default:
		net, err := vgg.Build(vgg.ConvFast, m.w, m.p.taps, m.p.pad)
		if err != nil {
			return nil, err
		}
		h.net = net
	}
	h.ex = &picture.RGB{W: ex.W / 2, H: ex.H / 2, Pix: boxHalf(ex.Pix, ex.W, ex.H)}
	feats, err := h.net.Forward(h.ex.Pix, h.ex.H, h.ex.W)
	if err != nil {
		return nil, err
	}
	h.loss, err = loss.New(loss.Options{Kind: m.p.kind, GramNorm: m.settings.GramNorm, Norm: m.settings.Norm, Seed: seed, Refeed: m.p.kind == loss.KindSW}, feats, m.p.weights)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// term adds the half-scale term's gradient into grad and returns its value.
func (h *halfScale) term(x []float32, size int, weight float64, grad []float32) (float64, error) {
	h.x = boxHalfInto(h.x, x, size, size)
	feats, err := h.net.Forward(h.x, size/2, size/2)
	if err != nil {
		return 0, err
	}
	value, up, err := h.loss.Eval(feats)
	if err != nil {
		return 0, err
	}
	for i := range up {
		g := up[i].Data
		for j := range g {
			g[j] *= float32(weight)
		}
	}
	if cap(h.grad) < len(h.x) {
		h.grad = make([]float32, len(h.x))
	}
	h.grad = h.grad[:len(h.x)]
	if err := h.net.Backward(up, h.grad); err != nil {
		return 0, err
	}
	// The adjoint of the 2×2 average: each pixel gets a quarter of its block's gradient.
	hw := size / 2
	for y := range size {
		for x := range size {
			if y/2 >= hw || x/2 >= hw {
				continue
			}
			src := 3 * ((y/2)*hw + x/2)
			dst := 3 * (y*size + x)
			for c := range 3 {
				grad[dst+c] += 0.25 * h.grad[src+c]
			}
		}
	}
	return weight * value, nil
}

// boxHalf returns the w×h image averaged over 2×2 blocks (an odd last row or column is left
// out).
func boxHalf(pix []float32, w, h int) []float32 { return boxHalfInto(nil, pix, w, h) }

func boxHalfInto(dst, pix []float32, w, h int) []float32 {
	hw, hh := w/2, h/2
	if cap(dst) < hw*hh*3 {
		dst = make([]float32, hw*hh*3)
	}
	dst = dst[:hw*hh*3]
	for y := range hh {
		for x := range hw {
			for c := range 3 {
				a := pix[3*((2*y)*w+2*x)+c] + pix[3*((2*y)*w+2*x+1)+c]
				b := pix[3*((2*y+1)*w+2*x)+c] + pix[3*((2*y+1)*w+2*x+1)+c]
				dst[3*(y*hw+x)+c] = 0.25 * (a + b)
			}
		}
	}
	return dst
}
