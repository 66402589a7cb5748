package convert

import (
	"encoding/binary"
	"fmt"
	"math"
)

// A dtype is an element type a checkpoint may store.
type dtype int

const (
	f32 dtype = iota + 1
	f16
	bf16
	f64
	i64
	i32
	other // known to exist, not convertible to float32 here
)

func (d dtype) size() int {
	switch d {
	case f32, i32:
		return 4
	case f16, bf16:
		return 2
	case f64, i64:
		return 8
	}
	return 1
}

func (d dtype) String() string {
	if s, ok := map[dtype]string{f32: "float32", f16: "float16", bf16: "bfloat16", f64: "float64", i64: "int64", i32: "int32"}[d]; ok {
		return s
	}
	return "of a type not read here"
}

// A tensor is an array read from a checkpoint, kept as raw little-endian
// bytes until it is needed: a checkpoint holds many tensors the conversion
// never reads (the classifier, batch-norm counters).
type tensor struct {
	name  string
	dtype dtype
	shape []int
	// The element at index (i0, i1, …) is at element offset
	// offset + Σ i_k·stride_k of raw.
	raw []byte
	// A tensor of a zip archive's storage is read only when needed (a
	// checkpoint's classifier is most of its bytes): then raw is nil,
	// nbytes is the storage's size and load reads it.
	nbytes int
	load   func() ([]byte, error)
	offset int
	stride []int
}

// numel returns the product of dims, or false if a dimension is negative
// or the product exceeds limit.
func numel(dims []int, limit int) (int, bool) {
	n := 1
	for _, d := range dims {
		if d < 0 || (d > 0 && n > limit/d) {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// contiguous returns the row-major strides of shape.
func contiguous(shape []int) []int {
	s := make([]int, len(shape))
	k := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = k
		k *= shape[i]
	}
	return s
}

// check verifies that every element t's shape and strides address lies
// inside raw. Shapes were checked to be non-negative.
func (t *tensor) check() error {
	if len(t.stride) != len(t.shape) {
		return fmt.Errorf("tensor %s: %d strides for %d dimensions", t.name, len(t.stride), len(t.shape))
	}
	nbytes := len(t.raw)
	if t.load != nil {
		nbytes = t.nbytes
	}
	total := nbytes / t.dtype.size()
	if _, ok := numel(t.shape, total); !ok {
		return fmt.Errorf("tensor %s: shape %v is larger than its %d-element storage", t.name, t.shape, total)
	}
	if t.offset < 0 || t.offset > total {
		return fmt.Errorf("tensor %s: offset %d outside its %d-element storage", t.name, t.offset, total)
	}
	last := t.offset
	for i, d := range t.shape {
		if d == 0 {
			return nil // empty
		}
		s := t.stride[i]
		if s < 0 || s > total || d-1 > total/max(s, 1) {
			return fmt.Errorf("tensor %s: stride %v does not fit its %d-element storage", t.name, t.stride, total)
		}
		last += (d - 1) * s
	}
	if t.offset < 0 || last >= total {
		return fmt.Errorf("tensor %s: shape %v, offset %d and strides %v reach past its %d-element storage", t.name, t.shape, t.offset, t.stride, total)
	}
	return nil
}

// floats returns t's elements as float32, row-major. t must have passed
// check.
func (t *tensor) floats() ([]float32, error) {
	if t.dtype != f32 && t.dtype != f16 && t.dtype != bf16 && t.dtype != f64 {
		return nil, fmt.Errorf("tensor %s is %v, want a floating-point type", t.name, t.dtype)
	}
	if t.load != nil && t.raw == nil {
		raw, err := t.load()
		if err != nil {
			return nil, err
		}
		if len(raw) != t.nbytes {
			return nil, fmt.Errorf("tensor %s: storage of %d bytes, want %d", t.name, len(raw), t.nbytes)
		}
		t.raw = raw
	}
	n, _ := numel(t.shape, math.MaxInt)
	out := make([]float32, n)
	if n == 0 {
		return out, nil
	}
	idx := make([]int, len(t.shape))
	at := t.offset
	size := t.dtype.size()
	for k := range out {
		b := t.raw[at*size:]
		var v float32
		switch t.dtype {
		case f32:
			v = math.Float32frombits(binary.LittleEndian.Uint32(b))
		case f64:
			v = float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		case bf16:
			v = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
		case f16:
			v = half(binary.LittleEndian.Uint16(b))
		}
		out[k] = v
		// Advance the index, last dimension fastest.
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			at += t.stride[d]
			if idx[d] < t.shape[d] {
				break
			}
			at -= idx[d] * t.stride[d]
			idx[d] = 0
		}
	}
	return out, nil
}

// half converts an IEEE-754 binary16 to float32.
func half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch exp {
	case 0:
		v := float32(frac) * 0x1p-24 // subnormal (or zero)
		if sign != 0 {
			v = -v
		}
		return v
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | frac<<13)
}
