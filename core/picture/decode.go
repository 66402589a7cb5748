package picture

import (
	"bytes"
	"errors"
	"image"
	"image/gif"
)

// MinSide is the smallest side, in pixels, an exemplar may have: below it the network's deeper
// layers see too few positions to describe a texture.
const MinSide = 16

// MaxSide is the default limit on an exemplar's larger side; larger images are scaled down to
// it, which keeps synthesis time and memory reasonable.
const MaxSide = 512

// maxPixels refuses images so large that decoding them could exhaust memory (a small file can
// declare a huge size), especially in a browser.
const maxPixels = 1 << 27

// Decode reads an image file's bytes: PNG, JPEG (including grayscale and CMYK/YCCK), GIF (the
// first frame), WebP, BMP or TIFF, and converts it to RGB as FromImage does.
//
// It returns notices for the user when the image has transparent pixels (the alpha channel is
// ignored), when a GIF is animated (the first frame is used), and when the image was scaled
// down. An image whose smaller side is under MinSide is refused. One whose larger side exceeds
// maxSide is scaled down with Catmull-Rom, keeping its aspect ratio, so that its larger side is
// maxSide; maxSide <= 0 means MaxSide, and a maxSide under MinSide counts as MinSide. An image
// so elongated that scaling would make its smaller side under MinSide is refused too.
//
// Every error it returns is about the data and wraps ErrInput: an empty file, an unknown
// format (the message lists the supported ones), truncated or corrupt data, an unsupported kind
// of a known format, or an image too small or too large.
func Decode(data []byte, maxSide int) (*RGB, []Notice, error) {
	if len(data) == 0 {
		return nil, nil, inputErrorf("the file is empty")
	}
	if maxSide <= 0 {
		maxSide = MaxSide
	}
	maxSide = max(maxSide, MinSide)

	// The header alone tells the format and the size, so a huge image is refused before any
	// memory is spent on its pixels.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if errors.Is(err, image.ErrFormat) {
		return nil, nil, unknownFormat(data)
	}
	if err != nil {
		return nil, nil, decodeError(format, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, nil, inputErrorf("the image is %d×%d pixels, more than the %d megapixels accepted", cfg.Width, cfg.Height, maxPixels>>20)
	}

	img, notices, err := decodeImage(data, format)
	if err != nil {
		return nil, nil, decodeError(format, err)
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
	// Scaling the decoded image through an opaque view avoids a full-size float32 copy.
	return scaled(opaqueView{asRGBA64(img)}, nw, nh), notices, nil
}

// decodeImage decodes data of a format image.DecodeConfig recognised. A GIF is decoded whole to
// learn whether it is animated; only its first frame is kept.
func decodeImage(data []byte, format string) (image.Image, []Notice, error) {
	if format != "gif" {
		img, _, err := image.Decode(bytes.NewReader(data))
		return img, nil, err
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	if len(g.Image) == 0 {
		return nil, nil, errors.New("no frames")
	}
	var notices []Notice
	if len(g.Image) > 1 {
		notices = append(notices, noticeAnimated(len(g.Image)))
	}
	return g.Image[0], notices, nil
}

// fit returns the size of a w×h image scaled so that its larger side is maxSide, rounding the
// smaller side to the nearest pixel.
func fit(w, h, maxSide int) (int, int) {
	if w >= h {
		return maxSide, max(1, (2*h*maxSide+w)/(2*w))
	}
	return max(1, (2*w*maxSide+h)/(2*h)), maxSide
}
