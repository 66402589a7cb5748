package convert

import (
	"encoding/binary"
	"math"
	"testing"
)

func TestHalf(t *testing.T) {
	for h, want := range map[uint16]float32{
		0x3c00: 1, 0xc000: -2, 0x7bff: 65504, 0x0001: 0x1p-24, 0x8001: -0x1p-24, 0x0400: 0x1p-14,
		0x3555: 0.333251953125, 0x0000: 0, 0x7c00: float32(math.Inf(1)),
	} {
		if got := half(h); got != want {
			t.Errorf("half(%#04x) = %g, want %g", h, got, want)
		}
	}
	if !math.IsNaN(float64(half(0x7e00))) {
		t.Error("half(0x7e00) is not NaN")
	}
}

// TestTensorTypesAndStrides reads float16, bfloat16 and float64 tensors,
// and a transposed (non-contiguous) view.
func TestTensorTypesAndStrides(t *testing.T) {
	raw16 := binary.LittleEndian.AppendUint16(nil, 0x3c00)
	raw16 = binary.LittleEndian.AppendUint16(raw16, 0xc000)
	rawBF := binary.LittleEndian.AppendUint16(nil, 0x3f80)
	rawBF = binary.LittleEndian.AppendUint16(rawBF, 0xc040)
	raw64 := binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.5))
	raw64 = binary.LittleEndian.AppendUint64(raw64, math.Float64bits(-1e300))
	for _, c := range []struct {
		t    tensor
		want []float32
	}{
		{tensor{name: "h", dtype: f16, shape: []int{2}, raw: raw16, stride: []int{1}}, []float32{1, -2}},
		{tensor{name: "b", dtype: bf16, shape: []int{2}, raw: rawBF, stride: []int{1}}, []float32{1, -3}},
		{tensor{name: "d", dtype: f64, shape: []int{2}, raw: raw64, stride: []int{1}}, []float32{0.5, float32(math.Inf(-1))}},
	} {
		if err := c.t.check(); err != nil {
			t.Fatal(err)
		}
		got, err := c.t.floats()
		if err != nil || got[0] != c.want[0] || got[1] != c.want[1] {
			t.Errorf("%s: %v, %v; want %v", c.t.name, got, err, c.want)
		}
	}
	// A 2×3 view of a 3×2 row-major storage, transposed: strides (1, 2).
	var raw []byte
	for i := range 6 {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(float32(i)))
	}
	tr := tensor{name: "t", dtype: f32, shape: []int{2, 3}, raw: raw, stride: []int{1, 2}}
	if err := tr.check(); err != nil {
		t.Fatal(err)
	}
	got, _ := tr.floats()
	for i, w := range []float32{0, 2, 4, 1, 3, 5} {
		if got[i] != w {
			t.Fatalf("transposed view: %v", got)
		}
	}
	for _, bad := range []tensor{
		{name: "past end", dtype: f32, shape: []int{2, 3}, raw: raw, stride: []int{3, 2}},
		{name: "offset", dtype: f32, shape: []int{6}, raw: raw, offset: 1, stride: []int{1}},
		{name: "huge offset", dtype: f32, shape: []int{1}, raw: raw, offset: math.MaxInt, stride: []int{1}},
		{name: "huge stride", dtype: f32, shape: []int{2}, raw: raw, stride: []int{math.MaxInt}},
		{name: "strides", dtype: f32, shape: []int{6}, raw: raw, stride: []int{1, 1}},
	} {
		if err := bad.check(); err == nil {
			t.Errorf("%s: accepted", bad.name)
		}
	}
}
