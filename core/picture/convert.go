package picture

import (
	"image"
	"image/color"
)

// FromImage converts any image.Image (Gray, Gray16, Paletted, RGBA, NRGBA, RGBA64, NRGBA64, CMYK,
// YCbCr, or any other type) to RGB, keeping up to 16 bits of precision.
//
// Alpha is ignored: each pixel's colour is taken as if it were opaque. Where the colour model is
// premultiplied (RGBA, RGBA64, Paletted and most others) the colour is divided by alpha to undo
// the premultiplication. A fully transparent pixel has no colour left in a premultiplied model, so
// fully transparent pixels become black in every model, for the same result whichever model a
// decoder happened to choose.
func FromImage(img image.Image) *RGB {
	b := img.Bounds()
	m := &RGB{W: b.Dx(), H: b.Dy(), Pix: make([]float32, 3*b.Dx()*b.Dy())}
	for y := range m.H {
		readRow(img, b.Min.Y+y, m.Pix[3*m.W*y:3*m.W*(y+1)])
	}
	return m
}

// readRow converts row y of img to RGB triples in dst (3 per pixel of the row), as FromImage
// does: one row at a time, so that shrink holds no more of a large picture than a row.
func readRow(img image.Image, y int, dst []float32) {
	b := img.Bounds()
	i := 0
	// The non-premultiplied models are read directly: going through RGBA64At would premultiply
	// and then divide again, losing precision in nearly transparent pixels.
	switch src := img.(type) {
	case *image.Gray:
		for x := b.Min.X; x < b.Max.X; x++ {
			v := float32(src.GrayAt(x, y).Y) / 0xff
			dst[i], dst[i+1], dst[i+2] = v, v, v
			i += 3
		}
	case *image.Gray16:
		for x := b.Min.X; x < b.Max.X; x++ {
			v := float32(src.Gray16At(x, y).Y) / 0xffff
			dst[i], dst[i+1], dst[i+2] = v, v, v
			i += 3
		}
	case *image.NRGBA:
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := src.NRGBAAt(x, y); c.A != 0 {
				dst[i], dst[i+1], dst[i+2] = float32(c.R)/0xff, float32(c.G)/0xff, float32(c.B)/0xff
			} else {
				dst[i], dst[i+1], dst[i+2] = 0, 0, 0
			}
			i += 3
		}
	case *image.NRGBA64:
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := src.NRGBA64At(x, y); c.A != 0 {
				dst[i], dst[i+1], dst[i+2] = float32(c.R)/0xffff, float32(c.G)/0xffff, float32(c.B)/0xffff
			} else {
				dst[i], dst[i+1], dst[i+2] = 0, 0, 0
			}
			i += 3
		}
	default:
		src64 := asRGBA64(img)
		for x := b.Min.X; x < b.Max.X; x++ {
			dst[i], dst[i+1], dst[i+2] = opaqueRGB(src64.RGBA64At(x, y))
			i += 3
		}
	}
}

// opaqueRGB undoes the premultiplication of a colour, giving its colour as if it were opaque;
// a fully transparent colour becomes black. Values are clamped to 1 in case a corrupt file holds
// a channel larger than its alpha.
func opaqueRGB(c color.RGBA64) (r, g, b float32) {
	switch c.A {
	case 0:
		return 0, 0, 0
	case 0xffff:
		return float32(c.R) / 0xffff, float32(c.G) / 0xffff, float32(c.B) / 0xffff
	}
	a := float32(c.A)
	return min(float32(c.R)/a, 1), min(float32(c.G)/a, 1), min(float32(c.B)/a, 1)
}

// asRGBA64 gives access to img's pixels without an allocation per pixel. Every image type in the
// standard library already has RGBA64At; other types fall back to At.
func asRGBA64(img image.Image) image.RGBA64Image {
	if src, ok := img.(image.RGBA64Image); ok {
		return src
	}
	return atOnly{img}
}

// atOnly adds RGBA64At to an image type that lacks it.
type atOnly struct{ image.Image }

// RGBA64At returns the premultiplied colour at (x, y).
func (a atOnly) RGBA64At(x, y int) color.RGBA64 {
	return color.RGBA64Model.Convert(a.At(x, y)).(color.RGBA64)
}

// opaqueView shows an image with every pixel made opaque by the same rule as FromImage, so that
// a large decoded image can be scaled down without first converting all of it to float32.
type opaqueView struct{ src image.RGBA64Image }

// ColorModel reports 16-bit RGBA, the precision RGBA64At gives.
func (v opaqueView) ColorModel() color.Model { return color.RGBA64Model }

// Bounds are those of the underlying image.
func (v opaqueView) Bounds() image.Rectangle { return v.src.Bounds() }

// At returns the opaque colour at (x, y).
func (v opaqueView) At(x, y int) color.Color { return v.RGBA64At(x, y) }

// RGBA64At returns the opaque colour at (x, y).
func (v opaqueView) RGBA64At(x, y int) color.RGBA64 {
	r, g, b := opaqueRGB(v.src.RGBA64At(x, y))
	return color.RGBA64{R: to16(r), G: to16(g), B: to16(b), A: 0xffff}
}

// Opaque is always true; x/image/draw asks, and it lets it skip alpha compositing.
func (v opaqueView) Opaque() bool { return true }

// hasAlpha reports whether any pixel of img is not fully opaque. The standard image types answer
// through their Opaque method; others are scanned.
func hasAlpha(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return !o.Opaque()
	}
	src := asRGBA64(img)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if src.RGBA64At(x, y).A != 0xffff {
				return true
			}
		}
	}
	return false
}
