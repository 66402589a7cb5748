package picture

import "image"

// RGB is an image as float32 RGB triples in [0,1], row-major, H×W×3 (HWC): the value of
// channel c at column x, row y is Pix[3*(y*W+x)+c]. This is the layout every core package uses.
type RGB struct {
	W, H int
	Pix  []float32
}

// Mean returns the average of each channel (zeros for an empty image). The sums are kept in
// float64 so that large images do not lose precision.
func (m *RGB) Mean() [3]float32 {
	var sum [3]float64
	for i := 0; i+2 < len(m.Pix); i += 3 {
		sum[0] += float64(m.Pix[i])
		sum[1] += float64(m.Pix[i+1])
		sum[2] += float64(m.Pix[i+2])
	}
	var mean [3]float32
	if n := len(m.Pix) / 3; n > 0 {
		for c := range mean {
			mean[c] = float32(sum[c] / float64(n))
		}
	}
	return mean
}

// Image returns the picture as an opaque 8-bit image, each channel rounded as x*255+0.5 and
// clamped to [0,255] (NaN becomes 0), so values an optimiser left slightly outside [0,1] are
// still written sensibly.
func (m *RGB) Image() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	for i, j := 0, 0; i < len(m.Pix); i, j = i+3, j+4 {
		img.Pix[j] = to8(m.Pix[i])
		img.Pix[j+1] = to8(m.Pix[i+1])
		img.Pix[j+2] = to8(m.Pix[i+2])
		img.Pix[j+3] = 0xff
	}
	return img
}

// to8 rounds a [0,1] value to 8 bits; written as !(v > 0) so that NaN lands on 0.
func to8(v float32) uint8 {
	switch {
	case !(v > 0):
		return 0
	case v >= 1:
		return 0xff
	}
	return uint8(v*255 + 0.5)
}

// to16 rounds a [0,1] value to 16 bits, clamping like to8.
func to16(v float32) uint16 {
	switch {
	case !(v > 0):
		return 0
	case v >= 1:
		return 0xffff
	}
	return uint16(v*0xffff + 0.5)
}
