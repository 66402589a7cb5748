package weights

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
)

// Decode parses a .q8 file (FORMAT.md). It checks the magic, version,
// header, that the header's shapes account for the payload to the byte,
// the checksum, and every number's range; any failure is an error wrapping
// ErrFormat. Sizes are checked against len(data) before anything is
// allocated, so a damaged length costs nothing. The File does not share
// memory with data.
func Decode(data []byte) (*File, error) {
	if len(data) == 0 {
		return nil, bad("empty")
	}
	if len(data) < len(magic) && magic[:len(data)] == string(data) {
		return nil, bad("truncated: %d bytes", len(data))
	}
	if len(data) < len(magic) || string(data[:len(magic)]) != magic {
		return nil, bad("not a .q8 file (wrong magic)")
	}
	if len(data) < prefixLen {
		return nil, bad("truncated: %d bytes, the fixed header alone is %d", len(data), prefixLen)
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != Version {
		return nil, bad("format version %d, this reader knows %d", v, Version)
	}
	hlen := binary.LittleEndian.Uint32(data[12:])
	if hlen < minHeaderLen || hlen > maxHeaderLen {
		return nil, bad("header length %d, want %d to %d", hlen, minHeaderLen, maxHeaderLen)
	}
	if uint64(hlen) > uint64(len(data)-prefixLen) {
		return nil, bad("truncated: header of %d bytes, only %d after the prefix", hlen, len(data)-prefixLen)
	}
	h, err := parseHeader(data[prefixLen : prefixLen+int(hlen)])
	if err != nil {
		return nil, err
	}
	f := &File{Layers: make([]Layer, len(h.Layers)), Provenance: h.Provenance}
	if f.Pre, err = h.Preprocess.preprocess(); err != nil {
		return nil, err
	}

	// Fix every layer's size against the payload before allocating.
	payload := data[prefixLen+int(hlen):]
	left := len(payload)
	seen := make(map[string]bool, len(h.Layers))
	for i, hl := range h.Layers {
		l := &f.Layers[i]
		if len(hl.Shape) != 4 {
			return nil, bad("layer %q: shape %v, want [out, in, kh, kw]", hl.Name, hl.Shape)
		}
		l.Name, l.Bits = hl.Name, hl.Bits
		l.Out, l.In, l.KH, l.KW = hl.Shape[0], hl.Shape[1], hl.Shape[2], hl.Shape[3]
		if err := l.checkShape(); err != nil {
			return nil, err
		}
		if seen[l.Name] {
			return nil, bad("two layers named %q", l.Name)
		}
		seen[l.Name] = true
		size, ok := layerBytes(l, left)
		if !ok {
			return nil, bad("layer %q: shape %v at %d bits needs more than the %d payload bytes left", l.Name, hl.Shape, l.Bits, left)
		}
		left -= size
	}
	if left != 0 {
		return nil, bad("payload is %d bytes, the layers need %d", len(payload), len(payload)-left)
	}
	sum := sha256.Sum256(payload)
	if got := hex.EncodeToString(sum[:]); got != h.SHA256 {
		return nil, bad("checksum mismatch: header says %s, payload is %s", h.SHA256, got)
	}

	for i := range f.Layers {
		l := &f.Layers[i]
		n := l.Size()
		switch l.Bits {
		case 32:
			l.W, payload = readFloats(payload, n)
		case 4:
			l.Q = make([]int8, n)
			for j := range l.Q {
				b := payload[j/2]
				if j%2 == 1 {
					b >>= 4
				}
				l.Q[j] = int8(b<<4) >> 4 // sign-extend the nibble
			}
			if n%2 == 1 && payload[n/2]>>4 != 0 {
				return nil, bad("layer %q: %d weights, the unused last nibble is %d, want 0", l.Name, n, payload[n/2]>>4)
			}
			payload = payload[(n+1)/2:]
			l.Scale, payload = readFloats(payload, l.Out)
		default:
			l.Q = make([]int8, n)
			for j, b := range payload[:n] {
				l.Q[j] = int8(b)
			}
			payload = payload[n:]
			l.Scale, payload = readFloats(payload, l.Out)
		}
		l.Bias, payload = readFloats(payload, l.Out)
		if err := l.check(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// parseHeader decodes the JSON header strictly: unknown fields and anything
// after the object are damage, and every field must be present and sane.
func parseHeader(js []byte) (*header, error) {
	var h header
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, bad("header: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("header: data after the JSON object")
	}
	if len(h.SHA256) != 2*sha256.Size || !isLowerHex(h.SHA256) {
		return nil, bad("header: sha256 %q, want %d lowercase hex digits", h.SHA256, 2*sha256.Size)
	}
	return &h, nil
}

// preprocess converts the header's form to a checked Preprocess.
func (hp *headerPre) preprocess() (Preprocess, error) {
	if len(hp.Mean) != 3 || len(hp.Std) != 3 {
		return Preprocess{}, bad("preprocess: %d means and %d stds, want 3 of each", len(hp.Mean), len(hp.Std))
	}
	p := Preprocess{Order: hp.Order, Scale: hp.Scale}
	copy(p.Mean[:], hp.Mean)
	copy(p.Std[:], hp.Std)
	return p, p.check()
}

// layerBytes returns the number of payload bytes l takes (FORMAT.md), or
// false if that is more than limit. l's shape and bits must be valid. It
// never overflows.
func layerBytes(l *Layer, limit int) (int, bool) {
	nlimit := limit
	if l.Bits == 4 {
		nlimit = 2*limit + 1 // two weights a byte; limit is at most a slice length
	}
	n, ok := kernelSize(l.Out, l.In, l.KH, l.KW, nlimit)
	if !ok {
		return 0, false
	}
	var size int
	switch l.Bits {
	case 32:
		if n > limit/4 {
			return 0, false
		}
		size = 4 * n // kernel, then no scales
	case 4:
		size = n/2 + n%2 + 4*l.Out
	default:
		size = n + 4*l.Out
	}
	if size > limit || l.Out > (limit-size)/4 {
		return 0, false
	}
	return size + 4*l.Out, true // biases
}

// readFloats reads n little-endian float32s from b and returns the rest.
func readFloats(b []byte, n int) ([]float32, []byte) {
	xs := make([]float32, n)
	for i := range xs {
		xs[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return xs, b[4*n:]
}

func isLowerHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
