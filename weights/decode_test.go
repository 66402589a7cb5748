package weights

import (
	"encoding/binary"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
)

// refuse checks that Decode refuses data with an error wrapping ErrFormat
// whose message contains want.
func refuse(t *testing.T, name string, data []byte, want string) {
	t.Helper()
	f, err := Decode(data)
	if err == nil {
		t.Errorf("%s: decoded %d layers, want an error", name, len(f.Layers))
		return
	}
	if !errors.Is(err, ErrFormat) {
		t.Errorf("%s: error %q does not wrap ErrFormat", name, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error %q does not mention %q", name, err, want)
	}
}

func TestDecodeRefusesPrefix(t *testing.T) {
	good := encode(t, small(t))
	refuse(t, "nil", nil, "empty")
	refuse(t, "empty", []byte{}, "empty")
	refuse(t, "text", []byte("hello, world, this is not a weight file"), "magic")
	refuse(t, "PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), "magic")
	refuse(t, "magic only", []byte(magic), "truncated")

	v2 := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(v2[8:], 2)
	refuse(t, "version 2", v2, "version 2")

	for _, n := range []uint32{0, 1, maxHeaderLen + 1, math.MaxUint32} {
		d := append([]byte(nil), good...)
		binary.LittleEndian.PutUint32(d[12:], n)
		refuse(t, "header length", d, "header length")
	}
	long := append([]byte(nil), good[:prefixLen+10]...)
	binary.LittleEndian.PutUint32(long[12:], 1000)
	refuse(t, "header past end", long, "truncated")
}

// TestDecodeTruncated cuts a small file at every length.
func TestDecodeTruncated(t *testing.T) {
	good := encode(t, tiny(t))
	for n := range len(good) {
		f, err := Decode(good[:n])
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("cut at %d of %d: got %v, %v; want ErrFormat", n, len(good), f, err)
		}
	}
	refuse(t, "extra byte", append(good[:len(good):len(good)], 0), "payload")
}

// TestDecodeFlippedPayload flips one bit of every payload byte in turn,
// a different bit position each byte.
func TestDecodeFlippedPayload(t *testing.T) {
	good := encode(t, tiny(t))
	start := prefixLen + int(binary.LittleEndian.Uint32(good[12:]))
	d := append([]byte(nil), good...)
	for i := start; i < len(d); i++ {
		bit := byte(1) << (i % 8)
		d[i] ^= bit
		if _, err := Decode(d); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "checksum") {
			t.Fatalf("byte %d: bit %#x flipped: err = %v, want a checksum error", i, bit, err)
		}
		d[i] ^= bit
	}
	if _, err := Decode(d); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeRefusesHeader(t *testing.T) {
	h, p := oneLayer(2, 3)
	if _, err := Decode(raw(t, h, p)); err != nil {
		t.Fatalf("the unspoiled file: %v", err)
	}
	for name, c := range map[string]struct {
		spoil func(h *header)
		want  string
	}{
		"order":       {func(h *header) { h.Preprocess.Order = "xyz" }, "order"},
		"scale":       {func(h *header) { h.Preprocess.Scale = -255 }, "scale"},
		"two means":   {func(h *header) { h.Preprocess.Mean = []float32{1, 2} }, "mean"},
		"four stds":   {func(h *header) { h.Preprocess.Std = []float32{1, 2, 3, 4} }, "std"},
		"zero std":    {func(h *header) { h.Preprocess.Std = []float32{1, 0, 1} }, "std"},
		"no name":     {func(h *header) { h.Layers[0].Name = "" }, "name"},
		"3-d shape":   {func(h *header) { h.Layers[0].Shape = []int{2, 3, 1} }, "shape"},
		"zero dim":    {func(h *header) { h.Layers[0].Shape[2] = 0 }, "shape"},
		"neg dim":     {func(h *header) { h.Layers[0].Shape = []int{-2, -3, 1, 1} }, "shape"},
		"bits 16":     {func(h *header) { h.Layers[0].Bits = 16 }, "want 8, 4 or 32"},
		"bits 0":      {func(h *header) { h.Layers[0].Bits = 0 }, "bits"},
		"short sha":   {func(h *header) { h.SHA256 = "abc" }, "sha256"},
		"upper sha":   {func(h *header) { h.SHA256 = strings.Repeat("A", 64) }, "sha256"},
		"wrong sha":   {func(h *header) { h.SHA256 = strings.Repeat("0", 64) }, "checksum"},
		"duplicate":   {func(h *header) { h.Layers = append(h.Layers, h.Layers[0]) }, "two layers"},
		"shape/bytes": {func(h *header) { h.Layers[0].Shape = []int{2, 3, 1, 2} }, "payload"},
		"fewer bytes": {func(h *header) { h.Layers[0].Shape = []int{1, 3, 1, 1} }, "payload"},
	} {
		h, p := oneLayer(2, 3)
		h.Layers[0].Shape = append([]int(nil), h.Layers[0].Shape...)
		c.spoil(&h)
		refuse(t, name, raw(t, h, p), c.want)
	}
}

func TestDecodeRefusesJSON(t *testing.T) {
	_, p := oneLayer(1, 1)
	for name, js := range map[string]string{
		"not JSON":      `{"layers": [`,
		"array":         `[1, 2, 3]`,
		"unknown field": `{"layers": [], "colour": "blue"}`,
		"trailing":      `{"layers": []} {}`,
		"string shape":  `{"layers": [{"name": "a", "shape": "1x1x1x1", "bits": 8}]}`,
		"huge number":   `{"layers": [{"name": "a", "shape": [1e30, 1, 1, 1], "bits": 8}]}`,
		"float32 range": `{"preprocess": {"order": "rgb", "scale": 1e39, "mean": [0,0,0], "std": [1,1,1]}}`,
		"no sha":        `{"preprocess": {"order": "rgb", "scale": 1, "mean": [0,0,0], "std": [1,1,1]}}`,
		"no preprocess": `{"sha256": "` + strings.Repeat("0", 64) + `"}`,
	} {
		refuse(t, name, rawJSON([]byte(js), p), "")
	}
}

func TestDecodeRefusesValues(t *testing.T) {
	for name, c := range map[string]struct {
		at   int // byte offset in the payload of oneLayer(2, 3): q[6], scale[2], bias[2]
		val  uint32
		size int
		want string
	}{
		"q -128":     {0, 0x80, 1, "-128"},
		"zero scale": {6, 0, 4, "scale"},
		"neg scale":  {10, math.Float32bits(-1), 4, "scale"},
		"NaN scale":  {6, 0x7fc00000, 4, "scale"},
		"Inf bias":   {18, 0x7f800000, 4, "bias"},
	} {
		h, p := oneLayer(2, 3)
		if c.size == 1 {
			p[c.at] = byte(c.val)
		} else {
			binary.LittleEndian.PutUint32(p[c.at:], c.val)
		}
		refuse(t, name, raw(t, h, p), c.want) // checksum correct: the value itself is refused
	}
}

// TestDecodeHugeShapes checks that shapes claiming gigabytes are refused
// before anything of their size is allocated.
func TestDecodeHugeShapes(t *testing.T) {
	for name, shapes := range map[string][][]int{
		"one huge":        {{1 << 30, 1 << 30, 3, 3}},
		"max int":         {{math.MaxInt, 1, 1, 1}},
		"product wraps":   {{1 << 32, 1 << 32, 1, 1}},
		"out alone":       {{1 << 40, 1, 1, 1}},
		"many large":      {{1 << 20, 1 << 10, 1, 1}, {1 << 20, 1 << 10, 1, 1}, {1 << 20, 1 << 10, 1, 1}},
		"sum past length": {{1, 1, 1, 1}, {math.MaxInt / 2, 1, 1, 1}, {math.MaxInt / 2, 1, 1, 1}},
	} {
		h := header{Preprocess: imagenetHeader}
		for i, s := range shapes {
			h.Layers = append(h.Layers, headerLayer{Name: string(rune('a' + i)), Shape: s, Bits: 8})
		}
		data := raw(t, h, make([]byte, 64))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Decode(data)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: Decode allocated %d bytes for a %d-byte file", name, n, len(data))
		}
	}
}

func TestDecodeDoesNotAlias(t *testing.T) {
	data := encode(t, small(t))
	f, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	q := f.Layers[0].Q[0]
	for i := range data {
		data[i] = 0
	}
	if f.Layers[0].Q[0] != q {
		t.Error("the File shares memory with the data")
	}
}

func BenchmarkDecodeVGG16(b *testing.B) {
	f, err := random0()
	if err != nil {
		b.Fatal(err)
	}
	data := encode(b, f)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
