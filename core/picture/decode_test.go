package picture

import (
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// quadWebP is a 16×16 lossless WebP of quad's colours, made with `cwebp -lossless -exact` since
// x/image has no WebP encoder.
var quadWebP = []byte{
	0x52, 0x49, 0x46, 0x46, 0x36, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50,
	0x56, 0x50, 0x38, 0x4c, 0x2a, 0x00, 0x00, 0x00, 0x2f, 0x0f, 0xc0, 0x03,
	0x00, 0x1f, 0x20, 0x10, 0x48, 0xde, 0x1f, 0x3a, 0x8d, 0xf9, 0x17, 0x10,
	0x14, 0xfc, 0x1f, 0xdd, 0xfc, 0x47, 0x64, 0x0f, 0x80, 0x30, 0xdb, 0x68,
	0x92, 0x93, 0x9c, 0xe4, 0xbd, 0xcf, 0x20, 0xa2, 0xff, 0x51, 0xfa, 0xc1,
	0xf6, 0x01,
}

func encodeJPEG(w io.Writer, img image.Image) error {
	return jpeg.Encode(w, img, &jpeg.Options{Quality: 95})
}

func encodeGIF(w io.Writer, img image.Image) error { return gif.Encode(w, img, nil) }

func encodeTIFF(w io.Writer, img image.Image) error {
	return tiff.Encode(w, img, &tiff.Options{Compression: tiff.Deflate})
}

// quadPaletted is quad as a 4-colour paletted image, which GIF stores without dithering.
func quadPaletted(w, h int) *image.Paletted {
	var pal color.Palette
	for _, c := range quadColours {
		pal = append(pal, color.NRGBA{R: uint8(c[0] * 255), G: uint8(c[1] * 255), B: uint8(c[2] * 255), A: 255})
	}
	img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	draw.Draw(img, img.Bounds(), quad(w, h), image.Point{}, draw.Src)
	return img
}

func TestDecodeFormats(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		tol  float32
	}{
		{"PNG", encode(t, png.Encode, quad(32, 32)), 0},
		// 16×16 quadrants fill whole JPEG blocks, so only quantisation blurs their centres.
		{"JPEG", encode(t, encodeJPEG, quad(32, 32)), 0.03},
		{"GIF", encode(t, encodeGIF, quadPaletted(32, 32)), 0},
		{"BMP", encode(t, bmp.Encode, quad(32, 32)), 0},
		{"TIFF", encode(t, encodeTIFF, quad(32, 32)), 0},
		{"WebP", quadWebP, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, notices := mustDecode(t, tt.data, 0)
			if len(notices) != 0 {
				t.Errorf("notices %q for an opaque still image", notices)
			}
			want := 32
			if tt.name == "WebP" {
				want = 16
			}
			if m.W != want || m.H != want || len(m.Pix) != 3*want*want {
				t.Fatalf("got %d×%d with %d values, want %d×%d", m.W, m.H, len(m.Pix), want, want)
			}
			checkQuad(t, m, tt.tol+1e-6)
		})
	}
}

func TestDecodeCMYKJPEG(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "cmyk.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	// Make sure the file really is what this test is about.
	img, _, err := image.Decode(bytesReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.CMYK); !ok {
		t.Fatalf("testdata/cmyk.jpg decodes as %T, want *image.CMYK", img)
	}
	m, notices := mustDecode(t, data, 0)
	if len(notices) != 0 {
		t.Errorf("unexpected notices %q", notices)
	}
	for y := range m.H {
		for x := range m.W {
			if got := at(m, x, y); !near(got, [3]float32{1, 0, 0}, 0.1) {
				t.Fatalf("pixel (%d,%d) = %v, want red", x, y, got)
			}
		}
	}
}

func TestDecodeGrayJPEG(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = 100
	}
	m, _ := mustDecode(t, encode(t, encodeJPEG, img), 0)
	want := float32(100) / 255
	if got := at(m, 8, 8); !near(got, [3]float32{want, want, want}, 0.01) {
		t.Errorf("got %v, want gray %g", got, want)
	}
}

func TestDecodeGrayAndPalettedPNG(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 16, 16))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i)
	}
	m, _ := mustDecode(t, encode(t, png.Encode, gray), 0)
	for i, v := range gray.Pix {
		if g := at(m, i%16, i/16); g != [3]float32{float32(v) / 255, float32(v) / 255, float32(v) / 255} {
			t.Fatalf("gray pixel %d: got %v, want %d/255", i, g, v)
		}
	}

	m, notices := mustDecode(t, encode(t, png.Encode, quadPaletted(32, 32)), 0)
	if len(notices) != 0 {
		t.Errorf("unexpected notices %q", notices)
	}
	checkQuad(t, m, 0)
}

func TestDecode16BitKeepsPrecision(t *testing.T) {
	// 0x1234/65535 is 0.0711; rounded to 8 bits first it would be 18/255 = 0.0706.
	const v16 = 0x1234
	const want = float32(v16) / 0xffff
	const tol = 0.5 / 0xffff

	gray := image.NewGray16(image.Rect(0, 0, 16, 16))
	draw.Draw(gray, gray.Bounds(), image.NewUniform(color.Gray16{Y: v16}), image.Point{}, draw.Src)
	m, notices := mustDecode(t, encode(t, png.Encode, gray), 0)
	if len(notices) != 0 {
		t.Errorf("unexpected notices %q for 16-bit gray", notices)
	}
	if got := at(m, 3, 5); !near(got, [3]float32{want, want, want}, tol) {
		t.Errorf("16-bit gray: got %v, want %g", got, want)
	}

	rgb := image.NewNRGBA64(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			rgb.SetNRGBA64(x, y, color.NRGBA64{R: v16, G: 0xffff - v16, B: 0x8001, A: 0xffff})
		}
	}
	m, _ = mustDecode(t, encode(t, png.Encode, rgb), 0)
	wantRGB := [3]float32{want, float32(0xffff-v16) / 0xffff, float32(0x8001) / 0xffff}
	if got := at(m, 7, 2); !near(got, wantRGB, tol) {
		t.Errorf("16-bit RGB: got %v, want %v", got, wantRGB)
	}
}

func TestDecodeAlpha(t *testing.T) {
	img := quad(16, 16)
	img.SetNRGBA(1, 1, color.NRGBA{R: 200, G: 100, B: 50, A: 128})
	img.SetNRGBA(2, 2, color.NRGBA{R: 200, G: 100, B: 50, A: 0})
	m, notices := mustDecode(t, encode(t, png.Encode, img), 0)
	if !hasNotice(notices, "alpha channel is ignored") {
		t.Errorf("notices %q lack the alpha notice", notices)
	}
	if got, want := at(m, 1, 1), [3]float32{200. / 255, 100. / 255, 50. / 255}; !near(got, want, 1e-6) {
		t.Errorf("half-transparent pixel: got %v, want its colour as if opaque %v", got, want)
	}
	if got := at(m, 2, 2); got != [3]float32{} {
		t.Errorf("fully transparent pixel: got %v, want black", got)
	}
	checkQuad(t, m, 0)

	// Opaque images, with or without an alpha channel in the file, need no notice.
	opaque := encode(t, encodeTIFF, quad(16, 16))
	if img, _, err := image.Decode(bytesReader(opaque)); err != nil {
		t.Fatal(err)
	} else if _, ok := img.(*image.NRGBA); !ok {
		t.Fatalf("the TIFF decodes as %T; the test needs one with an alpha channel", img)
	}
	for name, data := range map[string][]byte{"PNG": encode(t, png.Encode, quad(16, 16)), "TIFF with alpha": opaque} {
		if _, notices := mustDecode(t, data, 0); len(notices) != 0 {
			t.Errorf("%s: notices %q for an opaque image", name, notices)
		}
	}
}

func TestDecodeAnimatedGIF(t *testing.T) {
	red := quadPaletted(20, 20)
	draw.Draw(red, red.Bounds(), image.NewUniform(color.NRGBA{R: 255, A: 255}), image.Point{}, draw.Src)
	blue := quadPaletted(20, 20)
	draw.Draw(blue, blue.Bounds(), image.NewUniform(color.NRGBA{B: 255, A: 255}), image.Point{}, draw.Src)
	anim := &gif.GIF{Image: []*image.Paletted{red, blue, blue}, Delay: []int{10, 10, 10}}
	data := encode(t, func(w io.Writer, _ image.Image) error { return gif.EncodeAll(w, anim) }, nil)

	m, notices := mustDecode(t, data, 0)
	if !hasNotice(notices, "animated GIF with 3 frames: using the first frame") {
		t.Errorf("notices %q lack the animation notice", notices)
	}
	if got := at(m, 10, 10); got != [3]float32{1, 0, 0} {
		t.Errorf("got %v, want the first frame's red", got)
	}
}

func TestDecodeErrors(t *testing.T) {
	noise := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.Uint32())
	}
	pngData := encode(t, png.Encode, noise)
	jpegData := encode(t, encodeJPEG, noise)
	random := make([]byte, 1000)
	for i := range random {
		random[i] = uint8(rng.Uint32())
	}
	heic := append([]byte{0, 0, 0, 24}, "ftypheic\x00\x00\x00\x00mif1heic"...)

	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"empty", nil, []string{"the file is empty"}},
		{"random bytes", random, []string{"unknown image format", "supported formats: PNG, JPEG, GIF, WebP, BMP or TIFF"}},
		{"text", []byte("width,height\n640,480\n"), []string{"looks like text", "supported formats: PNG, JPEG"}},
		{"HEIC", heic, []string{"HEIC", "not supported"}},
		{"truncated PNG", pngData[:len(pngData)/2], []string{"truncated or corrupt PNG data"}},
		{"truncated JPEG", jpegData[:len(jpegData)/2], []string{"truncated or corrupt JPEG data"}},
		{"PNG header only", pngData[:8], []string{"truncated or corrupt PNG data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, notices, err := Decode(tt.data, 0)
			wantInputError(t, err, tt.want...)
			if m != nil || notices != nil {
				t.Errorf("got an image or notices along with the error")
			}
		})
	}
}

// pngHeader is the start of a PNG declaring a w×h RGB image, enough for image.DecodeConfig.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte("IHDR\x00\x00\x00\x00\x00\x00\x00\x00\x08\x02\x00\x00\x00")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	data := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	return binary.BigEndian.AppendUint32(data, crc32.ChecksumIEEE(ihdr))
}

func TestDecodeSizeLimits(t *testing.T) {
	for _, size := range [][2]int{{15, 40}, {40, 15}} {
		_, _, err := Decode(encode(t, png.Encode, quad(size[0], size[1])), 0)
		wantInputError(t, err, "15", "40", "at least 16")
	}

	m, notices := mustDecode(t, encode(t, png.Encode, quad(16, 16)), 0)
	if m.W != 16 || m.H != 16 || len(notices) != 0 {
		t.Errorf("16×16: got %d×%d, notices %q; want it as it is", m.W, m.H, notices)
	}

	big := encode(t, png.Encode, quad(1200, 600))
	for _, maxSide := range []int{0, -1} {
		m, notices = mustDecode(t, big, maxSide)
		if m.W != 512 || m.H != 256 || len(m.Pix) != 3*512*256 {
			t.Fatalf("maxSide %d: got %d×%d, want 512×256", maxSide, m.W, m.H)
		}
		if !hasNotice(notices, "scaled down from 1200×600 to 512×256") || len(notices) != 1 {
			t.Errorf("maxSide %d: notices %q, want only the scaling one", maxSide, notices)
		}
		checkQuad(t, m, 1e-4)
	}
	if m, _ = mustDecode(t, big, 100); m.W != 100 || m.H != 50 {
		t.Errorf("maxSide 100: got %d×%d, want 100×50", m.W, m.H)
	}
	if m, _ = mustDecode(t, encode(t, png.Encode, quad(40, 1000)), 0); m.W != 20 || m.H != 512 {
		t.Errorf("40×1000: got %d×%d, want 20×512", m.W, m.H)
	}

	// Too elongated: scaled so that its larger side is 512, it would be 512×10.
	_, _, err := Decode(encode(t, png.Encode, quad(2000, 40)), 0)
	wantInputError(t, err, "2000×40", "512×10", "at least 16")

	// A small file declaring a huge image is refused before its pixels are decoded.
	_, _, err = Decode(pngHeader(20000, 20000), 0)
	wantInputError(t, err, "20000×20000", "of memory")
}

func TestDecodeScalesAsIfOpaque(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 1024, 32))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.NRGBA{R: 200, G: 100, B: 50, A: 128}), image.Point{}, draw.Src)
	m, notices := mustDecode(t, encode(t, png.Encode, img), 0)
	if m.W != 512 || m.H != 16 {
		t.Fatalf("got %d×%d, want 512×16", m.W, m.H)
	}
	if !hasNotice(notices, "alpha channel is ignored") || !hasNotice(notices, "scaled down") {
		t.Errorf("notices %q, want the alpha and the scaling ones", notices)
	}
	// Half transparency must not darken the colour, as compositing onto black would.
	want := [3]float32{200. / 255, 100. / 255, 50. / 255}
	if got := m.Mean(); !near(got, want, 0.003) {
		t.Errorf("mean %v, want %v", got, want)
	}
}
