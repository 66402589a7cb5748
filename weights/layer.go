package weights

import (
	"math"
	"unicode/utf8"
)

// A Layer is one convolution: an Out×In×KH×KW kernel and one bias per
// output channel. Bits says how the kernel is held and stored:
//
//   - 8: Q holds int8 values in [-127, 127], one scale per output channel;
//   - 4: Q holds int8 values in [-7, 7] (stored two to a byte), one scale
//     per output channel;
//   - 32: W holds the float32 kernel itself, unquantised; Q and Scale are
//     nil. Used as the reference that quantisation error is measured
//     against, and for files that must not lose anything.
type Layer struct {
	Name            string
	Out, In, KH, KW int
	Bits            int       // bits per stored weight: 8, 4 or 32
	Q               []int8    // bits 8 and 4: quantised kernel, OIHW, in [-127, 127] or [-7, 7]
	Scale           []float32 // bits 8 and 4: len Out: weight = float32(Q) * Scale[o]
	W               []float32 // bits 32: the kernel, OIHW
	Bias            []float32 // len Out
}

// maxQ returns the largest |q| a layer of the given bits may hold.
func maxQ(bits int) int {
	if bits == 4 {
		return 7
	}
	return 127
}

// Size returns the number of weights in the kernel, Out*In*KH*KW.
func (l *Layer) Size() int { return l.Out * l.In * l.KH * l.KW }

// Kernel returns the dequantised kernel, OIHW: float32(Q[i]) * Scale[o] for
// the output channel o that weight i belongs to (a copy of W for bits 32).
// It allocates a new slice each call and assumes a valid layer, as Quantize
// and Decode return.
func (l *Layer) Kernel() []float32 {
	if l.Bits == 32 {
		return append([]float32(nil), l.W...)
	}
	k := make([]float32, len(l.Q))
	per := l.In * l.KH * l.KW
	for o, s := range l.Scale {
		q := l.Q[o*per : (o+1)*per]
		dst := k[o*per : (o+1)*per]
		for i, v := range q {
			dst[i] = float32(v) * s
		}
	}
	return k
}

// smallestNormal is the smallest normal float32. A scale below it would be
// subnormal and too imprecise to keep the rounding bound scale/2.
const smallestNormal = 0x1p-126

// Quantize quantises an OIHW kernel to int8, symmetrically per output
// channel: Scale[o] = max|w|/127 over channel o, Q = round(w/Scale[o])
// clamped to [-127, 127], so every weight is within Scale[o]/2 of its
// dequantised value. An all-zero channel (or one too small for a normal
// float32 scale) gets Scale 1 and Q 0. Bias is copied.
//
// Errors wrap ErrFormat: the numbers usually come from a checkpoint being
// converted, and a NaN there or a shape that does not match the data is a
// bad input file.
func Quantize(name string, kernel []float32, bias []float32, out, in, kh, kw int) (Layer, error) {
	return QuantizeBits(name, kernel, bias, 8, out, in, kh, kw)
}

// QuantizeBits is Quantize with a choice of bits: 8 as Quantize; 4 with Q
// in [-7, 7] and, per channel, the scale among c·max|w|/7 (c = 1, 0.98, …,
// 0.40) with the least squared error, so the few largest weights may be
// clipped to ±7·Scale[o] (FORMAT.md); 32 keeps the kernel as float32 in W,
// exactly (a copy). Every weight within 7·Scale[o] of zero is within
// Scale[o]/2 of its value.
func QuantizeBits(name string, kernel []float32, bias []float32, bits, out, in, kh, kw int) (Layer, error) {
	l := Layer{Name: name, Out: out, In: in, KH: kh, KW: kw, Bits: bits}
	if err := l.checkShape(); err != nil {
		return Layer{}, err
	}
	if n, ok := kernelSize(out, in, kh, kw, math.MaxInt); !ok || len(kernel) != n {
		return Layer{}, bad("layer %q: %d weights for shape %dx%dx%dx%d", name, len(kernel), out, in, kh, kw)
	}
	if len(bias) != out {
		return Layer{}, bad("layer %q: %d biases for %d output channels", name, len(bias), out)
	}
	for i, b := range bias {
		if !finite(b) {
			return Layer{}, bad("layer %q: bias[%d] = %v", name, i, b)
		}
	}
	l.Bias = append([]float32(nil), bias...)
	if bits == 32 {
		for i, v := range kernel {
			if !finite(v) {
				return Layer{}, bad("layer %q: weight %d = %v", name, i, v)
			}
		}
		l.W = append([]float32(nil), kernel...)
		return l, nil
	}
	top := float64(maxQ(bits))
	l.Q = make([]int8, len(kernel))
	l.Scale = make([]float32, out)
	per := in * kh * kw
	for o := range out {
		w := kernel[o*per : (o+1)*per]
		var m float64
		for i, v := range w {
			a := math.Abs(float64(v))
			if !(a <= math.MaxFloat32) { // NaN or ±Inf
				return Layer{}, bad("layer %q: weight %d = %v", name, o*per+i, v)
			}
			if a > m {
				m = a
			}
		}
		scale := float32(m / top)
		if scale < smallestNormal {
			l.Scale[o] = 1 // Q stays 0
			continue
		}
		if bits == 4 {
			scale = clippedScale(w, m, top)
		}
		l.Scale[o] = scale
		q := l.Q[o*per : (o+1)*per]
		s := float64(scale)
		for i, v := range w {
			q[i] = int8(level(v, s, top))
		}
	}
	return l, nil
}

// clippedScale returns the int4 scale of a channel with weights w and
// max|w| = m that minimises the squared rounding error, among
// c·m/top for c = 1, 0.98, …, 0.40: with seven steps each side of zero,
// clipping the few largest weights buys a finer step for all the others.
// The grid search is deterministic and pure float64, so the same kernel
// gives the same file on every platform.
func clippedScale(w []float32, m, top float64) float32 {
	best, bestErr := float32(m/top), math.Inf(1)
	for k := 0; k <= 30; k++ {
		s := float32(m * (1 - 0.02*float64(k)) / top)
		if s < smallestNormal {
			break
		}
		sf := float64(s)
		var e float64
		for _, v := range w {
			r := level(v, sf, top)
			d := float64(v) - r*sf
			e += d * d
		}
		if e < bestErr {
			best, bestErr = s, e
		}
	}
	return best
}

// checkShape reports whether l's name, dimensions and bits can be stored.
func (l *Layer) checkShape() error {
	if l.Name == "" || !utf8.ValidString(l.Name) {
		return bad("layer name %q: want non-empty UTF-8", l.Name)
	}
	if l.Out < 1 || l.In < 1 || l.KH < 1 || l.KW < 1 {
		return bad("layer %q: shape %dx%dx%dx%d, want every dimension ≥ 1", l.Name, l.Out, l.In, l.KH, l.KW)
	}
	if l.Bits != 8 && l.Bits != 4 && l.Bits != 32 {
		return bad("layer %q: %d bits per weight, want 8, 4 or 32", l.Name, l.Bits)
	}
	return nil
}

// check reports why l cannot be stored, or nil.
func (l *Layer) check() error {
	if err := l.checkShape(); err != nil {
		return err
	}
	n, ok := kernelSize(l.Out, l.In, l.KH, l.KW, math.MaxInt)
	if !ok {
		return bad("layer %q: shape %dx%dx%dx%d is too large", l.Name, l.Out, l.In, l.KH, l.KW)
	}
	if len(l.Bias) != l.Out {
		return bad("layer %q: %d biases, want %d", l.Name, len(l.Bias), l.Out)
	}
	if l.Bits == 32 {
		if len(l.W) != n || l.Q != nil || l.Scale != nil {
			return bad("layer %q: bits 32 with %d float weights, %d quantised and %d scales; want %d, 0 and 0", l.Name, len(l.W), len(l.Q), len(l.Scale), n)
		}
		for i, w := range l.W {
			if !finite(w) {
				return bad("layer %q: weight %d = %v, want a finite number", l.Name, i, w)
			}
		}
	} else {
		if len(l.Q) != n || l.W != nil {
			return bad("layer %q: %d quantised weights for shape %dx%dx%dx%d", l.Name, len(l.Q), l.Out, l.In, l.KH, l.KW)
		}
		if len(l.Scale) != l.Out {
			return bad("layer %q: %d scales, want %d", l.Name, len(l.Scale), l.Out)
		}
		top := int8(maxQ(l.Bits))
		for i, q := range l.Q {
			if q < -top || q > top {
				return bad("layer %q: weight %d is %d, want [%d, %d] for %d bits", l.Name, i, q, -top, top, l.Bits)
			}
		}
		for o := range l.Out {
			if s := l.Scale[o]; !finite(s) || s <= 0 {
				return bad("layer %q: scale[%d] = %v, want a finite number > 0", l.Name, o, s)
			}
		}
	}
	for o := range l.Out {
		if b := l.Bias[o]; !finite(b) {
			return bad("layer %q: bias[%d] = %v, want a finite number", l.Name, o, b)
		}
	}
	return nil
}

// kernelSize returns out*in*kh*kw, or false if any dimension is below 1 or
// the product exceeds limit. It never overflows: each partial product is
// checked against limit before the next multiplication.
func kernelSize(out, in, kh, kw int, limit int) (int, bool) {
	n := 1
	for _, d := range [4]int{out, in, kh, kw} {
		if d < 1 || d > limit || n > limit/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// level is w's quantisation level at step s: w/s rounded and clamped to
// [-top, top]. Rounding max|w|/127 to a float32 scale may make max|w|/scale
// a hair above 127; the clamp absorbs it. (Plain comparisons: the built-in
// min and max handle NaN and -0 and are slower.)
func level(w float32, s, top float64) float64 {
	r := round(float64(w) / s)
	if r > top {
		return top
	} else if r < -top {
		return -top
	}
	return r
}

// round is math.Round (half away from zero) from math.Trunc, which compiles to one instruction
// in wasm where math.Round is a call: quantising VGG-16 rounds 15 million weights, in the page
// at every start. x−Trunc(x) is exact for the magnitudes here (|x| ≤ 127·2).
func round(x float64) float64 {
	t := math.Trunc(x)
	if math.Abs(x-t) >= 0.5 {
		t += math.Copysign(1, x)
	}
	return t
}
