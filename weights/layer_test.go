package weights

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestQuantizeErrorBound(t *testing.T) {
	const out, in, kh, kw = 6, 5, 3, 2
	per := in * kh * kw
	rng := rand.New(rand.NewPCG(7, 0))
	kernel := make([]float32, out*per)
	for i := range kernel {
		kernel[i] = float32(rng.NormFloat64())
	}
	// Channel magnitudes far apart, a channel of zeros, one too small for a
	// normal scale, one with a single non-zero weight, extremes.
	for i := range per {
		kernel[1*per+i] *= 1e-6
		kernel[2*per+i] = 0
		kernel[3*per+i] *= 1e-38
		kernel[4*per+i] = 0
		kernel[5*per+i] *= 1e30
	}
	kernel[4*per+3] = -0.25
	bias := []float32{1, -2, 0, 3, float32(math.Copysign(0, -1)), 5}
	l, err := Quantize("c", kernel, bias, out, in, kh, kw)
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "c" || l.Out != out || l.In != in || l.KH != kh || l.KW != kw || l.Bits != 8 {
		t.Fatalf("header fields: %+v", l)
	}
	if err := l.check(); err != nil {
		t.Fatal(err)
	}
	k := l.Kernel()
	for o := range out {
		s := float64(l.Scale[o])
		for i := o * per; i < (o+1)*per; i++ {
			if d := math.Abs(float64(kernel[i]) - float64(k[i])); d > s/2 {
				t.Errorf("channel %d weight %d: |%g - %g| = %g > scale/2 = %g", o, i, kernel[i], k[i], d, s/2)
			}
		}
	}
	for _, o := range []int{2, 3} {
		if l.Scale[o] != 1 {
			t.Errorf("channel %d: scale %g, want 1 for an all-zero or tiny channel", o, l.Scale[o])
		}
	}
	// The largest weight of each channel maps to ±127 (nothing clipped,
	// full range used).
	for _, o := range []int{0, 1, 4, 5} {
		m := int8(0)
		for _, q := range l.Q[o*per : (o+1)*per] {
			m = max(m, q, -q)
		}
		if m != 127 {
			t.Errorf("channel %d: max |q| = %d, want 127", o, m)
		}
	}
	if math.Float32bits(l.Bias[4]) != math.Float32bits(bias[4]) {
		t.Error("bias not copied bit for bit")
	}
	bias[0] = 99
	if l.Bias[0] == 99 {
		t.Error("Quantize kept the caller's bias slice")
	}
}

func TestQuantizeRefuses(t *testing.T) {
	ok := []float32{1, 2, 3, 4}
	for _, c := range []struct {
		name         string
		kernel, bias []float32
		dims         [4]int
	}{
		{"short kernel", ok[:3], ok[:1], [4]int{1, 2, 2, 1}},
		{"long kernel", ok, ok[:1], [4]int{1, 1, 1, 1}},
		{"bias count", ok, ok[:2], [4]int{1, 4, 1, 1}},
		{"zero dim", nil, nil, [4]int{0, 1, 1, 1}},
		{"negative dim", ok, ok[:1], [4]int{1, -4, -1, 1}},
		{"overflowing dims", ok, ok[:1], [4]int{1 << 40, 1 << 40, 1 << 40, 1}},
		{"NaN weight", []float32{1, float32(math.NaN())}, ok[:1], [4]int{1, 2, 1, 1}},
		{"Inf weight", []float32{float32(math.Inf(-1)), 1}, ok[:1], [4]int{1, 2, 1, 1}},
		{"NaN bias", ok, []float32{float32(math.NaN())}, [4]int{1, 4, 1, 1}},
	} {
		_, err := Quantize("c", c.kernel, c.bias, c.dims[0], c.dims[1], c.dims[2], c.dims[3])
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", c.name, err)
		}
	}
	if _, err := Quantize("", ok, ok[:1], 1, 4, 1, 1); !errors.Is(err, ErrFormat) {
		t.Errorf("empty name: err = %v", err)
	}
}

func TestKernel(t *testing.T) {
	l := Layer{Name: "c", Out: 2, In: 1, KH: 1, KW: 2, Bits: 8,
		Q: []int8{-127, 3, 0, 127}, Scale: []float32{0.5, 2}, Bias: []float32{0, 0}}
	want := []float32{-63.5, 1.5, 0, 254}
	got := l.Kernel()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Kernel() = %v, want %v", got, want)
		}
	}
	if l.Size() != 4 {
		t.Errorf("Size() = %d", l.Size())
	}
}

// TestRound: round is math.Round on halves, near-halves, integers, signed zeros and large values.
func TestRound(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), 0.5, -0.5, 1.5, -1.5, 2.5, 0.49999999999999994, -0.49999999999999994,
		126.5, -126.5, 127.49999, 1e15 + 0.5, 3.7, -3.7, math.Nextafter(0.5, 0), math.Nextafter(0.5, 1)} {
		if got, want := round(x), math.Round(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("round(%v) = %v, want %v", x, got, want)
		}
	}
}
