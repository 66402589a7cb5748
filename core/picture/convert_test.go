package picture

import (
	"image"
	"image/color"
	"testing"
)

// onlyAt is an image type with nothing but the image.Image methods, to reach FromImage's
// fallback for types it does not know.
type onlyAt struct{ image.Image }

func TestFromImageModels(t *testing.T) {
	r := image.Rect(0, 0, 2, 1)
	gray := image.NewGray(r)
	gray.Pix = []uint8{0, 51}
	gray16 := image.NewGray16(r)
	gray16.SetGray16(1, 0, color.Gray16{Y: 0x1234})
	nrgba := image.NewNRGBA(r)
	nrgba.SetNRGBA(0, 0, color.NRGBA{R: 255, G: 102, B: 0, A: 255})
	nrgba.SetNRGBA(1, 0, color.NRGBA{R: 255, G: 102, B: 0, A: 0})
	nrgba64 := image.NewNRGBA64(r)
	nrgba64.SetNRGBA64(0, 0, color.NRGBA64{R: 0x1234, A: 1})
	nrgba64.SetNRGBA64(1, 0, color.NRGBA64{R: 0xffff, A: 0})
	rgba := image.NewRGBA(r)
	rgba.SetRGBA(0, 0, color.RGBA{R: 100, G: 50, B: 0, A: 200}) // premultiplied: colour 0.5, 0.25, 0
	rgba.SetRGBA(1, 0, color.RGBA{R: 51, G: 102, B: 153, A: 255})
	rgba64 := image.NewRGBA64(r)
	rgba64.SetRGBA64(0, 0, color.RGBA64{R: 0x1234, G: 0x1234, B: 0x1234, A: 0xffff})
	rgba64.SetRGBA64(1, 0, color.RGBA64{R: 0x4000, B: 0x2000, A: 0x8000})
	cmyk := image.NewCMYK(r)
	cmyk.SetCMYK(0, 0, color.CMYK{C: 255})
	cmyk.SetCMYK(1, 0, color.CMYK{K: 255})
	ycbcr := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
	ycbcr.Y = []uint8{255, 0}
	ycbcr.Cb = []uint8{128, 128}
	ycbcr.Cr = []uint8{128, 128}
	paletted := image.NewPaletted(r, color.Palette{color.NRGBA{R: 255, A: 0}, color.NRGBA{R: 255, G: 51, A: 128}})
	paletted.Pix = []uint8{0, 1}

	const g16 = float32(0x1234) / 0xffff
	tests := []struct {
		name string
		img  image.Image
		want [2][3]float32
	}{
		{"Gray", gray, [2][3]float32{{0, 0, 0}, {0.2, 0.2, 0.2}}},
		{"Gray16", gray16, [2][3]float32{{0, 0, 0}, {g16, g16, g16}}},
		{"NRGBA", nrgba, [2][3]float32{{1, 0.4, 0}, {0, 0, 0}}},
		{"NRGBA64", nrgba64, [2][3]float32{{g16, 0, 0}, {0, 0, 0}}},
		{"RGBA", rgba, [2][3]float32{{0.5, 0.25, 0}, {0.2, 0.4, 0.6}}},
		{"RGBA64", rgba64, [2][3]float32{{g16, g16, g16}, {0.5, 0, 0.25}}},
		{"CMYK", cmyk, [2][3]float32{{0, 1, 1}, {0, 0, 0}}},
		{"YCbCr", ycbcr, [2][3]float32{{1, 1, 1}, {0, 0, 0}}},
		{"Paletted", paletted, [2][3]float32{{0, 0, 0}, {1, 0.2, 0}}},
		{"other type", onlyAt{rgba}, [2][3]float32{{0.5, 0.25, 0}, {0.2, 0.4, 0.6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := FromImage(tt.img)
			if m.W != 2 || m.H != 1 || len(m.Pix) != 6 {
				t.Fatalf("got %d×%d with %d values, want 2×1", m.W, m.H, len(m.Pix))
			}
			for x, want := range tt.want {
				// Premultiplied 8-bit colours come back within an 8-bit step.
				if got := at(m, x, 0); !near(got, want, 0.003) {
					t.Errorf("pixel %d: got %v, want %v", x, got, want)
				}
			}
		})
	}
}

func TestFromImageSubImage(t *testing.T) {
	img := quad(32, 32)
	sub := img.SubImage(image.Rect(16, 0, 32, 16)) // the green quadrant, bounds not at the origin
	m := FromImage(sub)
	if m.W != 16 || m.H != 16 {
		t.Fatalf("got %d×%d, want 16×16", m.W, m.H)
	}
	if got := m.Mean(); got != [3]float32{0, 1, 0} {
		t.Errorf("mean %v, want pure green", got)
	}
	if got := FromImage(onlyAt{sub}).Mean(); got != [3]float32{0, 1, 0} {
		t.Errorf("through At only: mean %v, want pure green", got)
	}
}
