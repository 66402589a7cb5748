package weights

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// narrow returns specs with every channel width divided by div, except the
// 3 input channels of the first layer: a VGG-16-shaped network small
// enough for fast tests.
func narrow(specs []LayerSpec, div int) []LayerSpec {
	out := make([]LayerSpec, len(specs))
	for i, s := range specs {
		out[i] = LayerSpec{s.Name, max(s.In/div, 3), s.Out / div}
		if i > 0 {
			out[i].In = out[i-1].Out
		}
	}
	return out
}

// small returns a small valid File: VGG-16's first three layers at 1/8 width.
func small(t testing.TB) *File {
	t.Helper()
	f, err := RandomLayers(1, narrow(VGG16[:3], 8))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// tiny returns a valid File of a few hundred bytes, for tests that decode
// it once per byte: VGG-16's first two layers at 1/16 width.
func tiny(t testing.TB) *File {
	t.Helper()
	f, err := RandomLayers(2, narrow(VGG16[:2], 16))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// encode returns f's encoding, failing the test on error.
func encode(t testing.TB, f *File) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// raw assembles a file from a header and payload by hand, so tests can
// write what Encode refuses to. An empty h.SHA256 is filled in with the
// payload's true checksum.
func raw(t testing.TB, h header, payload []byte) []byte {
	t.Helper()
	if h.SHA256 == "" {
		sum := sha256.Sum256(payload)
		h.SHA256 = hex.EncodeToString(sum[:])
	}
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return rawJSON(js, payload)
}

// rawJSON assembles a file from header bytes and payload.
func rawJSON(js []byte, payload []byte) []byte {
	b := []byte(magic)
	b = binary.LittleEndian.AppendUint32(b, Version)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(js)))
	b = append(b, js...)
	return append(b, payload...)
}

// imagenetHeader is ImageNet in the header's form.
var imagenetHeader = headerPre{
	Order: "rgb",
	Scale: 1,
	Mean:  ImageNet.Mean[:],
	Std:   ImageNet.Std[:],
}

// oneLayer returns the header and payload of a valid file holding one
// out×in×1×1 layer with q = 1, scale 1 and bias 0.
func oneLayer(out, in int) (header, []byte) {
	h := header{
		Layers:     []headerLayer{{Name: "conv", Shape: []int{out, in, 1, 1}, Bits: 8}},
		Preprocess: imagenetHeader,
	}
	p := bytes.Repeat([]byte{1}, out*in)
	for range out {
		p = binary.LittleEndian.AppendUint32(p, 0x3f800000) // 1.0
	}
	p = append(p, make([]byte, 4*out)...)
	return h, p
}
