package synth

import (
	"math"
	"math/cmplx"

	"github.com/texsynth/texsynth/core/metrics"
	"github.com/texsynth/texsynth/core/picture"
)

// The spectrum term (Settings.SpectrumWeight = w > 0; Liu, Gousseau and Xia 2016, "Texture
// synthesis through convolutional neural networks and spectrum constraints"): the image x is
// projected, channel by channel, onto the images whose Fourier modulus is the exemplar's — keep
// x's phase, impose the exemplar's modulus: P(x) = F⁻¹(|F_ex| · F(x)/|F(x)|) — and the term is
//
//	L_spec = w · mean((x − P(x))²) / var(exemplar),
//
// the squared distance to that set, relative to the exemplar's variance so it is O(1) like the
// relative Gram loss. Its gradient is exactly 2w·(x − P(x))/(n·var) (the gradient of a squared
// distance to a set is the vector to the nearest point, and P(x) is that point by Parseval). It is
// computed on the host with metrics.FFT2 and added in pixel space. It pulls regular textures
// (bricks, tiles, stripes) toward their exact periods, which Gram or sliced-Wasserstein
// statistics alone keep only loosely.
//
// When the output and the exemplar differ in size, the exemplar's modulus is read at the nearest
// frequency in cycles per pixel, scaled by √(n_out/n_ex) (so the power per pixel is kept), and is
// zero beyond the exemplar's own Nyquist frequency.

type spectrumTarget struct {
	size     int
	modulus  [3][]float64 // per channel, size×size, row-major
	variance float64
}

func newSpectrumTarget(ex *picture.RGB, size int) *spectrumTarget {
	t := &spectrumTarget{size: size}
	ne, no := ex.W*ex.H, size*size
	mean := ex.Mean()
	ss := 0.0
	for i, v := range ex.Pix {
		d := float64(v - mean[i%3])
		ss += d * d
	}
	t.variance = ss / float64(len(ex.Pix))
	if t.variance < 1e-8 {
		t.variance = 1e-8
	}
	scale := math.Sqrt(float64(no) / float64(ne))
	plane := make([]complex128, ne)
	for c := range 3 {
		for i := range ne {
			plane[i] = complex(float64(ex.Pix[3*i+c]), 0)
		}
		metrics.FFT2(plane, ex.W, ex.H, false)
		mod := make([]float64, no)
		for ky := range size {
			fy := signedFreq(ky, size)
			for kx := range size {
				fx := signedFreq(kx, size)
				if kx == 0 && ky == 0 {
					mod[0] = float64(mean[c]) * float64(no)
					continue
				}
				sx, sy := fx*float64(ex.W), fy*float64(ex.H)
				if math.Abs(sx) > float64(ex.W)/2 || math.Abs(sy) > float64(ex.H)/2 {
					continue
				}
				ix := (int(math.Round(sx)) + ex.W) % ex.W
				iy := (int(math.Round(sy)) + ex.H) % ex.H
				mod[ky*size+kx] = cmplx.Abs(plane[iy*ex.W+ix]) * scale
			}
		}
		t.modulus[c] = mod
	}
	return t
}

// signedFreq is index k of an n-point transform as a frequency in cycles per pixel, in [−½, ½).
func signedFreq(k, n int) float64 {
	if k >= (n+1)/2 {
		k -= n
	}
	return float64(k) / float64(n)
}

// project returns P(x) for one channel of the size×size image x (HWC, channel c).
func (t *spectrumTarget) project(x []float32, c int) []float64 {
	n := t.size * t.size
	plane := make([]complex128, n)
	for i := range n {
		plane[i] = complex(float64(x[3*i+c]), 0)
	}
	metrics.FFT2(plane, t.size, t.size, false)
	for i, v := range plane {
		a := cmplx.Abs(v)
		if a == 0 {
			plane[i] = complex(t.modulus[c][i], 0)
		} else {
			plane[i] = v * complex(t.modulus[c][i]/a, 0)
		}
	}
	metrics.FFT2(plane, t.size, t.size, true)
	out := make([]float64, n)
	for i, v := range plane {
		out[i] = real(v)
	}
	return out
}

// spectrumTerm adds the term's gradient into grad and returns its value, at the current size.
func (m *Model) spectrumTerm(x, grad []float32) float64 {
	if m.spec == nil || m.spec.size != m.size {
		m.spec = newSpectrumTarget(m.levelEx, m.size)
	}
	w := m.settings.SpectrumWeight
	n := float64(len(x))
	k := 2 * w / (n * m.spec.variance)
	total := 0.0
	for c := range 3 {
		p := m.spec.project(x, c)
		for i, pv := range p {
			d := float64(x[3*i+c]) - pv
			total += d * d
			grad[3*i+c] += float32(k * d)
		}
	}
	return w * total / (n * m.spec.variance)
}
