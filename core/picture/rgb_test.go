package picture

import (
	"image"
	"math"
	"testing"
)

func TestMean(t *testing.T) {
	m := &RGB{W: 2, H: 1, Pix: []float32{0.1, 0.2, 0.3, 0.3, 0.4, 1}}
	if got, want := m.Mean(), [3]float32{0.2, 0.3, 0.65}; !near(got, want, 1e-6) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := (&RGB{}).Mean(); got != [3]float32{} {
		t.Errorf("empty image: got %v, want zeros", got)
	}
}

func TestImageRounds(t *testing.T) {
	nan := float32(math.NaN())
	m := &RGB{W: 3, H: 2, Pix: []float32{
		0, 1, 0.5,
		-0.2, 1.7, nan,
		1.49 / 255, 1.51 / 255, 254.49 / 255,
		0.2, 0.4, 0.6,
		0, 0, 0,
		1, 1, 1,
	}}
	img := m.Image()
	if img.Bounds() != image.Rect(0, 0, 3, 2) {
		t.Fatalf("bounds %v", img.Bounds())
	}
	want := []uint8{
		0, 255, 128, 255,
		0, 255, 0, 255,
		1, 2, 254, 255,
		51, 102, 153, 255,
		0, 0, 0, 255,
		255, 255, 255, 255,
	}
	for i, v := range want {
		if img.Pix[i] != v {
			t.Errorf("byte %d (pixel %d channel %d): got %d, want %d", i, i/4, i%4, img.Pix[i], v)
		}
	}
}
