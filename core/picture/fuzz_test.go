package picture

import (
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/bmp"
)

// FuzzDecode checks, on any bytes, that Decode and Probe never panic, that every error wraps
// ErrInput, and that what Probe lets through is decoded within the memory it promised: the
// decoders get mutated headers that lie about sizes, sampling, interlacing and frames. Pictures
// whose promise is over 16 MB are left out, for the fuzzer's speed. `make test` runs it for a
// few seconds; by hand:
//
//	go test -run '^$' -fuzz=FuzzDecode -fuzztime=1m -fuzzminimizetime=100x ./core/picture/
func FuzzDecode(f *testing.F) {
	small := gradient(image.NewNRGBA(image.Rect(0, 0, 20, 18)))
	for _, data := range [][]byte{
		encode(f, png.Encode, small),
		encode(f, png.Encode, gradient(image.NewGray16(small.Bounds()))),
		interlacedPNG(small),
		encode(f, encodeJPEG, small),
		encode(f, encodeGIF, quadPaletted(20, 18)),
		encode(f, bmp.Encode, small),
		encode(f, encodeTIFF, small),
		quadWebP,
	} {
		f.Add(data)
	}
	for _, name := range []string{"cmyk.jpg", "progressive.jpg"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		hdr, format, err := probe(data)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("Probe: error %q does not wrap ErrInput", err)
			}
			return
		}
		if hdr.DecodeBytes > 16<<20 {
			return
		}
		var img image.Image
		got := allocated(func() { img, _, err = decodeImage(data, format) })
		if got > hdr.DecodeBytes {
			t.Fatalf("%s %d×%d: decoding allocated %d bytes, Probe promised at most %d", hdr.Format, hdr.Width, hdr.Height, got, hdr.DecodeBytes)
		}
		if err == nil && (img.Bounds().Dx() > hdr.Width || img.Bounds().Dy() > hdr.Height) {
			t.Fatalf("decoded %v, the header said %d×%d", img.Bounds(), hdr.Width, hdr.Height)
		}
		if _, _, err := Decode(data, 64); err != nil && !errors.Is(err, ErrInput) {
			t.Fatalf("Decode: error %q does not wrap ErrInput", err)
		}
	})
}
