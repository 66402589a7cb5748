// Package sheet holds what the tools' contact sheets share: labels in a 7×13 px font and the
// PNG writer.
package sheet

import (
	"image"
	"image/color"
	"image/png"
	"os"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// CharWidth and LineHeight are the label font's cell: basicfont's 7×13.
const CharWidth, LineHeight = 7, 13

// Text draws s in black with its baseline at y, from x. The font has ASCII only.
func Text(img draw.Image, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// WritePNG writes img to path at the best compression: sheets are committed to the repository.
func WritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
