package vgg

import "fmt"

// Pad is how a convolution sees beyond the image border.
type Pad string

const (
	// PadZero pads with zeros, as the seed (and VGG's training) did. Deep layers' receptive
	// fields see the zero border, which tints the synthesised border (the seed's Q6).
	PadZero Pad = "zero"
	// PadReflect mirrors the image at its border (without repeating the edge pixel).
	PadReflect Pad = "reflect"
	// PadCircular wraps around: every conv sees the opposite edge, so the output tiles
	// seamlessly.
	PadCircular Pad = "circular"
)

// Pads lists the padding modes.
var Pads = []Pad{PadZero, PadReflect, PadCircular}

// ParsePad checks a padding name; "" is PadZero.
func ParsePad(s string) (Pad, error) {
	switch Pad(s) {
	case PadZero, PadReflect, PadCircular:
		return Pad(s), nil
	case "":
		return PadZero, nil
	}
	return "", fmt.Errorf("unknown padding %q; use zero, reflect or circular", s)
}

// Source maps a coordinate one outside [0, n) to the one the padding copies there, or -1 for a
// zero; coordinates inside are their own.
func (p Pad) Source(i, n int) int {
	if i >= 0 && i < n {
		return i
	}
	switch p {
	case PadReflect:
		if n == 1 {
			return 0
		}
		if i < 0 {
			return -i
		}
		return 2*n - 2 - i
	case PadCircular:
		return (i + n) % n
	}
	return -1
}
