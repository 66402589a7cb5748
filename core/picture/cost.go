package picture

import (
	"encoding/binary"
	"image"
	"image/color"
)

// maxDecodeBytes bounds the memory a picture's decoder may take, known from its header before
// anything is decoded (decodeCost). A small file can declare a huge picture: a 1 MB PNG of
// 11584×11584 16-bit pixels decodes to 1.07 GB. The bound is what a 48-megapixel phone photo
// (69 MB, in units of 2^20 bytes) or a 24-megapixel 16-bit scan (183 MB) needs, and it holds in
// the browser's worker too.
const maxDecodeBytes = 256 << 20

// decodeCost returns an upper bound of the bytes the decoder of format allocates, in all, for a
// picture with this header: the decoded image in the decoder's own pixel layout and the buffers
// it makes beside it, each taken from the decoders' code (Go's image/png, image/jpeg, image/gif and
// x/image's bmp, tiff, webp). TestDecodeCostBoundsAllocation measures it for every kind.
func decodeCost(data []byte, format string, cfg image.Config) int64 {
	w, h := int64(cfg.Width), int64(cfg.Height)
	img := bytesPerPixel(cfg.ColorModel) * w * h
	const tables = 1 << 20 // Huffman and LZW tables, zlib windows, row buffers
	switch format {
	case "png":
		if pngInterlaced(data) {
			img += img / 2 // one Adam7 pass (the last is half the picture) beside the image
		}
		return img + tables
	case "jpeg":
		return jpegCost(data, cfg) + tables
	case "gif":
		return 2*w*h + tables // the first frame, and its copy while it is de-interlaced
	case "bmp":
		return img + tables
	case "tiff":
		return img + tiffBlocksCost(data, w, h) + tables
	case "webp":
		w16, h16 := (w+15)/16*16, (h+15)/16*16
		switch cfg.ColorModel {
		case color.YCbCrModel: // lossy: 4:2:0 planes over whole macroblocks
			return w16*h16*3/2 + tables
		case color.NYCbCrAModel: // lossy with alpha, which may itself be coded losslessly
			return w16*h16*3/2 + 9*w*h + tables
		}
		return 8*w*h + tables // lossless: the pixels and a transform's copy of them
	}
	return 8*w*h + tables
}

// bytesPerPixel is the size of a pixel in the image type a decoder returns for a colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.YCbCrModel:
		return 3
	case color.NYCbCrAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// pngInterlaced reports whether a PNG's header (IHDR, which must come first) says Adam7.
func pngInterlaced(data []byte) bool {
	return len(data) > 28 && string(data[12:16]) == "IHDR" && data[28] == 1
}

// jpegCost is what image/jpeg allocates: a plane per component over whole MCUs, for a
// progressive picture 256 bytes of coefficients per 8×8 block of each component, and an RGBA or
// CMYK copy when the picture is not stored as YCbCr or gray.
func jpegCost(data []byte, cfg image.Config) int64 {
	progressive, comps, ok := jpegFrame(data)
	if !ok { // DecodeConfig read a frame, so this is not expected: assume the worst
		progressive, comps = true, [][2]int{{1, 1}, {1, 1}, {1, 1}, {1, 1}}
	}
	if len(comps) == 1 {
		comps[0] = [2]int{1, 1} // image/jpeg ignores a lone component's sampling
	}
	h0, v0 := max(comps[0][0], 1), max(comps[0][1], 1)
	mxx := (int64(cfg.Width) + 8*int64(h0) - 1) / (8 * int64(h0))
	myy := (int64(cfg.Height) + 8*int64(v0) - 1) / (8 * int64(v0))
	var blocks int64
	for _, c := range comps {
		blocks += mxx * myy * int64(c[0]) * int64(c[1])
	}
	cost := 64 * blocks
	if progressive {
		cost += 256 * blocks
	}
	if cfg.ColorModel == color.RGBAModel || cfg.ColorModel == color.CMYKModel {
		cost += 4 * int64(cfg.Width) * int64(cfg.Height)
	}
	return cost
}

// jpegFrame reads a JPEG's frame header (SOF0, SOF1 or SOF2, the kinds image/jpeg decodes):
// whether it is progressive, and each component's horizontal and vertical sampling factors.
func jpegFrame(data []byte) (progressive bool, comps [][2]int, ok bool) {
	if len(data) < 2 || data[0] != 0xff || data[1] != 0xd8 {
		return false, nil, false
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return false, nil, false
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8): // no length field
			i += 2
			continue
		case marker == 0xda || marker == 0xd9: // scan data or the end before any frame
			return false, nil, false
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return false, nil, false
		}
		if marker == 0xc0 || marker == 0xc1 || marker == 0xc2 {
			seg := data[i+4 : i+2+n]
			if len(seg) < 6 || len(seg) < 6+3*int(seg[5]) || seg[5] == 0 {
				return false, nil, false
			}
			for k := range int(seg[5]) {
				hv := seg[6+3*k+1]
				comps = append(comps, [2]int{int(hv >> 4), int(hv & 0x0f)})
			}
			return marker == 0xc2, comps, true
		}
		i += 2 + n
	}
	return false, nil, false
}
