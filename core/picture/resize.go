package picture

import (
	"fmt"
	"image"
	"image/color"

	"golang.org/x/image/draw"
)

// Resize resamples m to w×h pixels with the Catmull-Rom filter, downscaling or upscaling. It
// works through a 16-bit image, so smooth gradients do not band as they would at 8 bits.
// Catmull-Rom overshoots a little at sharp edges; results are clamped to [0,1]. It panics if w or
// h is below 1, which is a programming error.
func Resize(m *RGB, w, h int) *RGB {
	if w < 1 || h < 1 {
		panic(fmt.Sprintf("picture.Resize: size %d×%d", w, h))
	}
	if w == m.W && h == m.H {
		// Resampling at the same size would only round to 16 bits.
		return &RGB{W: w, H: h, Pix: append([]float32(nil), m.Pix...)}
	}
	return scaled(rgbView{m}, w, h)
}

// scaled resamples src to w×h with Catmull-Rom into a 16-bit image and converts the result.
func scaled(src image.Image, w, h int) *RGB {
	dst := image.NewRGBA64(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return FromImage(dst)
}

// rgbView shows an RGB as an opaque 16-bit image for x/image/draw, without copying it first.
type rgbView struct{ m *RGB }

// ColorModel reports 16-bit RGBA.
func (v rgbView) ColorModel() color.Model { return color.RGBA64Model }

// Bounds start at (0, 0).
func (v rgbView) Bounds() image.Rectangle { return image.Rect(0, 0, v.m.W, v.m.H) }

// At returns the colour at (x, y).
func (v rgbView) At(x, y int) color.Color { return v.RGBA64At(x, y) }

// RGBA64At returns the colour at (x, y), rounded to 16 bits.
func (v rgbView) RGBA64At(x, y int) color.RGBA64 {
	i := 3 * (y*v.m.W + x)
	p := v.m.Pix[i : i+3 : i+3]
	return color.RGBA64{R: to16(p[0]), G: to16(p[1]), B: to16(p[2]), A: 0xffff}
}

// Opaque is always true: an RGB has no alpha.
func (v rgbView) Opaque() bool { return true }
