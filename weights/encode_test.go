package weights

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// varied returns a File that exercises every field: two layers of
// different kernel sizes, a zero channel, signed zero and negative biases,
// Caffe-style preprocessing and provenance that JSON must escape.
func varied(t *testing.T) *File {
	a, err := Quantize("conv_a", []float32{1, -2, 3, 0, 0, 0, 0.5, 0.25, -0.125, 7, 8, 9}, []float32{-1, float32(math.Copysign(0, -1)), 3e-20}, 3, 2, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Quantize("conv_b", []float32{0.1, 0.2, 0.3}, []float32{42}, 1, 3, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	return &File{
		Layers: []Layer{a, b},
		Pre: Preprocess{Order: "bgr", Scale: 255,
			Mean: [3]float32{103.939, 116.779, 123.68}, Std: [3]float32{1, 1, 1}},
		Provenance: "caffe <vgg16> & \"friends\" — ünïcode\n\ttab",
	}
}

func TestRoundTrip(t *testing.T) {
	for name, f := range map[string]*File{"varied": varied(t), "small": small(t), "empty": {Layers: []Layer{}, Pre: ImageNet}} {
		data := encode(t, f)
		g, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(f, g) {
			t.Errorf("%s: decoded File differs:\n got %+v\nwant %+v", name, g, f)
		}
		if !bytes.Equal(encode(t, g), data) {
			t.Errorf("%s: re-encoding is not byte-identical", name)
		}
		if g.Checksum() != f.Checksum() {
			t.Errorf("%s: checksum changed", name)
		}
	}
}

// TestRoundTripBits compares floats by bit pattern, which DeepEqual does
// not (it treats -0 and 0 as equal).
func TestRoundTripBits(t *testing.T) {
	f := varied(t)
	g, err := Decode(encode(t, f))
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Layers {
		for _, pair := range [][2][]float32{{f.Layers[i].Scale, g.Layers[i].Scale}, {f.Layers[i].Bias, g.Layers[i].Bias}} {
			for j := range pair[0] {
				if math.Float32bits(pair[0][j]) != math.Float32bits(pair[1][j]) {
					t.Errorf("layer %d value %d: %g became %g", i, j, pair[0][j], pair[1][j])
				}
			}
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	for name, spoil := range map[string]func(f *File){
		"order":          func(f *File) { f.Pre.Order = "RGB" },
		"scale":          func(f *File) { f.Pre.Scale = 0 },
		"std":            func(f *File) { f.Pre.Std[1] = -1 },
		"mean":           func(f *File) { f.Pre.Mean[2] = float32(math.Inf(1)) },
		"provenance":     func(f *File) { f.Provenance = "\xff" },
		"name":           func(f *File) { f.Layers[1].Name = "" },
		"duplicate":      func(f *File) { f.Layers[1].Name = f.Layers[0].Name },
		"bits":           func(f *File) { f.Layers[0].Bits = 4 },
		"q length":       func(f *File) { f.Layers[0].Q = f.Layers[0].Q[1:] },
		"q -128":         func(f *File) { f.Layers[0].Q[0] = -128 },
		"scale length":   func(f *File) { f.Layers[0].Scale = nil },
		"bias length":    func(f *File) { f.Layers[0].Bias = append(f.Layers[0].Bias, 0) },
		"zero scale":     func(f *File) { f.Layers[0].Scale[0] = 0 },
		"NaN scale":      func(f *File) { f.Layers[0].Scale[0] = float32(math.NaN()) },
		"Inf bias":       func(f *File) { f.Layers[0].Bias[0] = float32(math.Inf(1)) },
		"shape":          func(f *File) { f.Layers[0].KH = 0 },
		"shape mismatch": func(f *File) { f.Layers[0].KH, f.Layers[0].KW = f.Layers[0].KW, 2*f.Layers[0].KH },
	} {
		f := varied(t)
		spoil(f)
		var b bytes.Buffer
		if err := Encode(&b, f); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
		if b.Len() != 0 {
			t.Errorf("%s: wrote %d bytes before refusing", name, b.Len())
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n < len(p) {
		return 0, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestEncodeWriteError(t *testing.T) {
	f := small(t)
	size := len(encode(t, f))
	for _, n := range []int{0, 10, 100, size - 1} {
		if err := Encode(&failWriter{n: n}, f); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("writer failing after %d bytes: err = %v", n, err)
		}
	}
}

func TestFileLayer(t *testing.T) {
	f := small(t)
	l, ok := f.Layer("conv1_2")
	if !ok || l != &f.Layers[1] {
		t.Fatalf("Layer(conv1_2) = %p, %v", l, ok)
	}
	if _, ok := f.Layer("conv9_9"); ok {
		t.Error("found a layer that is not there")
	}
}
