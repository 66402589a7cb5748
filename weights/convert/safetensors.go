package convert

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// maxSafetensorsHeader bounds the JSON header, and maxSafetensorsTensors the
// tensors it lists: the fixture's header is 2 kB with 26 tensors, and vgg16_bn
// has 97 (the safetensors library itself refuses headers over 100 MB). Each
// entry costs about 35 times its bytes to decode, so a 100 MB header of tiny
// entries would take 3.4 GB.
const (
	maxSafetensorsHeader  = 1 << 20
	maxSafetensorsTensors = 4096
)

var safetensorsTypes = map[string]dtype{
	"F32": f32, "F16": f16, "BF16": bf16, "F64": f64, "I64": i64, "I32": i32,
	"I16": other, "I8": other, "U8": other, "BOOL": other, "U16": other, "U32": other, "U64": other,
	"F8_E4M3": other, "F8_E5M2": other,
}

func otherSize(name string) int {
	switch name {
	case "I16", "U16":
		return 2
	case "U32":
		return 4
	case "U64":
		return 8
	}
	return 1
}

// readSafetensors reads a safetensors file: an 8-byte little-endian header
// length, a JSON header naming each tensor's dtype, shape and byte range,
// and the data. Every range must lie inside the data and match its shape.
func readSafetensors(data []byte) (*stateDict, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("truncated: %d bytes", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > maxSafetensorsHeader && n <= uint64(len(data)-8) {
		return nil, fmt.Errorf("a header of %d bytes, far more than a VGG-16's (a few kB; at most %d are accepted)", n, maxSafetensorsHeader)
	}
	if n < 2 || n > uint64(len(data)-8) {
		return nil, fmt.Errorf("header length %d, the file has %d bytes after it", n, len(data)-8)
	}
	hdr := data[8 : 8+n]
	body := data[8+n:]
	if hdr[0] != '{' {
		return nil, fmt.Errorf("the header is not a JSON object")
	}
	var entries map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimRight(hdr, " "))) // the format pads with spaces
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	if len(entries) > maxSafetensorsTensors+1 { // and __metadata__
		return nil, fmt.Errorf("header lists %d tensors, far more than a VGG-16 has", len(entries))
	}
	if dec.More() {
		return nil, fmt.Errorf("header: data after the JSON object")
	}
	sd := &stateDict{}
	type entry struct {
		name string
		t    *tensor
		beg  uint64
	}
	var list []entry
	for name, raw := range entries {
		if name == "__metadata__" {
			if err := json.Unmarshal(raw, &sd.meta); err != nil {
				return nil, fmt.Errorf("__metadata__: %v (want string values)", err)
			}
			continue
		}
		var e struct {
			DType   string   `json:"dtype"`
			Shape   []int    `json:"shape"`
			Offsets []uint64 `json:"data_offsets"`
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return nil, fmt.Errorf("tensor %q: %v", name, err)
		}
		dt, ok := safetensorsTypes[e.DType]
		if !ok {
			return nil, fmt.Errorf("tensor %q: dtype %q", name, e.DType)
		}
		size := dt.size()
		if dt == other {
			size = otherSize(e.DType)
		}
		if len(e.Offsets) != 2 || e.Offsets[0] > e.Offsets[1] || e.Offsets[1] > uint64(len(body)) {
			return nil, fmt.Errorf("tensor %q: data_offsets %v outside the %d data bytes", name, e.Offsets, len(body))
		}
		count, ok := numel(e.Shape, math.MaxInt/size)
		if !ok || uint64(count*size) != e.Offsets[1]-e.Offsets[0] {
			return nil, fmt.Errorf("tensor %q: shape %v of %s needs a different size than its %d bytes", name, e.Shape, e.DType, e.Offsets[1]-e.Offsets[0])
		}
		t := &tensor{name: name, dtype: dt, shape: e.Shape, raw: body[e.Offsets[0]:e.Offsets[1]], stride: contiguous(e.Shape)}
		list = append(list, entry{name, t, e.Offsets[0]})
	}
	// File order is data order; JSON object order is lost in the map.
	sort.Slice(list, func(i, j int) bool {
		if list[i].beg != list[j].beg {
			return list[i].beg < list[j].beg
		}
		return list[i].name < list[j].name
	})
	for _, e := range list {
		if err := sd.add(e.t); err != nil {
			return nil, fmt.Errorf("%v", err)
		}
	}
	if len(sd.names) == 0 {
		return nil, fmt.Errorf("no tensors")
	}
	return sd, nil
}
