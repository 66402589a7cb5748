package weights

import (
	"math"
	"unicode/utf8"
)

// A Layer is one convolution: an Out×In×KH×KW kernel stored as int8 values
// with one scale per output channel, and one bias per output channel.
//
// Q holds one int8 per weight whatever Bits says; Bits is how the layer is
// stored in a file (8; 4 is reserved) and bounds the values Q may hold.
type Layer struct {
	Name            string
	Out, In, KH, KW int
	Bits            int       // bits per stored weight: 8
	Q               []int8    // quantised kernel, OIHW, each in [-127, 127]
	Scale           []float32 // len Out: weight = float32(Q) * Scale[o]
	Bias            []float32 // len Out
}

// Size returns the number of weights in the kernel, Out*In*KH*KW.
func (l *Layer) Size() int { return l.Out * l.In * l.KH * l.KW }

// Kernel returns the dequantised kernel, OIHW: float32(Q[i]) * Scale[o] for
// the output channel o that weight i belongs to. It allocates a new slice
// each call and assumes a valid layer, as Quantize and Decode return.
func (l *Layer) Kernel() []float32 {
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
	l := Layer{Name: name, Out: out, In: in, KH: kh, KW: kw, Bits: 8}
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
	l.Q = make([]int8, len(kernel))
	l.Scale = make([]float32, out)
	l.Bias = append([]float32(nil), bias...)
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
		scale := float32(m / 127)
		if scale < smallestNormal {
			l.Scale[o] = 1 // Q stays 0
			continue
		}
		l.Scale[o] = scale
		q := l.Q[o*per : (o+1)*per]
		s := float64(scale)
		for i, v := range w {
			// Rounding max|w|/127 to float32 may make max|w|/scale a hair
			// above 127; the clamp absorbs it. (Plain comparisons: the
			// built-in min and max handle NaN and -0 and are slower.)
			r := math.Round(float64(v) / s)
			if r > 127 {
				r = 127
			} else if r < -127 {
				r = -127
			}
			q[i] = int8(r)
		}
	}
	return l, nil
}

// checkShape reports whether l's name, dimensions and bits can be stored.
func (l *Layer) checkShape() error {
	if l.Name == "" || !utf8.ValidString(l.Name) {
		return bad("layer name %q: want non-empty UTF-8", l.Name)
	}
	if l.Out < 1 || l.In < 1 || l.KH < 1 || l.KW < 1 {
		return bad("layer %q: shape %dx%dx%dx%d, want every dimension ≥ 1", l.Name, l.Out, l.In, l.KH, l.KW)
	}
	if l.Bits != 8 {
		return bad("layer %q: %d bits per weight, want 8 (4 is reserved)", l.Name, l.Bits)
	}
	return nil
}

// check reports why l cannot be stored, or nil.
func (l *Layer) check() error {
	if err := l.checkShape(); err != nil {
		return err
	}
	if n, ok := kernelSize(l.Out, l.In, l.KH, l.KW, math.MaxInt); !ok || len(l.Q) != n {
		return bad("layer %q: %d quantised weights for shape %dx%dx%dx%d", l.Name, len(l.Q), l.Out, l.In, l.KH, l.KW)
	}
	if len(l.Scale) != l.Out || len(l.Bias) != l.Out {
		return bad("layer %q: %d scales and %d biases, want %d of each", l.Name, len(l.Scale), len(l.Bias), l.Out)
	}
	for i, q := range l.Q {
		if q == math.MinInt8 {
			return bad("layer %q: weight %d is -128, want [-127, 127]", l.Name, i)
		}
	}
	for o := range l.Out {
		if s := l.Scale[o]; !finite(s) || s <= 0 {
			return bad("layer %q: scale[%d] = %v, want a finite number > 0", l.Name, o, s)
		}
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
