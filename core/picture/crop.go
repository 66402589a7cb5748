package picture

import "fmt"

// CenterCrop returns the w×h rectangle at the centre of m, copied; when the spare width or
// height is odd, the extra pixel is cut from the right or bottom. It is used to make a square
// exemplar. It panics if w or h is below 1 or larger than m, which is a programming error.
func CenterCrop(m *RGB, w, h int) *RGB {
	if w < 1 || h < 1 || w > m.W || h > m.H {
		panic(fmt.Sprintf("picture.CenterCrop: %d×%d from a %d×%d image", w, h, m.W, m.H))
	}
	x0, y0 := (m.W-w)/2, (m.H-h)/2
	out := &RGB{W: w, H: h, Pix: make([]float32, 0, 3*w*h)}
	for y := y0; y < y0+h; y++ {
		row := 3 * (y*m.W + x0)
		out.Pix = append(out.Pix, m.Pix[row:row+3*w]...)
	}
	return out
}
