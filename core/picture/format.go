package picture

import (
	"bytes"
	"errors"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	// Importing a decoder registers it with package image, which then recognises its files.
	// GIF and WebP are imported for that alone.
	_ "image/gif"

	_ "golang.org/x/image/webp"
)

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
