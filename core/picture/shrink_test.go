package picture

import (
	"image"
	"image/png"
	"math"
	"testing"
)

// TestShrunkScalingMatchesCatmullRom: a picture more than four times too large is averaged
// over blocks before Catmull-Rom; the result must look like Catmull-Rom from the whole picture
// (the reference), and the quadrants must stay in place.
func TestShrunkScalingMatchesCatmullRom(t *testing.T) {
	const w, h, maxSide = 1024, 768, 128
	wave := make([]uint8, w+h)
	for i := range wave {
		wave[i] = uint8(127 + 120*math.Sin(float64(i)/90))
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			o := img.PixOffset(x, y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = wave[x], uint8(y*255/h), wave[x+y], 255
		}
	}
	nw, nh := fit(w, h, maxSide)
	got := shrunk(img, nw, nh)
	if f := min(w/nw, h/nh) / 2; f < 2 {
		t.Fatalf("the test picture is not large enough to be shrunk first (f = %d)", f)
	}
	want := Resize(FromImage(img), nw, nh)
	var sum, worst float64
	for i := range want.Pix {
		d := math.Abs(float64(got.Pix[i] - want.Pix[i]))
		sum += d * d
		worst = max(worst, d)
	}
	rms := math.Sqrt(sum / float64(len(want.Pix)))
	t.Logf("%d×%d → %d×%d: RMS difference %.5f, worst %.4f", w, h, nw, nh, rms, worst)
	if rms > 0.002 || worst > 0.02 {
		t.Errorf("block averaging then Catmull-Rom differs from Catmull-Rom: RMS %.5f, worst %.4f", rms, worst)
	}
	q, _ := mustDecode(t, encode(t, png.Encode, quad(1024, 512)), maxSide)
	checkQuad(t, q, 1e-4)
}

// TestDecodeLargePictureMemory: scaling down a large picture costs little beside the decoded
// image; Catmull-Rom straight from 4096 rows kept a 512×4096 buffer of float64 RGBA (67 MB).
func TestDecodeLargePictureMemory(t *testing.T) {
	const side = 4096
	data := pngOf(side, side, 8, 0, 0, make([]byte, side*(side+1)))
	hdr, err := Probe(data)
	if err != nil {
		t.Fatal(err)
	}
	var m *RGB
	got := allocated(func() { m, _, err = Decode(data, 0) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d×%d gray PNG → %d×%d: allocated %.1f MB, decodeCost %.1f MB", side, side, m.W, m.H, float64(got)/1e6, float64(hdr.DecodeBytes)/1e6)
	if limit := hdr.DecodeBytes + 40<<20; got > limit {
		t.Errorf("Decode allocated %d bytes, want at most %d", got, limit)
	}
}
