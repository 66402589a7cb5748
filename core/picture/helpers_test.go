package picture

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"io"
	"strings"
	"testing"
)

// quadColours are the colours of quad's four quadrants: top-left, top-right, bottom-left,
// bottom-right.
var quadColours = [4][3]float32{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}}

// quad makes a w×h image with a differently coloured quadrant in each corner, so a decoded file
// shows both that colours are right and that the image is not flipped or transposed.
func quad(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			q := quadColours[quadrant(x, y, w, h)]
			img.SetNRGBA(x, y, color.NRGBA{R: uint8(q[0] * 255), G: uint8(q[1] * 255), B: uint8(q[2] * 255), A: 255})
		}
	}
	return img
}

// quadrant numbers the quadrants in quadColours' order.
func quadrant(x, y, w, h int) int {
	q := 0
	if x >= w/2 {
		q++
	}
	if y >= h/2 {
		q += 2
	}
	return q
}

// checkQuad compares the centre of each quadrant of m with quadColours.
func checkQuad(t *testing.T, m *RGB, tol float32) {
	t.Helper()
	for q, c := range quadColours {
		x, y := m.W/4+(q%2)*(m.W/2), m.H/4+(q/2)*(m.H/2)
		if got := at(m, x, y); !near(got, c, tol) {
			t.Errorf("quadrant %d at (%d,%d): got %v, want %v ± %g", q, x, y, got, c, tol)
		}
	}
}

// at returns the colour of m at (x, y).
func at(m *RGB, x, y int) [3]float32 {
	i := 3 * (y*m.W + x)
	return [3]float32{m.Pix[i], m.Pix[i+1], m.Pix[i+2]}
}

// near reports whether every channel of a and b differs by at most tol.
func near(a, b [3]float32, tol float32) bool {
	for c := range a {
		if d := a[c] - b[c]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// encode runs an encoder into a byte slice.
func encode(t testing.TB, enc func(io.Writer, image.Image) error, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := enc(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mustDecode decodes data and fails the test on an error.
func mustDecode(t *testing.T, data []byte, maxSide int) (*RGB, []Notice) {
	t.Helper()
	m, notices, err := Decode(data, maxSide)
	if err != nil {
		t.Fatal(err)
	}
	return m, notices
}

// hasNotice reports whether one of the notices contains substr.
func hasNotice(notices []Notice, substr string) bool {
	for _, n := range notices {
		if strings.Contains(string(n), substr) {
			return true
		}
	}
	return false
}

// wantInputError checks that err wraps ErrInput and that its message contains every substring.
func wantInputError(t *testing.T, err error, substrs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", substrs)
	}
	if !errors.Is(err, ErrInput) {
		t.Errorf("error %q does not wrap ErrInput", err)
	}
	for _, s := range substrs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

// wantOutputError is wantInputError for errors about the output path: they wrap ErrOutput,
// not ErrInput, so that they are not told to the user as a bad picture.
func wantOutputError(t *testing.T, err error, substrs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", substrs)
	}
	if !errors.Is(err, ErrOutput) || errors.Is(err, ErrInput) {
		t.Errorf("error %q does not wrap ErrOutput alone", err)
	}
	for _, s := range substrs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

// bytesReader reads data.
func bytesReader(data []byte) io.Reader { return bytes.NewReader(data) }
