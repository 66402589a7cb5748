package weights

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// mixed returns a File with a layer of each storage: int8, int4 with an
// odd number of weights, and float32.
func mixed(t testing.TB) *File {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 0))
	kernel := func(n int) []float32 {
		k := make([]float32, n)
		for i := range k {
			k[i] = float32(rng.NormFloat64())
		}
		return k
	}
	a, err := QuantizeBits("conv_a", kernel(3*2*3*3), []float32{1, 2, 3}, 8, 3, 2, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := QuantizeBits("conv_b", kernel(1*3*3*3), []float32{-1}, 4, 1, 3, 3, 3) // 27 weights: odd
	if err != nil {
		t.Fatal(err)
	}
	c, err := QuantizeBits("conv_c", kernel(2*1*3*3), []float32{0.5, -0.5}, 32, 2, 1, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	return &File{Layers: []Layer{a, b, c}, Pre: ImageNet, Provenance: "mixed"}
}

func TestRoundTripBits4And32(t *testing.T) {
	f := mixed(t)
	data := encode(t, f)
	g, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f, g) {
		t.Errorf("decoded File differs:\n got %+v\nwant %+v", g, f)
	}
	if !bytes.Equal(encode(t, g), data) {
		t.Error("re-encoding is not byte-identical")
	}
	// Sizes: FORMAT.md's layer sizes.
	hlen := int(binary.LittleEndian.Uint32(data[12:]))
	want := (54 + 8*3) + (14 + 8*1) + (4*18 + 4*2)
	if got := len(data) - prefixLen - hlen; got != want {
		t.Errorf("payload %d bytes, want %d", got, want)
	}
	for n := range len(data) {
		if _, err := Decode(data[:n]); !errors.Is(err, ErrFormat) {
			t.Fatalf("cut at %d: err = %v", n, err)
		}
	}
}

// TestQuantizeBits4Bound checks int4's range and rounding: every weight
// within the 7-step range is within scale/2 of its value, the ones beyond
// are clipped to ±7·scale, and the clipped scale does no worse than
// max|w|/7 would.
func TestQuantizeBits4Bound(t *testing.T) {
	const out, per = 8, 4 * 9
	rng := rand.New(rand.NewPCG(3, 0))
	kernel := make([]float32, out*per)
	for i := range kernel {
		kernel[i] = float32(rng.NormFloat64() * float64(1+i/per))
	}
	kernel[5*per+3] = 40 // an outlier: worth clipping
	l, err := QuantizeBits("c", kernel, make([]float32, out), 4, out, 4, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	k := l.Kernel()
	for o := range out {
		s := float64(l.Scale[o])
		top := int8(0)
		var sse, sseMax, m float64
		for i := o * per; i < (o+1)*per; i++ {
			m = max(m, math.Abs(float64(kernel[i])))
		}
		sMax := m / 7
		for i := o * per; i < (o+1)*per; i++ {
			w := float64(kernel[i])
			d := math.Abs(w - float64(k[i]))
			if math.Abs(w) <= 7*s && d > s/2*(1+1e-9) {
				t.Errorf("channel %d weight %d: error %g > scale/2 = %g", o, i, d, s/2)
			}
			if math.Abs(w) > 7*s && math.Abs(float64(k[i])-math.Copysign(7*s, w)) > 1e-6*s {
				t.Errorf("channel %d weight %d: %g not clipped to ±7·scale", o, i, w)
			}
			top = max(top, l.Q[i], -l.Q[i])
			sse += d * d
			dm := w - math.Round(w/sMax)*sMax
			sseMax += dm * dm
		}
		if top != 7 {
			t.Errorf("channel %d: max |q| = %d, want 7", o, top)
		}
		if sse > sseMax*(1+1e-6) {
			t.Errorf("channel %d: squared error %g, more than max|w|/7 gives (%g)", o, sse, sseMax)
		}
		if s > sMax*(1+1e-6) || s < 0.4*sMax*(1-1e-6) {
			t.Errorf("channel %d: scale %g outside [0.4, 1]·max|w|/7 = %g", o, s, sMax)
		}
	}
	if l.Scale[5] >= float32(40.0/7) {
		t.Errorf("the outlier channel was not clipped: scale %g", l.Scale[5])
	}
}

// TestInt8ChannelBound checks the int8 round-trip error per channel
// through a file: every weight within scale/2, and each channel's
// relative L2 error within 1/(2·127)·max|w|/rms(w), the bound for uniform
// rounding of a channel.
func TestInt8ChannelBound(t *testing.T) {
	const out, in = 16, 8
	per := in * 9
	rng := rand.New(rand.NewPCG(5, 1))
	kernel := make([]float32, out*per)
	for i := range kernel {
		kernel[i] = float32(rng.NormFloat64() * math.Exp(float64(i/per)-8))
	}
	l, err := Quantize("c", kernel, make([]float32, out), out, in, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	f := &File{Layers: []Layer{l}, Pre: ImageNet}
	g, err := Decode(encode(t, f))
	if err != nil {
		t.Fatal(err)
	}
	k := g.Layers[0].Kernel()
	for o := range out {
		var num, den, m float64
		for i := o * per; i < (o+1)*per; i++ {
			d := float64(kernel[i]) - float64(k[i])
			if math.Abs(d) > float64(g.Layers[0].Scale[o])/2 {
				t.Fatalf("channel %d weight %d: error %g", o, i, d)
			}
			num += d * d
			den += float64(kernel[i]) * float64(kernel[i])
			m = max(m, math.Abs(float64(kernel[i])))
		}
		rel := math.Sqrt(num / den)
		bound := m / 127 / 2 / math.Sqrt(den/float64(per))
		if rel > bound {
			t.Errorf("channel %d: relative error %g > %g", o, rel, bound)
		}
	}
}

func TestBits32Exact(t *testing.T) {
	k := []float32{1e-30, -3.25, float32(math.Copysign(0, -1)), 7}
	l, err := QuantizeBits("c", k, []float32{0}, 32, 1, 4, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Decode(encode(t, &File{Layers: []Layer{l}, Pre: ImageNet}))
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range g.Layers[0].Kernel() {
		if math.Float32bits(w) != math.Float32bits(k[i]) {
			t.Errorf("weight %d: %g became %g", i, k[i], w)
		}
	}
	k[0] = 5
	if l.W[0] == 5 {
		t.Error("QuantizeBits kept the caller's kernel")
	}
	if _, err := QuantizeBits("c", []float32{float32(math.Inf(1))}, []float32{0}, 32, 1, 1, 1, 1); !errors.Is(err, ErrFormat) {
		t.Errorf("Inf weight at 32 bits: err = %v", err)
	}
	if _, err := QuantizeBits("c", []float32{1}, []float32{0}, 16, 1, 1, 1, 1); !errors.Is(err, ErrFormat) {
		t.Errorf("16 bits: err = %v", err)
	}
}

func TestDecodeRefusesBits4Values(t *testing.T) {
	// One layer, 3 weights at 4 bits: 2 bytes of nibbles, scale, bias.
	h := header{
		Layers:     []headerLayer{{Name: "c", Shape: []int{1, 3, 1, 1}, Bits: 4}},
		Preprocess: imagenetHeader,
	}
	payload := func(b0, b1 byte) []byte {
		p := []byte{b0, b1}
		p = binary.LittleEndian.AppendUint32(p, math.Float32bits(1))
		return binary.LittleEndian.AppendUint32(p, 0)
	}
	f, err := Decode(raw(t, h, payload(0x9F, 0x07))) // -1, -7, 7
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Layers[0].Q; !reflect.DeepEqual(got, []int8{-1, -7, 7}) {
		t.Errorf("Q = %v, want [-1 -7 7]", got)
	}
	refuse(t, "nibble -8", raw(t, h, payload(0x08, 0x00)), "-8")
	refuse(t, "unused nibble", raw(t, h, payload(0x00, 0x10)), "nibble")
	h.Layers[0].Bits = 32
	refuse(t, "bits 32 short", raw(t, h, payload(0, 0)), "payload")
	p := binary.LittleEndian.AppendUint32(nil, 0x7fc00000)
	p = append(p, make([]byte, 12)...)
	refuse(t, "bits 32 NaN", raw(t, h, p), "weight 0")
}

func TestEncodeRefusesBitsMismatch(t *testing.T) {
	for name, spoil := range map[string]func(f *File){
		"int4 q 8":       func(f *File) { f.Layers[1].Q[0] = 8 },
		"int4 as int8":   func(f *File) { f.Layers[0].Bits = 4 },
		"float with Q":   func(f *File) { f.Layers[2].Q = []int8{1} },
		"float short W":  func(f *File) { f.Layers[2].W = f.Layers[2].W[1:] },
		"int8 with W":    func(f *File) { f.Layers[0].W = []float32{1} },
		"float w scales": func(f *File) { f.Layers[2].Scale = []float32{1, 1} },
	} {
		f := mixed(t)
		spoil(f)
		var b bytes.Buffer
		if err := Encode(&b, f); !errors.Is(err, ErrFormat) || b.Len() != 0 {
			t.Errorf("%s: err = %v, %d bytes written", name, err, b.Len())
		}
	}
	if !strings.Contains(Encode(&bytes.Buffer{}, &File{Pre: ImageNet, Layers: []Layer{{Name: "x", Out: 1, In: 1, KH: 1, KW: 1, Bits: 2}}}).Error(), "8, 4 or 32") {
		t.Error("bits 2 error does not list the choices")
	}
}
