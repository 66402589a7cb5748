// Package metrics measures textures without a neural network, so that experiments can compare
// outputs by numbers that do not depend on the VGG features being optimised:
//
//   - ColourDistance: how far the output's distribution of RGB colours is from the exemplar's;
//   - SpectrumDistance: how far its radially averaged log power spectrum is (structure, scale);
//   - OrientationDistance: how far its spectrum of local orientations is (orientation.go): whether
//     it is made of the exemplar's kinds of edges and contours, which colour and spectrum miss;
//   - SeamRatio: whether it tiles (how visible the wrap-around seam is);
//   - BorderError: how much the colour of a band along the border differs from the interior.
//
// Everything is pure Go (no GoMLX), deterministic, and runs under js/wasm.
package metrics

import (
	"math"
	"reflect"
	"slices"
	"strconv"

	"github.com/texsynth/texsynth/core/picture"
)

// directions are the 13 directions of the 3×3×3 lattice (axes, face diagonals, body diagonals),
// unit length: the fixed projections of ColourDistance. Fixed rather than random, so the number
// is exactly reproducible and symmetric in the three channels.
var directions = func() [][3]float64 {
	var ds [][3]float64
	for a := -1; a <= 1; a++ {
		for b := -1; b <= 1; b++ {
			for c := -1; c <= 1; c++ {
				// one of each ± pair: the first non-zero component positive
				v := [3]int{a, b, c}
				first := 0
				for _, x := range v {
					if x != 0 {
						first = x
						break
					}
				}
				if first <= 0 {
					continue
				}
				n := math.Sqrt(float64(a*a + b*b + c*c))
				ds = append(ds, [3]float64{float64(a) / n, float64(b) / n, float64(c) / n})
			}
		}
	}
	return ds
}()

// Directions returns a copy of ColourDistance's 13 projection directions.
func Directions() [][3]float64 { return slices.Clone(directions) }

// ColourDistance is the sliced 1-Wasserstein distance between the RGB colour distributions of a
// and b (each pixel one sample; positions are ignored):
//
//	SW₁(a, b) = (1/13) Σ_d W₁(⟨d, a⟩, ⟨d, b⟩),  W₁(u, v) = ∫₀¹ |F_u⁻¹(t) − F_v⁻¹(t)| dt,
//
// over the 13 unit directions d of the 3×3×3 lattice (Directions). The quantile functions are
// compared at M = max(|a|, |b|) evenly spaced levels t = (i+½)/M, each read from the sorted
// values at index ⌊t·n⌋, so images of different sizes compare. It is in colour units ([0,1] per
// channel): 0 for the same colours in any arrangement; two flat images of colours p and q give
// (1/13) Σ_d |⟨d, p−q⟩|.
func ColourDistance(a, b *picture.RGB) float64 {
	na, nb := len(a.Pix)/3, len(b.Pix)/3
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	m := max(na, nb)
	pa, pb := make([]float64, na), make([]float64, nb)
	total := 0.0
	for _, d := range directions {
		project(pa, a.Pix, d)
		project(pb, b.Pix, d)
		slices.Sort(pa)
		slices.Sort(pb)
		s := 0.0
		for i := range m {
			t := (float64(i) + 0.5) / float64(m)
			s += math.Abs(pa[int(t*float64(na))] - pb[int(t*float64(nb))])
		}
		total += s / float64(m)
	}
	return total / float64(len(directions))
}

func project(dst []float64, pix []float32, d [3]float64) {
	for i := range dst {
		dst[i] = d[0]*float64(pix[3*i]) + d[1]*float64(pix[3*i+1]) + d[2]*float64(pix[3*i+2])
	}
}

// Luma returns the image's Rec. 601 luma, 0.299 R + 0.587 G + 0.114 B, row-major.
func Luma(m *picture.RGB) []float64 {
	l := make([]float64, m.W*m.H)
	for i := range l {
		l[i] = 0.299*float64(m.Pix[3*i]) + 0.587*float64(m.Pix[3*i+1]) + 0.114*float64(m.Pix[3*i+2])
	}
	return l
}

// RadialSpectrum returns the radially averaged power spectrum of the image's luma: the mean is
// subtracted, a separable Hann window is applied (so the image's borders do not add a spurious
// cross), and the power |F(k)|²/(W·H) of each frequency k = (kx/W, ky/H) in cycles per pixel is
// averaged over rings of width 1/(2·bins) cycles per pixel: ring i holds the frequencies whose
// radius r satisfies i < 2·bins·r ≤ i+1, for i = 0 … bins−1 (the corners beyond 0.5 and the DC term
// are left out). A ring with no frequency (possible only when bins exceeds half the side) is NaN.
func RadialSpectrum(m *picture.RGB, bins int) []float64 {
	w, h := m.W, m.H
	l := Luma(m)
	mean := 0.0
	for _, v := range l {
		mean += v
	}
	mean /= float64(len(l))
	x := make([]complex128, w*h)
	for y := range h {
		wy := hann(y, h)
		for xx := range w {
			x[y*w+xx] = complex((l[y*w+xx]-mean)*wy*hann(xx, w), 0)
		}
	}
	FFT2(x, w, h, false)
	sum := make([]float64, bins)
	cnt := make([]int, bins)
	for y := range h {
		fy := signedFreq(y, h)
		for xx := range w {
			fx := signedFreq(xx, w)
			r := math.Hypot(fx, fy)
			if r == 0 || r > 0.5 {
				continue
			}
			i := int(math.Ceil(r*2*float64(bins))) - 1
			i = min(max(i, 0), bins-1)
			v := x[y*w+xx]
			sum[i] += (real(v)*real(v) + imag(v)*imag(v)) / float64(w*h)
			cnt[i]++
		}
	}
	for i := range sum {
		if cnt[i] == 0 {
			sum[i] = math.NaN()
		} else {
			sum[i] /= float64(cnt[i])
		}
	}
	return sum
}

// signedFreq is index k of an n-point transform as a frequency in cycles per pixel, in [−½, ½).
func signedFreq(k, n int) float64 {
	if k >= (n+1)/2 {
		k -= n
	}
	return float64(k) / float64(n)
}

// hann is the periodic Hann window, normalised to mean-square 1 so the windowed power keeps the
// scale of the unwindowed one.
func hann(i, n int) float64 {
	return math.Sqrt(8.0/3) * 0.5 * (1 - math.Cos(2*math.Pi*float64(i)/float64(n)))
}

// SpectrumDistance compares the radially averaged power spectra of a and b (RadialSpectrum) on
// bins = min(sides)/2 rings — one ring per integer frequency for equal sizes — as the root mean
// square difference of their base-10 logarithms, ignoring rings empty in either:
//
//	D = sqrt( (1/B) Σ_i (log₁₀(Pa_i + ε) − log₁₀(Pb_i + ε))² ),  ε = 1e-10.
//
// 1 means a typical factor of ten between the two spectra at a given scale. It sees structure
// and scale (blur, wrong feature size, missing regularity), not colour or position.
func SpectrumDistance(a, b *picture.RGB) float64 {
	bins := min(a.W, a.H, b.W, b.H) / 2
	if bins < 1 {
		return math.NaN()
	}
	pa, pb := RadialSpectrum(a, bins), RadialSpectrum(b, bins)
	s, n := 0.0, 0
	for i := range bins {
		if math.IsNaN(pa[i]) || math.IsNaN(pb[i]) {
			continue
		}
		d := math.Log10(pa[i]+1e-10) - math.Log10(pb[i]+1e-10)
		s += d * d
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return math.Sqrt(s / float64(n))
}

// SeamRatio measures how visible the wrap-around seam is, i.e. how far the image is from tiling:
// the mean absolute difference (over channels) between the last and first column and between the
// last and first row, divided by the mean absolute difference between horizontally and vertically
// adjacent pixels inside the image. ≈1 for an image that tiles (the seam looks like any other
// pair of neighbours), well above 1 when the opposite borders do not match. A flat image (both
// zero) gives 1.
func SeamRatio(m *picture.RGB) float64 {
	w, h := m.W, m.H
	at := func(x, y, c int) float64 { return float64(m.Pix[3*(y*w+x)+c]) }
	var seam, inner float64
	var ns, ni int
	for y := range h {
		for x := range w {
			for c := range 3 {
				v := at(x, y, c)
				if x+1 < w {
					inner += math.Abs(at(x+1, y, c) - v)
					ni++
				} else {
					seam += math.Abs(at(0, y, c) - v)
					ns++
				}
				if y+1 < h {
					inner += math.Abs(at(x, y+1, c) - v)
					ni++
				} else {
					seam += math.Abs(at(x, 0, c) - v)
					ns++
				}
			}
		}
	}
	if ns == 0 || ni == 0 {
		return math.NaN()
	}
	seam /= float64(ns)
	inner /= float64(ni)
	if inner == 0 {
		if seam == 0 {
			return 1
		}
		return math.Inf(1)
	}
	return seam / inner
}

// BorderError is the colour error at the borders: the Euclidean norm (over R, G, B) of the mean
// colour of the band of the given width along all four borders minus the mean colour of the
// interior inside it — the measurement of ../shared/reference/README.md with band = 8. 0 for an
// image whose border has the interior's mean colour. NaN if the band leaves no interior.
func BorderError(m *picture.RGB, band int) float64 {
	var in, out [3]float64
	var nin, nout int
	for y := range m.H {
		for x := range m.W {
			border := x < band || y < band || x >= m.W-band || y >= m.H-band
			for c := range 3 {
				v := float64(m.Pix[3*(y*m.W+x)+c])
				if border {
					out[c] += v
				} else {
					in[c] += v
				}
			}
			if border {
				nout++
			} else {
				nin++
			}
		}
	}
	if nin == 0 || nout == 0 {
		return math.NaN()
	}
	s := 0.0
	for c := range 3 {
		d := out[c]/float64(nout) - in[c]/float64(nin)
		s += d * d
	}
	return math.Sqrt(s)
}

// CopyError says how close a is to a copy of b, position by position: the RMS difference of the
// two images (same size; NaN otherwise) divided by √2 times b's RMS deviation from its mean
// colour. 0 for an exact copy; ≈1 for an image with b's colour statistics but independent of it
// (for independent a and b, E(a−b)² = var a + var b); more when the colours are also wrong. A
// position-aligned loss (the seed's EMD as written) drives it toward 0; a texture loss does not.
func CopyError(a, b *picture.RGB) float64 {
	if a.W != b.W || a.H != b.H || len(b.Pix) == 0 {
		return math.NaN()
	}
	mean := b.Mean()
	var d2, v2 float64
	for i, v := range b.Pix {
		d := float64(a.Pix[i] - v)
		d2 += d * d
		e := float64(v - mean[i%3])
		v2 += e * e
	}
	if v2 == 0 {
		if d2 == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Sqrt(d2 / (2 * v2))
}

// Stats are every metric of an output against its exemplar.
type Stats struct {
	Colour   float64 `json:"colour"`   // ColourDistance(output, exemplar)
	Spectrum float64 `json:"spectrum"` // SpectrumDistance(output, exemplar)
	Seam     float64 `json:"seam"`     // SeamRatio(output)
	Border   float64 `json:"border"`   // BorderError(output, 8)
	Copy     float64 `json:"copy"`     // CopyError(output, exemplar)

	OrientFine   float64 `json:"orient_fine"`   // OrientationDistance(output, exemplar, OrientFineSigma)
	OrientCoarse float64 `json:"orient_coarse"` // OrientationDistance(output, exemplar, OrientCoarseSigma)
}

// MarshalJSON writes the statistics under their json names, with the NaN or infinities a
// degenerate image can give (JSON has neither) as null.
func (s Stats) MarshalJSON() ([]byte, error) {
	v, t := reflect.ValueOf(s), reflect.TypeOf(s)
	var b []byte
	for i := range t.NumField() {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, t.Field(i).Tag.Get("json"))
		b = append(b, ':')
		if x := v.Field(i).Float(); math.IsNaN(x) || math.IsInf(x, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		}
	}
	return append(append([]byte{'{'}, b...), '}'), nil
}

// BorderBand is the band width of Stats.Border, as in the reference measurement.
const BorderBand = 8

// Measure computes Stats for an output against its exemplar.
func Measure(out, exemplar *picture.RGB) Stats {
	return Stats{
		Colour:   ColourDistance(out, exemplar),
		Spectrum: SpectrumDistance(out, exemplar),
		Seam:     SeamRatio(out),
		Border:   BorderError(out, BorderBand),
		Copy:     CopyError(out, exemplar),

		OrientFine:   OrientationDistance(out, exemplar, OrientFineSigma),
		OrientCoarse: OrientationDistance(out, exemplar, OrientCoarseSigma),
	}
}
