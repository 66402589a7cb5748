package picture

import (
	"bytes"
	"image"
)

// MinSide is the smallest side, in pixels, an exemplar may have: below it the network's deeper
// layers see too few positions to describe a texture.
const MinSide = 16

// MaxSide is the default limit on an exemplar's larger side; larger images are scaled down to
// it, which keeps synthesis time and memory reasonable.
const MaxSide = 512

// Decode reads an image file's bytes: PNG, JPEG (including grayscale and CMYK/YCCK), GIF (the
// first frame), WebP, BMP or TIFF, and converts it to RGB as FromImage does.
//
// It returns notices for the user when the image has transparent pixels (the alpha channel is
// ignored), when a GIF is animated (the first frame is used), and when the image was scaled
// down. An image whose smaller side is under MinSide is refused. One whose larger side exceeds
// maxSide is scaled down with Catmull-Rom (after averaging blocks of pixels when it is more than
// four times too large), keeping its aspect ratio, so that its larger side is maxSide; maxSide <=
// 0 means MaxSide, and a maxSide under MinSide counts as MinSide. An image so elongated that
// scaling would make its smaller side under MinSide is refused too.
//
// What decoding costs is bounded before it starts (Probe): the file is at most MaxFileSize
// bytes, the picture at most 64 megapixels and its decoding at most 256 MB of memory, whatever
// the header claims; an animated GIF's later frames are not decoded.
//
// Every error it returns is about the data and wraps ErrInput: an empty file, an unknown
// format (the message lists the supported ones), truncated or corrupt data, an unsupported kind
// of a known format, or an image too small or too large.
func Decode(data []byte, maxSide int) (*RGB, []Notice, error) {
	if maxSide <= 0 {
		maxSide = MaxSide
	}
	maxSide = max(maxSide, MinSide)

	// The header alone tells the format, the size and the cost, so a huge image is refused
	// before any memory is spent on its pixels.
	_, f, err := probe(data)
	if err != nil {
		return nil, nil, err
	}
	img, notices, err := decodeImage(data, f)
	if err != nil {
		return nil, nil, decodeError(f.name, err)
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if min(w, h) < MinSide {
		return nil, nil, inputErrorf("the image is %d×%d pixels; both sides must be at least %d", w, h, MinSide)
	}
	if hasAlpha(img) {
		notices = append(notices, noticeAlpha)
	}
	if max(w, h) <= maxSide {
		return FromImage(img), notices, nil
	}

	nw, nh := fit(w, h, maxSide)
	if min(nw, nh) < MinSide {
		return nil, nil, inputErrorf("the image is %d×%d pixels: scaled down so its larger side is %d it would be %d×%d, and both sides must be at least %d", w, h, maxSide, nw, nh, MinSide)
	}
	notices = append(notices, noticeScaled(w, h, nw, nh, maxSide))
	return shrunk(img, nw, nh), notices, nil
}

// decodeImage decodes data of the format probe found. Of a GIF only the first frame is
// decoded; the others are counted (gifFrames).
func decodeImage(data []byte, f *format) (image.Image, []Notice, error) {
	img, err := f.decode(bytes.NewReader(data))
	if err != nil || f.name != "gif" {
		return img, nil, err
	}
	if n := gifFrames(data); n > 1 {
		return img, []Notice{noticeAnimated(n)}, nil
	}
	return img, nil, nil
}

// fit returns the size of a w×h image scaled so that its larger side is maxSide, rounding the
// smaller side to the nearest pixel.
func fit(w, h, maxSide int) (int, int) {
	if w >= h {
		return maxSide, max(1, (2*h*maxSide+w)/(2*w))
	}
	return max(1, (2*w*maxSide+h)/(2*h)), maxSide
}
