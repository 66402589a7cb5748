package picture

// gifFrames counts the frames of a GIF by walking its blocks, without decoding any: decoding
// every frame to count them made a 742 KB GIF of 64 frames of 4096×4096 take 1.1 GB. It stops
// at the trailer or at the first block it cannot read (the first frame decodes on its own, and
// the count only says whether the GIF is animated), so it returns at least 1 for any GIF whose
// first frame decoded.
func gifFrames(data []byte) int {
	if len(data) < 13 {
		return 1
	}
	i := 13 // header and logical screen descriptor
	if data[10]&0x80 != 0 {
		i += 3 << (data[10]&7 + 1) // global colour table
	}
	frames := 0
	for i < len(data) {
		switch data[i] {
		case 0x21: // extension: label, then sub-blocks
			i = skipSubBlocks(data, i+2)
		case 0x2c: // image descriptor, local colour table, LZW code size, sub-blocks
			if i+10 > len(data) {
				return max(frames, 1)
			}
			frames++
			flags := data[i+9]
			i += 10
			if flags&0x80 != 0 {
				i += 3 << (flags&7 + 1)
			}
			i = skipSubBlocks(data, i+1)
		default: // the trailer (0x3b), or damage
			return max(frames, 1)
		}
	}
	return max(frames, 1)
}

// skipSubBlocks returns the index after the sub-blocks starting at i (each a length byte and
// that many bytes, ended by a zero length), or len(data) if they run past the end.
func skipSubBlocks(data []byte, i int) int {
	for i < len(data) {
		n := int(data[i])
		i++
		if n == 0 {
			return i
		}
		i += n
	}
	return len(data)
}
