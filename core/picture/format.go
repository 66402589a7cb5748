package picture

import (
	"bytes"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// A format is the decoder of one kind of file, recognised by its first bytes as package image
// recognises it ('?' matches any byte). The decoders are called directly with a bytes.Reader,
// rather than through image.Decode's buffered reader, so that x/image/tiff reads the file in
// place: from a plain reader it copies the file into a buffer of its own first.
type format struct {
	name   string // as registered with package image: png, jpeg…
	magic  []string
	decode func(io.Reader) (image.Image, error)
	config func(io.Reader) (image.Config, error)
}

var formats = []format{
	{"png", []string{"\x89PNG\r\n\x1a\n"}, png.Decode, png.DecodeConfig},
	{"jpeg", []string{"\xff\xd8"}, jpeg.Decode, jpeg.DecodeConfig},
	{"gif", []string{"GIF87a", "GIF89a"}, gif.Decode, gif.DecodeConfig},
	{"webp", []string{"RIFF????WEBPVP8"}, webp.Decode, webp.DecodeConfig},
	{"bmp", []string{"BM????\x00\x00\x00\x00"}, bmp.Decode, bmp.DecodeConfig},
	{"tiff", []string{"II*\x00", "MM\x00*"}, tiff.Decode, tiff.DecodeConfig},
}

// sniff returns the format data starts like, or nil.
func sniff(data []byte) *format {
	for i := range formats {
		for _, m := range formats[i].magic {
			if matches(m, data) {
				return &formats[i]
			}
		}
	}
	return nil
}

func matches(magic string, data []byte) bool {
	if len(data) < len(magic) {
		return false
	}
	for i := range len(magic) {
		if magic[i] != '?' && magic[i] != data[i] {
			return false
		}
	}
	return true
}

// supportedFormats is said to the user whenever a file is not one of them.
const supportedFormats = "PNG, JPEG, GIF, WebP, BMP or TIFF"

// formatNames maps the names the decoders register under to the ones users know.
var formatNames = map[string]string{
	"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP", "bmp": "BMP", "tiff": "TIFF",
}

// formatName returns the user-facing name of a registered format.
func formatName(format string) string {
	if name, ok := formatNames[format]; ok {
		return name
	}
	return format
}

// unknownFormat explains a file that no decoder recognised. Two common mistakes get their own
// message: a phone's HEIC/AVIF photo, and a text file given in place of an image.
func unknownFormat(data []byte) error {
	switch {
	case isHEIF(data):
		return inputErrorf("HEIC/HEIF and AVIF images are not supported; convert it to PNG or JPEG (supported formats: %s)", supportedFormats)
	case looksLikeText(data):
		return inputErrorf("the file looks like text, not an image (supported formats: %s)", supportedFormats)
	}
	return inputErrorf("unknown image format (supported formats: %s)", supportedFormats)
}

// decodeError explains a decoder's failure on a file whose format was recognised. Decoders say
// "unsupported" for valid files that use a feature they lack; every other failure means the
// data is damaged or cut short.
func decodeError(format string, err error) error {
	var pngErr png.UnsupportedError
	var jpegErr jpeg.UnsupportedError
	var tiffErr tiff.UnsupportedError
	if errors.As(err, &pngErr) || errors.As(err, &jpegErr) || errors.As(err, &tiffErr) || errors.Is(err, bmp.ErrUnsupported) {
		return inputErrorf("unsupported kind of %s file: %v", formatName(format), err)
	}
	return inputErrorf("truncated or corrupt %s data: %v", formatName(format), err)
}

// isHEIF reports an ISO base media file (an "ftyp" box first) whose brand is a HEIF or AVIF
// image, as iPhones and some cameras write.
func isHEIF(data []byte) bool {
	if len(data) < 12 || !bytes.Equal(data[4:8], []byte("ftyp")) {
		return false
	}
	switch string(data[8:12]) {
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis":
		return true
	}
	return false
}

// looksLikeText reports whether the start of data has no control characters other than
// whitespace, as a text file would; image files have binary headers.
func looksLikeText(data []byte) bool {
	for _, c := range data[:min(len(data), 512)] {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f {
			return false
		}
	}
	return true
}
