package metrics

import (
	"math"

	"github.com/texsynth/texsynth/core/picture"
)

// The orientation statistic sees what colour and spectrum distances do not: whether the output
// is made of the exemplar's kind of edges and contours. At every pixel the structure tensor of
// the luma — the gradient's outer product averaged over a Gaussian window of width σ — says how
// much the image varies there (its trace, the energy), in which direction (the orientation of
// its main eigenvector) and how much along one direction rather than all (the coherence,
// (λ₁−λ₂)/(λ₁+λ₂) ∈ [0,1]: 1 on a straight edge or stripe, 0 on noise or a corner). The
// energy-weighted histogram of orientation × coherence is a texture's spectrum of local
// orientations; two textures with the same kinds of structure have the same histogram wherever
// the structures sit. A red mush and a texture of peppers have similar colours and similar power
// spectra, but the peppers' outlines are long coherent curves and the mush's blobs are not.

// Orientation statistic parameters: the fine window (σ = 1 px: edges, speckle, grain) and the
// coarse one (σ = 4 px: contours and outlines of objects a few tens of pixels across), and the
// histogram's bins: 8 orientations (22.5° each) × 4 coherence steps. Finer bins see little more
// and, at 128 px, are noisier: the distance between a texture and a circular shift of it (the
// same texture) is 0.01 / 0.04 at σ = 1 / 4 with these bins, and 0.01 / 0.05 with 12 × 5.
const (
	OrientFineSigma   = 1.0
	OrientCoarseSigma = 4.0
	orientBins        = 8
	coherenceBins     = 4
)

// OrientationHistogram returns the energy-weighted histogram of local orientation × coherence
// of the image's luma at window σ, normalised to sum 1: bin t·4 + c holds the structure whose
// gradient orientation θ (modulo 180°) is within 11.25° of t·22.5° — so horizontal and vertical
// structure, common in textures, sits in the middle of a bin — and whose coherence is in
// [c/4, (c+1)/4) (c = 3 includes 1). Gradients are Scharr's (the 3×3 derivative closest to
// rotation-invariant; divided by 32 so that a unit ramp has gradient 1), replicating
// the border pixels; the window is a Gaussian truncated at 3σ and renormalised at the borders. A
// flat image has no energy: its histogram is all zeros.
func OrientationHistogram(m *picture.RGB, sigma float64) []float64 {
	const nt, nc = orientBins, coherenceBins
	w, h := m.W, m.H
	hist := make([]float64, nt*nc)
	if w == 0 || h == 0 {
		return hist
	}
	l := Luma(m)
	at := func(x, y int) float64 { return l[min(max(y, 0), h-1)*w+min(max(x, 0), w-1)] }
	xx, yy, xy := make([]float64, w*h), make([]float64, w*h), make([]float64, w*h)
	for y := range h {
		for x := range w {
			gx := (3*(at(x+1, y-1)-at(x-1, y-1)) + 10*(at(x+1, y)-at(x-1, y)) + 3*(at(x+1, y+1)-at(x-1, y+1))) / 32
			gy := (3*(at(x-1, y+1)-at(x-1, y-1)) + 10*(at(x, y+1)-at(x, y-1)) + 3*(at(x+1, y+1)-at(x+1, y-1))) / 32
			i := y*w + x
			xx[i], yy[i], xy[i] = gx*gx, gy*gy, gx*gy
		}
	}
	g := gaussian(sigma)
	tmp := make([]float64, w*h)
	for _, t := range [][]float64{xx, yy, xy} {
		smooth(t, tmp, w, h, g)
	}
	total := 0.0
	for i := range xx {
		e := xx[i] + yy[i]
		if e < minEnergy {
			continue
		}
		d := xx[i] - yy[i]
		c := math.Sqrt(d*d+4*xy[i]*xy[i]) / e
		// atan2 gives the doubled angle 2θ in (−π, π]; θ = 0 is a horizontal gradient.
		t := int(math.Floor(math.Atan2(2*xy[i], d)/(2*math.Pi)*nt+0.5+nt)) % nt
		k := min(int(c*nc), nc-1)
		hist[t*nc+k] += e
		total += e
	}
	if total > 0 {
		for i := range hist {
			hist[i] /= total
		}
	}
	return hist
}

// minEnergy is the structure-tensor trace below which a pixel is flat: a gradient of 1e-6 per
// pixel, far below one step of an 8-bit image (4e-3) and above float64 rounding of a flat area.
const minEnergy = 1e-12

// OrientationDistance is the total variation distance ½ Σ |p − q| between the orientation
// histograms (OrientationHistogram) of a and b at window σ: 0 for the same spectrum of local
// orientations, 1 when the two share no structure at all (stripes at right angles). When one
// image is flat and the other is not it is 1; when both are flat, 0.
func OrientationDistance(a, b *picture.RGB, sigma float64) float64 {
	p, q := OrientationHistogram(a, sigma), OrientationHistogram(b, sigma)
	var s, sp, sq float64
	for i := range p {
		s += math.Abs(p[i] - q[i])
		sp += p[i]
		sq += q[i]
	}
	switch {
	case sp == 0 && sq == 0:
		return 0
	case sp == 0 || sq == 0:
		return 1
	}
	return s / 2
}

// gaussian returns the normalised weights of a Gaussian of standard deviation sigma, truncated
// at 3σ (at least one tap each side).
func gaussian(sigma float64) []float64 {
	r := max(1, int(math.Ceil(3*sigma)))
	g := make([]float64, 2*r+1)
	for i := range g {
		x := float64(i - r)
		g[i] = math.Exp(-x * x / (2 * sigma * sigma))
	}
	return g
}

// smooth convolves the w×h plane v with the separable kernel g in place (tmp is scratch of the
// same size). Within len(g)/2 of a border the window is cut (and renormalised): the caller does
// not use those samples.
func smooth(v, tmp []float64, w, h int, g []float64) {
	r := len(g) / 2
	pass := func(dst, src []float64, n, stride, count, step int) {
		// count lines of n samples; sample j of line k is src[k·step + j·stride].
		for k := range count {
			base := k * step
			for j := range n {
				var s, ws float64
				for t := max(0, j-r); t <= min(n-1, j+r); t++ {
					wt := g[t-j+r]
					s += wt * src[base+t*stride]
					ws += wt
				}
				dst[base+j*stride] = s / ws
			}
		}
	}
	pass(tmp, v, w, 1, h, w) // rows
	pass(v, tmp, h, w, w, 1) // columns
}
