package picture

import "encoding/binary"

// TIFF tags and compressions that decide what x/image/tiff allocates for a picture's data.
const (
	tiffCompression     = 259
	tiffRowsPerStrip    = 278
	tiffStripByteCounts = 279
	tiffTileWidth       = 322
	tiffTileLength      = 323
	tiffTileByteCounts  = 325

	tiffNone     = 1
	tiffPackBits = 32773
)

// tiffBlocksCost bounds what x/image/tiff allocates for the strips or tiles of a w×h TIFF,
// from the first IFD (the one it decodes), beside the image itself. A block (a strip, or a tile
// of up to 1024×1024 or the picture padded by 16) may hold up to 8 bytes a pixel whatever the
// picture's type. An uncompressed block is read into a buffer of its own, of the size its byte
// count says; a PackBits block is unpacked into one too, growing by appending; the other
// compressions inflate every block into one buffer that grows by doubling to the largest block.
// When the IFD cannot be read, the decoder cannot either, and the worst case is returned.
func tiffBlocksCost(data []byte, w, h int64) int64 {
	worst := 32 * max((w+16)*(h+16), 1<<20)
	ifd, ok := tiffIFD(data)
	if !ok {
		return worst
	}
	bw, bh := w, h
	if tw := ifd.first(data, tiffTileWidth); tw != 0 {
		bw, bh = tw, ifd.first(data, tiffTileLength)
		if bw > w+16 && bw > 1024 || bh > h+16 && bh > 1024 || bw < 8 || bh < 8 {
			return 0 // refused before any block is read
		}
	} else if rps := ifd.first(data, tiffRowsPerStrip); rps > 0 && rps < h {
		bh = rps
	}
	if bw <= 0 || bh <= 0 {
		return 0
	}
	blockMax := 8 * bw * bh
	blocks := ((w + bw - 1) / bw) * ((h + bh - 1) / bh)
	tables := 24 * blocks // the offsets and byte counts, as read and as []uint
	switch ifd.first(data, tiffCompression) {
	case 0, tiffNone:
		counts := uint16(tiffStripByteCounts)
		if ifd.first(data, tiffTileWidth) != 0 {
			counts = tiffTileByteCounts
		}
		var sum int64
		for i := range blocks {
			n, ok := ifd.value(data, counts, i)
			if !ok {
				return tables + sum
			}
			if n > blockMax {
				return tables + sum // refused: "block data size too large"
			}
			sum += n
		}
		return tables + sum
	case tiffPackBits:
		return tables + 3*blocks*blockMax
	}
	return tables + 4*blockMax
}

// A tiffDir is an IFD: the 12 bytes of each entry by tag, in the file's byte order.
type tiffDir struct {
	bo      binary.ByteOrder
	entries map[uint16][]byte
}

// tiffIFD returns a TIFF's first IFD.
func tiffIFD(data []byte) (tiffDir, bool) {
	if len(data) < 8 {
		return tiffDir{}, false
	}
	d := tiffDir{entries: map[uint16][]byte{}}
	switch string(data[:4]) {
	case "II*\x00":
		d.bo = binary.LittleEndian
	case "MM\x00*":
		d.bo = binary.BigEndian
	default:
		return tiffDir{}, false
	}
	off := int64(d.bo.Uint32(data[4:]))
	if off+2 > int64(len(data)) {
		return tiffDir{}, false
	}
	n := int64(d.bo.Uint16(data[off:]))
	if off+2+12*n > int64(len(data)) {
		return tiffDir{}, false
	}
	for i := range n {
		e := data[off+2+12*i : off+2+12*(i+1)]
		d.entries[d.bo.Uint16(e)] = e
	}
	return d, true
}

// first is a tag's first value, or 0 if the tag is missing or not a SHORT or LONG.
func (d tiffDir) first(data []byte, tag uint16) int64 {
	v, _ := d.value(data, tag, 0)
	return v
}

// value is a tag's i-th value (a SHORT or a LONG, stored in the entry or at the offset it
// holds), or false if it is not there.
func (d tiffDir) value(data []byte, tag uint16, i int64) (int64, bool) {
	e, ok := d.entries[tag]
	if !ok {
		return 0, false
	}
	size := int64(0)
	switch d.bo.Uint16(e[2:]) {
	case 3:
		size = 2
	case 4:
		size = 4
	default:
		return 0, false
	}
	count := int64(d.bo.Uint32(e[4:]))
	if i >= count {
		return 0, false
	}
	raw := e[8:12]
	if count*size > 4 {
		off := int64(d.bo.Uint32(e[8:])) + i*size
		if off < 0 || off+size > int64(len(data)) {
			return 0, false
		}
		raw = data[off:]
	} else {
		raw = raw[i*size:]
	}
	if size == 2 {
		return int64(d.bo.Uint16(raw)), true
	}
	return int64(d.bo.Uint32(raw)), true
}
