package metrics

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/texsynth/texsynth/core/picture"
)

func naiveDFT(x []complex128, inverse bool) []complex128 {
	n := len(x)
	sign := -1.0
	if inverse {
		sign = 1
	}
	out := make([]complex128, n)
	for k := range n {
		for j := range n {
			out[k] += x[j] * cmplx.Rect(1, sign*2*math.Pi*float64(j*k)/float64(n))
		}
		if inverse {
			out[k] /= complex(float64(n), 0)
		}
	}
	return out
}

func TestFFTMatchesNaiveDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 30, 48, 49, 64, 97} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		for _, inv := range []bool{false, true} {
			got, want := FFT(x, inv), naiveDFT(x, inv)
			for k := range n {
				if cmplx.Abs(got[k]-want[k]) > 1e-9*float64(n) {
					t.Fatalf("n=%d inverse=%v k=%d: %v, want %v", n, inv, k, got[k], want[k])
				}
			}
		}
		back := FFT(FFT(x, false), true)
		for k := range n {
			if cmplx.Abs(back[k]-x[k]) > 1e-9 {
				t.Fatalf("n=%d: round trip %v, want %v", n, back[k], x[k])
			}
		}
	}
}

func TestFFT2RoundTrip(t *testing.T) {
	w, h := 12, 10
	x := make([]complex128, w*h)
	for i := range x {
		x[i] = complex(float64(i%7), float64(i%3))
	}
	y := append([]complex128(nil), x...)
	FFT2(y, w, h, false)
	if got := real(y[0]); math.Abs(got-sumReal(x)) > 1e-9 {
		t.Errorf("DC %g, want the sum %g", got, sumReal(x))
	}
	FFT2(y, w, h, true)
	for i := range x {
		if cmplx.Abs(x[i]-y[i]) > 1e-9 {
			t.Fatalf("round trip at %d: %v, want %v", i, y[i], x[i])
		}
	}
}

func sumReal(x []complex128) float64 {
	s := 0.0
	for _, v := range x {
		s += real(v)
	}
	return s
}

func image(w, h int, f func(x, y, c int) float64) *picture.RGB {
	m := &picture.RGB{W: w, H: h, Pix: make([]float32, w*h*3)}
	for y := range h {
		for x := range w {
			for c := range 3 {
				m.Pix[3*(y*w+x)+c] = float32(f(x, y, c))
			}
		}
	}
	return m
}

func flat(w, h int, col [3]float64) *picture.RGB {
	return image(w, h, func(_, _, c int) float64 { return col[c] })
}

func noise(w, h int, seed uint64) *picture.RGB {
	rng := rand.New(rand.NewPCG(seed, 9))
	return image(w, h, func(_, _, _ int) float64 { return rng.Float64() })
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestDirections(t *testing.T) {
	ds := Directions()
	if len(ds) != 13 {
		t.Fatalf("%d directions, want 13", len(ds))
	}
	for _, d := range ds {
		if !near(d[0]*d[0]+d[1]*d[1]+d[2]*d[2], 1, 1e-12) {
			t.Errorf("direction %v is not unit", d)
		}
	}
}

func TestColourDistance(t *testing.T) {
	a := noise(20, 20, 1)
	if d := ColourDistance(a, a); d != 0 {
		t.Errorf("an image against itself: %g", d)
	}
	// The same pixels in another arrangement (a transpose): the distribution is the same.
	tr := image(20, 20, func(x, y, c int) float64 { return float64(a.Pix[3*(x*20+y)+c]) })
	if d := ColourDistance(a, tr); d > 1e-7 {
		t.Errorf("a rearranged image: %g, want 0", d)
	}
	// Two flat images: (1/13) Σ_d |⟨d, p−q⟩|; for a shift of 0.3 in red only that is
	// 0.3·(1/13)·Σ_d |d_r| = 0.3·(1 + 4/√2 + 4/√3)/13 (the axis, four face and four body diagonals).
	p, q := flat(16, 16, [3]float64{0.2, 0.5, 0.5}), flat(24, 24, [3]float64{0.5, 0.5, 0.5})
	want := 0.3 * (1 + 4/math.Sqrt2 + 4/math.Sqrt(3)) / 13
	if d := ColourDistance(p, q); !near(d, want, 1e-6) {
		t.Errorf("flat images 0.3 apart in red: %g, want %g", d, want)
	}
	// A uniform shift of every pixel moves each projection by ⟨d, shift⟩: the same answer.
	sh := image(20, 20, func(x, y, c int) float64 {
		v := float64(a.Pix[3*(y*20+x)+c])
		if c == 0 {
			v += 0.3
		}
		return v
	})
	if d := ColourDistance(sh, a); !near(d, want, 1e-6) {
		t.Errorf("noise shifted 0.3 in red: %g, want %g", d, want)
	}
	// Symmetric, and larger for more different colours.
	b := noise(20, 20, 2)
	if d1, d2 := ColourDistance(a, b), ColourDistance(b, a); !near(d1, d2, 1e-12) || d1 > 0.05 {
		t.Errorf("two uniform noises: %g and %g, want equal and small", d1, d2)
	}
}

func TestSpectrumSinusoidPeak(t *testing.T) {
	// A horizontal sinusoid of 8 cycles over 64 px: all the power at radius 8/64 cycles/px,
	// i.e. ring 7 of 32 (radius in (7/64, 8/64]).
	s := image(64, 64, func(x, _, _ int) float64 { return 0.5 + 0.4*math.Sin(2*math.Pi*8*float64(x)/64) })
	p := RadialSpectrum(s, 32)
	best := 0
	for i := range p {
		if p[i] > p[best] {
			best = i
		}
	}
	if best != 7 {
		t.Errorf("peak in ring %d, want 7: %v", best, p)
	}
	// The Hann window spreads the peak to the neighbouring rings only.
	if p[7] < 1e6*p[20] {
		t.Errorf("peak %g not far above ring 20 (%g)", p[7], p[20])
	}
}

func TestSpectrumWhiteNoiseIsFlat(t *testing.T) {
	n := noise(64, 64, 3)
	p := RadialSpectrum(n, 32)
	// Grey uniform noise in each channel: luma variance (0.299²+0.587²+0.114²)/12 per pixel, spread
	// evenly: each ring's mean power is about that variance.
	want := (0.299*0.299 + 0.587*0.587 + 0.114*0.114) / 12
	for i := 2; i < 32; i++ {
		if p[i] < want/3 || p[i] > want*3 {
			t.Errorf("ring %d: %g, want about %g", i, p[i], want)
		}
	}
}

func TestSpectrumDistance(t *testing.T) {
	a := noise(32, 32, 4)
	if d := SpectrumDistance(a, a); d != 0 {
		t.Errorf("an image against itself: %g", d)
	}
	// Circular shifts and colour offsets do not change the power spectrum much (the window sees a
	// different image, so not exactly).
	sh := image(32, 32, func(x, y, c int) float64 { return float64(a.Pix[3*(((y+5)%32)*32+(x+11)%32)+c]) + 0.1 })
	if d := SpectrumDistance(a, sh); d > 0.3 {
		t.Errorf("shifted noise: %g, want small", d)
	}
	// Scaling the contrast by 10 multiplies the power by 100: distance 2 (decades) exactly.
	lo := image(32, 32, func(x, y, c int) float64 { return 0.5 + (float64(a.Pix[3*(y*32+x)+c])-0.5)/10 })
	if d := SpectrumDistance(a, lo); !near(d, 2, 1e-3) {
		t.Errorf("contrast /10: %g, want 2", d)
	}
	// Smooth stripes against white noise: far apart.
	s := image(32, 32, func(x, _, _ int) float64 { return 0.5 + 0.4*math.Sin(2*math.Pi*2*float64(x)/32) })
	if d := SpectrumDistance(a, s); d < 2 {
		t.Errorf("stripes against noise: %g, want large", d)
	}
	// Different sizes compare on common rings.
	if d := SpectrumDistance(noise(32, 32, 5), noise(64, 64, 6)); d > 0.3 {
		t.Errorf("noise at 32 and 64 px: %g, want small", d)
	}
}

func TestSeamRatio(t *testing.T) {
	// A sinusoid with whole periods across the image tiles: the seam is like any neighbour pair.
	per := image(32, 32, func(x, y, c int) float64 {
		return 0.5 + 0.2*math.Sin(2*math.Pi*(2*float64(x)+3*float64(y))/32+float64(c))
	})
	if r := SeamRatio(per); !near(r, 1, 0.02) {
		t.Errorf("periodic image: %g, want 1", r)
	}
	// A ramp jumps from 1 to 0 across the seam: 31 times the step between neighbours horizontally.
	ramp := image(32, 32, func(x, _, _ int) float64 { return float64(x) / 31 })
	// Seam: mean of |1−0| (32 rows ×3) and 0 (vertical seam, 32 columns ×3) = 0.5.
	// Interior: horizontal steps 1/31 (31·32 pairs), vertical 0 (32·31 pairs): mean 1/62.
	if r := SeamRatio(ramp); !near(r, 31, 1e-4) {
		t.Errorf("ramp: %g, want 31", r)
	}
	// Independent noise: the seam pairs are as independent as the interior ones.
	if r := SeamRatio(noise(64, 64, 7)); !near(r, 1, 0.1) {
		t.Errorf("noise: %g, want about 1", r)
	}
	if r := SeamRatio(flat(16, 16, [3]float64{0.3, 0.3, 0.3})); r != 1 {
		t.Errorf("flat image: %g, want 1", r)
	}
}

func TestBorderError(t *testing.T) {
	if e := BorderError(noise(4, 4, 1), 2); !math.IsNaN(e) {
		t.Errorf("no interior: %g, want NaN", e)
	}
	if e := BorderError(flat(32, 32, [3]float64{0.2, 0.4, 0.6}), 8); e != 0 {
		t.Errorf("flat image: %g", e)
	}
	// An 8-px frame of (0.5, 0, 0) added around a grey interior: error 0.5.
	framed := image(32, 32, func(x, y, c int) float64 {
		if (x < 8 || y < 8 || x >= 24 || y >= 24) && c == 0 {
			return 0.9
		}
		return 0.4
	})
	if e := BorderError(framed, 8); !near(e, 0.5, 1e-6) {
		t.Errorf("red frame: %g, want 0.5", e)
	}
	// A frame of (0.3, 0.4, 0) offset: √(0.09+0.16) = 0.5 as well.
	framed2 := image(32, 32, func(x, y, c int) float64 {
		off := [3]float64{0.3, -0.4, 0}
		if x < 8 || y < 8 || x >= 24 || y >= 24 {
			return 0.5 + off[c]
		}
		return 0.5
	})
	if e := BorderError(framed2, 8); !near(e, 0.5, 1e-6) {
		t.Errorf("frame (0.3,−0.4,0): %g, want 0.5", e)
	}
	if e := BorderError(noise(64, 64, 8), 8); e > 0.03 {
		t.Errorf("noise: %g, want small", e)
	}
}

func TestMeasure(t *testing.T) {
	a := noise(32, 32, 9)
	s := Measure(a, a)
	if s.Colour != 0 || s.Spectrum != 0 || s.Copy != 0 || !near(s.Seam, 1, 0.15) || s.Border > 0.05 {
		t.Errorf("%+v", s)
	}
}

func TestCopyError(t *testing.T) {
	a := noise(32, 32, 10)
	if e := CopyError(a, a); e != 0 {
		t.Errorf("a copy: %g", e)
	}
	if e := CopyError(noise(64, 64, 11), noise(64, 64, 12)); !near(e, 1, 0.05) {
		t.Errorf("independent noises: %g, want 1", e)
	}
	if e := CopyError(a, noise(16, 16, 1)); !math.IsNaN(e) {
		t.Errorf("different sizes: %g, want NaN", e)
	}
	// Half-way between a copy and an independent image: a/2 + c/2 against a.
	b := noise(64, 64, 13)
	c := noise(64, 64, 14)
	mid := image(64, 64, func(x, y, k int) float64 {
		i := 3*(y*64+x) + k
		return (float64(b.Pix[i]) + float64(c.Pix[i])) / 2
	})
	// a−(a+c)/2 = (a−c)/2: RMS √(2v)/2, so the ratio is 1/2.
	if e := CopyError(mid, b); !near(e, 0.5, 0.03) {
		t.Errorf("half copy: %g, want 0.5", e)
	}
}
