package weights

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
)

// Encode writes f to w in the .q8 format (FORMAT.md). It refuses, with an
// error wrapping ErrFormat, a File that Decode would refuse to read back.
func Encode(w io.Writer, f *File) error {
	if err := f.check(); err != nil {
		return err
	}
	h := header{
		Layers:     make([]headerLayer, len(f.Layers)),
		Provenance: f.Provenance,
		SHA256:     f.Checksum(),
		Preprocess: headerPre{
			Order: f.Pre.Order,
			Scale: f.Pre.Scale,
			Mean:  f.Pre.Mean[:],
			Std:   f.Pre.Std[:],
		},
	}
	for i, l := range f.Layers {
		h.Layers[i] = headerLayer{Name: l.Name, Shape: []int{l.Out, l.In, l.KH, l.KW}, Bits: l.Bits}
	}
	js, err := json.Marshal(&h)
	if err != nil {
		return err
	}
	if len(js) > maxHeaderLen {
		return bad("header is %d bytes, the limit is %d", len(js), maxHeaderLen)
	}
	prefix := make([]byte, 0, prefixLen)
	prefix = append(prefix, magic...)
	prefix = binary.LittleEndian.AppendUint32(prefix, Version)
	prefix = binary.LittleEndian.AppendUint32(prefix, uint32(len(js)))
	if _, err := w.Write(prefix); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	return writePayload(w, f.Layers)
}

// writePayload writes the layers' numbers through a fixed buffer: the
// payload is written twice (once to hash it, once to w) and is megabytes
// long, so it is never held whole in memory.
func writePayload(w io.Writer, layers []Layer) error {
	buf := make([]byte, 0, 64<<10)
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	floats := func(xs []float32) error {
		for _, x := range xs {
			if len(buf)+4 > cap(buf) {
				if err := flush(); err != nil {
					return err
				}
			}
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
		return nil
	}
	for i := range layers {
		l := &layers[i]
		switch l.Bits {
		case 32:
			if err := floats(l.W); err != nil {
				return err
			}
		case 4:
			for j := 0; j < len(l.Q); j += 2 {
				if len(buf) == cap(buf) {
					if err := flush(); err != nil {
						return err
					}
				}
				b := byte(l.Q[j]) & 0x0f
				if j+1 < len(l.Q) {
					b |= byte(l.Q[j+1]) << 4
				}
				buf = append(buf, b)
			}
		default:
			for _, q := range l.Q {
				if len(buf) == cap(buf) {
					if err := flush(); err != nil {
						return err
					}
				}
				buf = append(buf, byte(q))
			}
		}
		if err := floats(l.Scale); err != nil { // nil for bits 32
			return err
		}
		if err := floats(l.Bias); err != nil {
			return err
		}
	}
	return flush()
}
