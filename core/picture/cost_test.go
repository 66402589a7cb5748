package picture

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// allocated returns the bytes f allocates.
func allocated(f func()) int64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// gradient is a smooth w×h picture of the given type, so that files stay small.
func gradient[T draw.Image](img T) T {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			img.Set(x, y, color.NRGBA64{R: uint16(x * 0xffff / b.Dx()), G: uint16(y * 0xffff / b.Dy()), B: 0x8000, A: 0xffff})
		}
	}
	return img
}

// pngChunk appends a PNG chunk with its length and CRC.
func pngChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(append(out, typ...), data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// pngOf writes a PNG's signature and IHDR (w×h, bit depth, colour type, interlace) and then an
// IDAT holding raw, compressed.
func pngOf(w, h int, depth, colorType, interlace byte, raw []byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, colorType, 0, 0, interlace)
	out := pngChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	out = pngChunk(out, "IDAT", z.Bytes())
	return pngChunk(out, "IEND", nil)
}

// interlacedPNG encodes an 8-bit RGBA picture with Adam7 interlacing, which Go's encoder does
// not write: each pass's rows, filter byte 0 and the pass's pixels.
func interlacedPNG(img *image.NRGBA) []byte {
	b := img.Bounds()
	var raw []byte
	for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
		for y := p[1]; y < b.Dy(); y += p[3] {
			raw = append(raw, 0)
			for x := p[0]; x < b.Dx(); x += p[2] {
				raw = append(raw, img.Pix[img.PixOffset(x, y):img.PixOffset(x, y)+4]...)
			}
		}
	}
	return pngOf(b.Dx(), b.Dy(), 8, 6, 1, raw)
}

// xImageDir is golang.org/x/image's directory in the module cache, or "" where the go command
// cannot be run (under js/wasm).
func xImageDir() string {
	if runtime.GOOS == "js" {
		return ""
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/image").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// TestDecodeCostBoundsAllocation: for every kind of file each decoder reads differently, what
// the decoder allocates is at most decodeCost, and decodeCost is not far above it (it would
// refuse pictures for nothing).
func TestDecodeCostBoundsAllocation(t *testing.T) {
	w, h := 640, 480
	if runtime.GOOS == "js" {
		w, h = 256, 192 // the same decoders, and the allocations scale alike: a shorter wasm run
	}
	rect := image.Rect(0, 0, w, h)
	rgba := gradient(image.NewNRGBA(rect))
	alpha := gradient(image.NewNRGBA(rect))
	for i := 3; i < len(alpha.Pix); i += 4 {
		alpha.Pix[i] = uint8(i)
	}
	rgba64 := gradient(image.NewRGBA64(rect))
	nrgba64 := gradient(image.NewNRGBA64(rect))
	nrgba64.Pix[7] = 0x80 // one translucent pixel keeps the alpha channel
	gray, gray16 := gradient(image.NewGray(rect)), gradient(image.NewGray16(rect))
	pal := image.NewPaletted(rect, palette.Plan9)
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i / 7) // bands of the palette's colours; Set would search it per pixel
	}
	tiffOf := func(img image.Image, c tiff.CompressionType) []byte {
		return encode(t, func(w io.Writer, m image.Image) error { return tiff.Encode(w, m, &tiff.Options{Compression: c}) }, img)
	}
	progressive, err := os.ReadFile(filepath.Join("testdata", "progressive.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cmyk, err := os.ReadFile(filepath.Join("testdata", "cmyk.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"PNG gray":             encode(t, png.Encode, gray),
		"PNG gray16":           encode(t, png.Encode, gray16),
		"PNG paletted":         encode(t, png.Encode, pal),
		"PNG RGB":              encode(t, png.Encode, rgba),
		"PNG RGBA":             encode(t, png.Encode, alpha),
		"PNG RGB16":            encode(t, png.Encode, rgba64),
		"PNG RGBA16":           encode(t, png.Encode, nrgba64),
		"PNG interlaced":       interlacedPNG(alpha),
		"JPEG 4:2:0":           encode(t, encodeJPEG, rgba),
		"JPEG gray":            encode(t, encodeJPEG, gray),
		"JPEG progressive":     progressive,
		"JPEG CMYK":            cmyk,
		"GIF":                  encode(t, encodeGIF, pal),
		"BMP RGB":              encode(t, bmp.Encode, rgba),
		"BMP RGBA":             encode(t, bmp.Encode, alpha),
		"BMP paletted":         encode(t, bmp.Encode, pal),
		"TIFF deflate RGBA":    tiffOf(alpha, tiff.Deflate),
		"TIFF uncompressed 16": tiffOf(rgba64, tiff.Uncompressed),
		"TIFF deflate gray":    tiffOf(gray, tiff.Deflate),
		"WebP lossless":        quadWebP,
	}
	// x/image has no WebP encoder; its own test files are in the module cache.
	if dir := xImageDir(); dir != "" {
		for name, file := range map[string]string{"WebP lossy": "blue-purple-pink-large.normal-filter.lossy.webp", "WebP lossless large": "blue-purple-pink-large.lossless.webp"} {
			if data, err := os.ReadFile(filepath.Join(dir, "testdata", file)); err == nil {
				cases[name] = data
			}
		}
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			hdr, format, err := probe(data)
			if err != nil {
				t.Fatal(err)
			}
			var img image.Image
			got := allocated(func() { img, _, err = decodeImage(data, format) })
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%T %v: allocated %d, decodeCost %d", img, img.Bounds().Size(), got, hdr.DecodeBytes)
			if got > hdr.DecodeBytes {
				t.Errorf("decoding allocated %d bytes, decodeCost says at most %d", got, hdr.DecodeBytes)
			}
			// A compressed TIFF block may inflate to 8 bytes a pixel whatever the picture's type,
			// so its bound is that, for a gray picture 8 times what a true file takes.
			if hdr.DecodeBytes > 3*got+2<<20 && !strings.HasPrefix(name, "TIFF deflate") ||
				hdr.DecodeBytes > 10*got+2<<20 {
				t.Errorf("decodeCost %d is far above the %d bytes decoding took", hdr.DecodeBytes, got)
			}
		})
	}
}
