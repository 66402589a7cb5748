package picture

import (
	"math"
	"testing"
)

// rampRGB makes a w×h image whose red rises linearly left to right, whose green rises top to
// bottom, and whose blue is constant: red at column x is (x+0.5)/w, the value at the pixel's
// centre, so a resampled ramp can be compared with the same formula at the new size.
func rampRGB(w, h int) *RGB {
	m := &RGB{W: w, H: h, Pix: make([]float32, 3*w*h)}
	for y := range h {
		for x := range w {
			i := 3 * (y*w + x)
			m.Pix[i] = float32((float64(x) + 0.5) / float64(w))
			m.Pix[i+1] = float32((float64(y) + 0.5) / float64(h))
			m.Pix[i+2] = 0.3
		}
	}
	return m
}

// rampError returns the largest difference between m and the float64 ramp of its size, over the
// pixels at least margin away from the border and over the border pixels.
func rampError(m *RGB, margin int) (inner, border float64) {
	ref := rampRGB(m.W, m.H)
	for y := range m.H {
		for x := range m.W {
			i := 3 * (y*m.W + x)
			var d float64
			for c := range 3 {
				d = max(d, math.Abs(float64(m.Pix[i+c])-float64(ref.Pix[i+c])))
			}
			if x < margin || y < margin || x >= m.W-margin || y >= m.H-margin {
				border = max(border, d)
			} else {
				inner = max(inner, d)
			}
		}
	}
	return inner, border
}

func TestResizeConstant(t *testing.T) {
	m := &RGB{W: 37, H: 23, Pix: make([]float32, 3*37*23)}
	for i := range m.Pix {
		m.Pix[i] = []float32{0.25, 0.5, 0.9}[i%3]
	}
	for _, size := range [][2]int{{16, 16}, {10, 50}, {100, 60}, {37, 22}} {
		r := Resize(m, size[0], size[1])
		if r.W != size[0] || r.H != size[1] || len(r.Pix) != 3*size[0]*size[1] {
			t.Fatalf("%v: got %d×%d with %d values", size, r.W, r.H, len(r.Pix))
		}
		for i, v := range r.Pix {
			if want := m.Pix[i%3]; math.Abs(float64(v-want)) > 1.0/0xffff {
				t.Fatalf("%v: value %d is %g, want the constant %g", size, i, v, want)
			}
		}
	}
}

func TestResizeRamp(t *testing.T) {
	src := rampRGB(96, 64)
	for _, size := range [][2]int{{48, 32}, {40, 40}, {150, 100}} {
		r := Resize(src, size[0], size[1])
		// Catmull-Rom reproduces a linear function where its whole support lies inside the
		// image; near the border the library renormalises the cut kernel, which bends the ramp
		// a little there.
		inner, border := rampError(r, 4)
		// A shift of half a source pixel would be an error of 0.005; the sampled kernel's own
		// departure from linearity at non-integer ratios is about 1e-4.
		if inner > 3e-4 || border > 0.005 {
			t.Errorf("%v: largest error %g inside, %g at the border; want ≤ 3e-4 and ≤ 0.005", size, inner, border)
		}
	}
}

func TestResizeSameSizeCopies(t *testing.T) {
	m := rampRGB(20, 20)
	r := Resize(m, 20, 20)
	if inner, border := rampError(r, 0); inner != 0 || border != 0 {
		t.Errorf("same size changed the image by %g", max(inner, border))
	}
	r.Pix[0] = 7
	if m.Pix[0] == 7 {
		t.Error("the result shares its pixels with the input")
	}
}

func TestResizePanicsOnEmptySize(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a 0×5 size")
		}
	}()
	Resize(rampRGB(4, 4), 0, 5)
}

func TestCenterCrop(t *testing.T) {
	m := &RGB{W: 5, H: 4, Pix: make([]float32, 3*5*4)}
	for i := range m.Pix {
		m.Pix[i] = float32(i)
	}
	// Spare width 2 is split evenly; the odd spare height 1 is cut from the bottom.
	c := CenterCrop(m, 3, 3)
	if c.W != 3 || c.H != 3 {
		t.Fatalf("got %d×%d, want 3×3", c.W, c.H)
	}
	var want []float32
	for y := 0; y < 3; y++ {
		for x := 1; x < 4; x++ {
			i := 3 * (y*5 + x)
			want = append(want, float32(i), float32(i+1), float32(i+2))
		}
	}
	for i := range want {
		if c.Pix[i] != want[i] {
			t.Fatalf("value %d: got %g, want %g (whole crop %v)", i, c.Pix[i], want[i], c.Pix)
		}
	}
	c.Pix[0] = -1
	if m.Pix[3] == -1 {
		t.Error("the crop shares its pixels with the input")
	}
	if whole := CenterCrop(m, 5, 4); len(whole.Pix) != len(m.Pix) || whole.Pix[59] != 59 {
		t.Error("cropping to the full size did not copy the image")
	}
}

func TestCenterCropPanicsWhenTooLarge(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a crop larger than the image")
		}
	}()
	CenterCrop(rampRGB(4, 4), 5, 4)
}
