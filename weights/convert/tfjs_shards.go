package convert

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strings"
)

// How a TF.js weights manifest lays its weights out in the shards, and
// reading them: each group's shards, concatenated in the order of its
// paths, hold its weights back to back in manifest order.

// A tfjsEntry is a weight of the manifest: where its bytes are in its
// group's shards.
type tfjsEntry struct {
	tfjsWeight
	group       int
	offset, len int64 // bytes; offset < 0 when a weight of unknown size (a string) comes before it
	numel       int
}

// tfjsGroupData is a group's shards as read: the bytes of the shards up to
// the first missing one.
type tfjsGroupData struct {
	paths   []string
	need    int64 // bytes its weights take, −1 if unknown
	loaded  bool
	data    []byte
	missing string // the first absent shard, "" when every one is there
}

// index finds every weight's place in its group's shards.
func (m *tfjsModel) index() error {
	m.weightsByName = map[string]*tfjsEntry{}
	for g, grp := range m.WeightsManifest {
		gd := &tfjsGroupData{paths: grp.Paths}
		var off int64
		for _, w := range grp.Weights {
			e := &tfjsEntry{tfjsWeight: w, group: g, offset: off}
			if _, dup := m.weightsByName[w.Name]; dup {
				return fmt.Errorf("two weights named %q", w.Name)
			}
			m.weightsByName[w.Name] = e
			size, ok := elementSize(w)
			n, okN := numel(w.Shape, math.MaxInt32)
			if !okN {
				return fmt.Errorf("weight %q: shape %v", w.Name, w.Shape)
			}
			e.numel = n
			if !ok || off < 0 {
				off = -1 // a string tensor's size is in its data: what follows cannot be placed
				e.offset = -1
				continue
			}
			e.len = int64(n) * int64(size)
			off += e.len
		}
		gd.need = off
		m.groups = append(m.groups, gd)
	}
	return nil
}

// elementSize is the bytes per element a weight takes in its shard.
func elementSize(w tfjsWeight) (int, bool) {
	if w.Quantization != nil {
		switch w.Quantization.DType {
		case "uint8":
			return 1, true
		case "uint16", "float16":
			return 2, true
		}
		return 0, false
	}
	switch w.DType {
	case "float32", "int32":
		return 4, true
	case "bool":
		return 1, true
	case "complex64":
		return 8, true
	}
	return 0, false
}

// floats decodes a float32 weight, dequantising it as TF.js does.
func (m *tfjsModel) floats(e *tfjsEntry) ([]float32, string, error) {
	if e.DType != "float32" {
		return nil, "", fmt.Errorf("weight %s is %s, want float32", e.Name, e.DType)
	}
	size, ok := elementSize(e.tfjsWeight)
	q := e.Quantization
	if !ok {
		return nil, "", fmt.Errorf("weight %s: quantization dtype %q; TF.js writes uint8, uint16 or float16", e.Name, q.DType)
	}
	var scale, min float64
	if q != nil && q.DType != "float16" {
		if q.Scale == nil || q.Min == nil || math.IsNaN(*q.Scale+*q.Min) || math.IsInf(*q.Scale+*q.Min, 0) {
			return nil, "", fmt.Errorf("weight %s: %s quantization without a finite scale and min", e.Name, q.DType)
		}
		scale, min = *q.Scale, *q.Min
	}
	if e.offset < 0 {
		return nil, "", fmt.Errorf("weight %s comes after a weight of unknown size in its group", e.Name)
	}
	raw, missing, err := m.bytes(e)
	if err != nil || missing != "" {
		return nil, missing, err
	}
	out := make([]float32, e.numel)
	for i := range out {
		switch {
		case q == nil:
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		case q.DType == "float16":
			out[i] = half(binary.LittleEndian.Uint16(raw[2*i:]))
		case size == 1:
			out[i] = float32(float64(raw[i])*scale + min)
		default:
			out[i] = float32(float64(binary.LittleEndian.Uint16(raw[2*i:]))*scale + min)
		}
	}
	return out, "", nil
}

// bytes returns a weight's bytes, reading its group's shards the first
// time, or the name of the first missing shard if they do not reach it.
func (m *tfjsModel) bytes(e *tfjsEntry) ([]byte, string, error) {
	g := m.groups[e.group]
	if !g.loaded {
		if err := m.load(g); err != nil {
			return nil, "", err
		}
	}
	end := e.offset + e.len
	if end > int64(len(g.data)) {
		if g.missing != "" {
			return nil, g.missing, nil
		}
		return nil, "", fmt.Errorf("weight %s: bytes %d to %d, its group's shards (%s) hold %d", e.Name, e.offset, end, strings.Join(g.paths, ", "), len(g.data))
	}
	return g.data[e.offset:end], "", nil
}

// load reads a group's shards in order, up to the first one that is
// absent. Shard names are relative to model.json and may not leave its
// directory; together they may hold no more than the group's weights take.
func (m *tfjsModel) load(g *tfjsGroupData) error {
	g.loaded = true
	for _, p := range g.paths {
		clean := path.Clean(p)
		if p == "" || strings.Contains(p, "\\") || !fs.ValidPath(clean) {
			return fmt.Errorf("shard path %q: want a file name beside model.json", p)
		}
		full := path.Join(m.dir, clean)
		st, err := fs.Stat(m.fsys, full)
		if errors.Is(err, fs.ErrNotExist) {
			g.missing = p
			return nil
		}
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("shard %s is not a regular file", p)
		}
		if g.need >= 0 && st.Size() > g.need-int64(len(g.data)) {
			return fmt.Errorf("shard %s: %d bytes, more than its group's weights take (%d in all)", p, st.Size(), g.need)
		}
		b, err := fs.ReadFile(m.fsys, full)
		if err != nil {
			return err
		}
		if g.need >= 0 && int64(len(b)) > g.need-int64(len(g.data)) {
			return fmt.Errorf("shard %s grew while it was read", p)
		}
		m.hash.Write(b)
		g.data = append(g.data, b...)
	}
	if g.need >= 0 && int64(len(g.data)) != g.need {
		return fmt.Errorf("the shards %s hold %d bytes; the manifest's weights take %d (a truncated shard?)", strings.Join(g.paths, ", "), len(g.data), g.need)
	}
	return nil
}
