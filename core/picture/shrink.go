package picture

import "image"

// shrunk scales a decoded picture down to w×h (its larger side maxSide, as Decode asks). A
// picture more than four times that size is first averaged over f×f blocks (shrink), to at
// least twice the size, and Catmull-Rom does the rest: Catmull-Rom alone reads a number of source
// pixels per output pixel that grows with the ratio, which made a 11584×11584 picture take 6 s
// natively and a minute in wasm, while the averaging reads each pixel once.
func shrunk(img image.Image, w, h int) *RGB {
	b := img.Bounds()
	if f := min(b.Dx()/w, b.Dy()/h) / 2; f >= 2 {
		return scaled(rgbView{shrink(img, f)}, w, h)
	}
	// Scaling the decoded image through an opaque view avoids a full-size float32 copy.
	return scaled(opaqueView{asRGBA64(img)}, w, h)
}

// shrink averages f×f blocks of img, each pixel converted as FromImage does, into an RGB of
// (W/f)×(H/f) pixels; the last W%f columns and H%f rows (under 1/1000 of a side where shrunk
// uses it) are left out. It holds one row of the source at a time.
func shrink(img image.Image, f int) *RGB {
	b := img.Bounds()
	m := &RGB{W: b.Dx() / f, H: b.Dy() / f}
	m.Pix = make([]float32, 3*m.W*m.H)
	row := make([]float32, 3*b.Dx())
	inv := 1 / float32(f*f)
	for oy := range m.H {
		out := m.Pix[3*m.W*oy : 3*m.W*(oy+1)]
		for dy := range f {
			readRow(img, b.Min.Y+oy*f+dy, row)
			for ox := range m.W {
				var r, g, bl float32
				for k := 3 * ox * f; k < 3*(ox+1)*f; k += 3 {
					r, g, bl = r+row[k], g+row[k+1], bl+row[k+2]
				}
				out[3*ox] += r
				out[3*ox+1] += g
				out[3*ox+2] += bl
			}
		}
		for i := range out {
			out[i] *= inv
		}
	}
	return m
}
