package metrics

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/texsynth/texsynth/core/picture"
)

// stripes are grey stripes of period λ whose gradient points at angle φ (degrees).
func stripes(side int, phiDeg, lambda float64) *picture.RGB {
	c, s := math.Cos(phiDeg*math.Pi/180), math.Sin(phiDeg*math.Pi/180)
	return image(side, side, func(x, y, _ int) float64 {
		return 0.5 + 0.4*math.Sin(2*math.Pi*(float64(x)*c+float64(y)*s)/lambda)
	})
}

// bin returns the histogram's weight in orientation bin t (all coherences) and in coherence
// bins from k up (all orientations).
func binWeights(h []float64, t, k int) (orient, coherent float64) {
	for i, v := range h {
		if i/coherenceBins == t {
			orient += v
		}
		if i%coherenceBins >= k {
			coherent += v
		}
	}
	return orient, coherent
}

// TestOrientationHistogramKnown: stripes put their weight in the bin of their orientation at
// full coherence; noise spreads over every orientation at low coherence; a flat image has none.
func TestOrientationHistogramKnown(t *testing.T) {
	for _, c := range []struct {
		phi float64
		bin int
	}{{0, 0}, {45, 2}, {95, 4}, {160, 7}} {
		for _, sigma := range []float64{OrientFineSigma, OrientCoarseSigma} {
			h := OrientationHistogram(stripes(64, c.phi, 9), sigma)
			orient, coherent := binWeights(h, c.bin, coherenceBins-1)
			sum := 0.0
			for _, v := range h {
				sum += v
			}
			// Only the pixels near the border, where the gradient sees replicated pixels, fall
			// elsewhere.
			if !near(sum, 1, 1e-12) || orient < 0.9 || coherent < 0.9 {
				t.Errorf("stripes at %g°, σ %g: sum %g, %.3f in orientation bin %d, %.3f at full coherence", c.phi, sigma, sum, orient, c.bin, coherent)
			}
		}
	}
	// White noise is the hardest case for a 3×3 gradient (all its energy at the highest
	// frequencies): Scharr's leaves about 11 % more of it on the diagonals than a uniform spread.
	h := OrientationHistogram(noise(256, 256, 3), OrientFineSigma)
	for b := range orientBins {
		if o, _ := binWeights(h, b, 0); math.Abs(o-1.0/orientBins) > 0.02 {
			t.Errorf("noise: orientation bin %d holds %.3f, want 1/8", b, o)
		}
	}
	h = OrientationHistogram(noise(128, 128, 3), OrientCoarseSigma)
	if _, coherent := binWeights(h, 0, 1); coherent > 0.05 {
		t.Errorf("noise at σ 4: %.3f of the energy at coherence ≥ 1/4", coherent)
	}
	for _, v := range OrientationHistogram(flat(20, 20, [3]float64{0.3, 0.6, 0.1}), 1) {
		if v != 0 {
			t.Fatal("a flat image has structure")
		}
	}
}

func TestOrientationDistanceKnown(t *testing.T) {
	a, b := stripes(64, 0, 9), stripes(64, 90, 9)
	if d := OrientationDistance(a, a, 1); d != 0 {
		t.Errorf("stripes against themselves: %g", d)
	}
	if d := OrientationDistance(a, b, 1); d < 0.9 || d > 1 {
		t.Errorf("stripes at right angles: %g, want about 1", d)
	}
	// The distance sees orientation, not position, colour or contrast.
	shifted := stripes(64, 0, 9)
	for i := range shifted.Pix {
		shifted.Pix[i] = 0.2 + 0.5*shifted.Pix[i]
	}
	if d := OrientationDistance(a, shifted, 1); d > 1e-9 {
		t.Errorf("stripes at other contrast: %g, want 0", d)
	}
	f := flat(32, 32, [3]float64{0.5, 0.5, 0.5})
	if d := OrientationDistance(f, f, 1); d != 0 {
		t.Errorf("flat vs flat: %g", d)
	}
	if d := OrientationDistance(f, a, 1); d != 1 {
		t.Errorf("flat vs stripes: %g, want 1", d)
	}
	// A transposed texture with a preferred direction is far from itself; transposed noise is
	// not.
	n := noise(128, 128, 5)
	if d := OrientationDistance(n, transpose(n), OrientCoarseSigma); d > 0.1 {
		t.Errorf("noise vs its transpose: %g", d)
	}
	br := bricks(96)
	if d := OrientationDistance(br, transpose(br), OrientCoarseSigma); d < 0.4 {
		t.Errorf("bricks vs their transpose: %g", d)
	}
}

func transpose(m *picture.RGB) *picture.RGB {
	return image(m.H, m.W, func(x, y, c int) float64 { return float64(m.Pix[3*(x*m.W+y)+c]) })
}

// bricks is a periodic brick wall: 24×12 px bricks with 2 px mortar, rows offset by half.
func bricks(side int) *picture.RGB {
	return image(side, side, func(x, y, c int) float64 {
		row := y / 12
		xx := (x + row%2*12) % 24
		if y%12 < 2 || xx < 2 {
			return 0.8
		}
		return []float64{0.6, 0.25, 0.15}[c]
	})
}

// pebbles is a periodic texture of shaded discs of random sizes on a dark ground, wrapping
// around the borders, so that its circular shifts are the same texture without a seam.
func pebbles(side int, seed uint64) *picture.RGB {
	rng := rand.New(rand.NewPCG(seed, 11))
	type disc struct{ x, y, r, tone float64 }
	var ds []disc
	for range side * side / 150 {
		ds = append(ds, disc{rng.Float64() * float64(side), rng.Float64() * float64(side), 4 + 6*rng.Float64(), 0.4 + 0.5*rng.Float64()})
	}
	return image(side, side, func(x, y, c int) float64 {
		v := 0.1
		for _, d := range ds {
			dx := math.Remainder(float64(x)-d.x, float64(side))
			dy := math.Remainder(float64(y)-d.y, float64(side))
			if q := (dx*dx + dy*dy) / (d.r * d.r); q < 1 {
				v = d.tone * (1 - 0.5*q) * (1 + 0.3*(dx-dy)/d.r) / 1.3 // lit from the top left
			}
		}
		return v * []float64{1, 0.9, 0.8}[c]
	})
}

func shift(m *picture.RGB, dx, dy int) *picture.RGB {
	return image(m.W, m.H, func(x, y, c int) float64 {
		return float64(m.Pix[3*(((y+dy)%m.H)*m.W+(x+dx)%m.W)+c])
	})
}

func shuffle(m *picture.RGB, seed uint64) *picture.RGB {
	out := &picture.RGB{W: m.W, H: m.H, Pix: append([]float32(nil), m.Pix...)}
	rng := rand.New(rand.NewPCG(seed, 13))
	for i := m.W*m.H - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		for c := range 3 {
			out.Pix[3*i+c], out.Pix[3*j+c] = out.Pix[3*j+c], out.Pix[3*i+c]
		}
	}
	return out
}

// blur is a (2r+1)² box blur, the window cut at the borders.
func blur(m *picture.RGB, r int) *picture.RGB {
	return image(m.W, m.H, func(x, y, c int) float64 {
		var s float64
		n := 0
		for yy := max(0, y-r); yy <= min(m.H-1, y+r); yy++ {
			for xx := max(0, x-r); xx <= min(m.W-1, x+r); xx++ {
				s += float64(m.Pix[3*(yy*m.W+xx)+c])
				n++
			}
		}
		return s / float64(n)
	})
}

// TestOrientationSyntheticCases: against a texture whose answers are known — itself (0), a
// circular shift of it (the same texture: near 0), a blur (the same layout, softer edges) and
// its pixels shuffled (the same colours and no structure: far) — the distance orders them so
// at both scales, and the colour distance cannot tell the shuffle from the texture.
func TestOrientationSyntheticCases(t *testing.T) {
	ex := pebbles(128, 1)
	for _, sigma := range []float64{OrientFineSigma, OrientCoarseSigma} {
		self := OrientationDistance(ex, ex, sigma)
		sh := OrientationDistance(shift(ex, 29, 41), ex, sigma)
		bl := OrientationDistance(blur(ex, 2), ex, sigma)
		sf := OrientationDistance(shuffle(ex, 1), ex, sigma)
		t.Logf("σ %g: itself %.3f, shifted %.3f, blurred %.3f, shuffled %.3f", sigma, self, sh, bl, sf)
		if self != 0 || sh > 0.05 || bl < 3*sh || sf < 0.5 || sf < 3*bl {
			t.Errorf("σ %g: itself %.3f, shifted %.3f, blurred %.3f, shuffled %.3f; want shifted ≤ 0.05, blurred > 3·shifted, shuffled > max(0.5, 3·blurred)", sigma, self, sh, bl, sf)
		}
	}
	if d := ColourDistance(shuffle(ex, 1), ex); d > 1e-6 {
		t.Errorf("colour distance of the shuffle: %g", d)
	}
}

// TestOrientationRealTextures runs the same cases on the shared samples at 128 px (skipped
// when ../shared is absent). A circular shift of a photograph has a seam, so it is not 0.
func TestOrientationRealTextures(t *testing.T) {
	for _, name := range []string{"ulyanov_red-peppers256.jpg", "gatys_pebbles.jpg", "brick.png"} {
		path := "../../../shared/textures/" + name
		if _, err := os.Stat(path); err != nil {
			t.Skipf("shared textures: %v", err)
		}
		m, _, err := picture.Load(path, 0)
		if err != nil {
			t.Fatal(err)
		}
		s := min(m.W, m.H)
		ex := picture.Resize(picture.CenterCrop(m, s, s), 128, 128)
		for _, sigma := range []float64{OrientFineSigma, OrientCoarseSigma} {
			sh := OrientationDistance(shift(ex, 37, 53), ex, sigma)
			bl := OrientationDistance(blur(ex, 2), ex, sigma)
			sf := OrientationDistance(shuffle(ex, 2), ex, sigma)
			t.Logf("%s σ %g: shifted %.3f, blurred %.3f, shuffled %.3f", name, sigma, sh, bl, sf)
			if sh > 0.12 || sf < 0.5 || sf < 5*sh || sf < 2*bl {
				t.Errorf("%s σ %g: shifted %.3f, blurred %.3f, shuffled %.3f", name, sigma, sh, bl, sf)
			}
		}
	}
}

// BenchmarkMeasure256 is the cost of every statistic of a 256 px output.
func BenchmarkMeasure256(b *testing.B) {
	a, ex := noise(256, 256, 1), pebbles(256, 2)
	for b.Loop() {
		Measure(a, ex)
	}
}

func BenchmarkOrientation256(b *testing.B) {
	a, ex := noise(256, 256, 1), pebbles(256, 2)
	for b.Loop() {
		OrientationDistance(a, ex, OrientFineSigma)
		OrientationDistance(a, ex, OrientCoarseSigma)
	}
}

func TestStatsJSON(t *testing.T) {
	b, err := json.Marshal(Stats{Colour: 0.5, Spectrum: math.NaN(), Seam: math.Inf(1), OrientCoarse: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"colour":0.5,"spectrum":null,"seam":null,"border":0,"copy":0,"orient_fine":0,"orient_coarse":0.25}`
	if string(b) != want {
		t.Errorf("%s\nwant %s", b, want)
	}
}
