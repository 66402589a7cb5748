package picture

import (
	"bytes"
	"fmt"
	"image"
	"math"

	"github.com/texsynth/texsynth/internal/userfile"
)

// MaxFileSize is the largest picture file accepted, in bytes: a file this large is either
// uncompressed or a photo far beyond what an exemplar needs, since the exemplar is scaled down
// to MaxSide pixels anyway.
const MaxFileSize = 64 << 20

// maxPixels refuses pictures whose decoding takes too long: the time grows with the pixels, and
// a small file can declare a huge size. At 8192×8192 a JPEG takes about 2 s of CPU natively and
// 10 s in the browser's worker; a 48-megapixel phone photo is within it.
const maxPixels = 1 << 26

// A Header is what a picture file says about itself, read without decoding any pixel: enough to
// tell the user what is being decoded before the decoding starts.
type Header struct {
	Format        string // as users know it: PNG, JPEG, GIF, WebP, BMP or TIFF
	Width, Height int
	// DecodeBytes bounds the memory decoding the picture takes; Decode refuses a picture
	// whose bound is over 256 MB (2^20 bytes).
	DecodeBytes int64
}

// Probe reads the header of an image file's bytes. It fails exactly where Decode would fail
// before decoding: an empty, oversized or unknown file, a damaged header, a picture of more than
// 64 megapixels or one whose decoding would take more than 256 MB. Its errors wrap ErrInput.
func Probe(data []byte) (Header, error) {
	h, _, err := probe(data)
	return h, err
}

// probe is Probe, also returning the format's decoder.
func probe(data []byte) (Header, *format, error) {
	switch {
	case len(data) == 0:
		return Header{}, nil, inputErrorf("the file is empty")
	case len(data) > MaxFileSize:
		return Header{}, nil, inputErrorf("the file is %s, more than the %s accepted for a picture", userfile.Bytes(int64(len(data))), userfile.Bytes(MaxFileSize))
	}
	f := sniff(data)
	if f == nil {
		return Header{}, nil, unknownFormat(data)
	}
	format := f.name
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return Header{}, nil, decodeError(format, err)
	}
	h := Header{Format: formatName(format), Width: cfg.Width, Height: cfg.Height, DecodeBytes: decodeCost(data, format, cfg)}
	if h.DecodeBytes > maxDecodeBytes {
		return h, f, inputErrorf("the image is %d×%d pixels (%s): decoding it would take %s of memory, more than the %s allowed: scale it down to about %s first",
			cfg.Width, cfg.Height, kind(format, cfg), userfile.Bytes(h.DecodeBytes), userfile.Bytes(maxDecodeBytes), within(cfg.Width, cfg.Height, h.DecodeBytes))
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return h, f, inputErrorf("the image is %d×%d pixels, more than the %d megapixels accepted", cfg.Width, cfg.Height, maxPixels>>20)
	}
	return h, f, nil
}

// kind names a picture's format and pixel type for a message, e.g. "16-bit PNG".
func kind(format string, cfg image.Config) string {
	switch bytesPerPixel(cfg.ColorModel) {
	case 2, 8:
		return "16-bit " + formatName(format)
	}
	return formatName(format)
}

// within is a size of the same shape as w×h whose decoding would fit in maxDecodeBytes (the
// cost grows with the number of pixels) and maxPixels.
func within(w, h int, cost int64) string {
	s := math.Sqrt(min(0.9*maxDecodeBytes/float64(cost), maxPixels/float64(w)/float64(h)))
	round := func(n int) int { // down to a round number of pixels, as a person would ask for
		if n >= 1000 {
			return n / 100 * 100
		}
		return max(n, 1)
	}
	return fmt.Sprintf("%d×%d pixels", round(int(float64(w)*s)), round(int(float64(h)*s)))
}
