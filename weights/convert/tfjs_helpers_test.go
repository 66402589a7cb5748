package convert

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"testing/fstest"
)

// A kerasModel describes a test TF.js layers model of a Keras VGG: its
// numbers come from testKernel and testBias, so what a test expects does
// not come from the converter.
type kerasModel struct {
	blocks     [][]int // output widths of each block's convs
	quant      string  // "", "uint8", "uint16" or "float16": how every weight is stored
	oneGroup   bool    // every weight in one group (else a group per layer, as the converter writes VGG)
	shardSize  int     // split each group into shards of at most this many bytes (0: one shard)
	noTopology bool
	edit       func(m *testModel) // spoils the model before it is written
}

// testModel is what model.json holds.
type testModel struct {
	Format   string         `json:"format,omitempty"`
	Topology any            `json:"modelTopology,omitempty"`
	Manifest []*testGroup   `json:"weightsManifest"`
	Metadata map[string]any `json:"userDefinedMetadata,omitempty"`
	layers   []map[string]any
	shards   map[string][]byte
}

type testGroup struct {
	Paths   []string         `json:"paths"`
	Weights []map[string]any `json:"weights"`
}

// tinyVGG19 is VGG-19 at 1/16 width; tinyVGG16 VGG-16.
var (
	tinyVGG19 = [][]int{{4, 4}, {8, 8}, {16, 16, 16, 16}, {32, 32, 32, 32}, {32, 32, 32, 32}}
	tinyVGG16 = [][]int{{4, 4}, {8, 8}, {16, 16, 16}, {32, 32, 32}, {32, 32, 32}}
)

// testKernel is layer l's weight at (o, i, h, w), testBias its bias o:
// multiples of 1/64, exact in float16 and in uint8 with scale 1/64.
func testKernel(l, o, i, h, w int) float32 { return float32((l*7+o*5+i*3+h*2+w)%17-8) / 64 }
func testBias(l, o int) float32            { return float32(o%5-2)/8 + float32(l)/16 }

// build returns the model and its shards.
func (k kerasModel) build() *testModel {
	m := &testModel{Format: "layers-model", shards: map[string][]byte{}}
	m.layers = append(m.layers, map[string]any{"class_name": "InputLayer", "name": "input_1",
		"config": map[string]any{"name": "input_1", "batch_input_shape": []any{nil, 224, 224, 3}}})
	var data []byte
	var weights []map[string]any
	flush := func() {
		g := &testGroup{Weights: weights}
		n := len(m.Manifest) + 1
		size := k.shardSize
		if size <= 0 {
			size = len(data)
		}
		count := (len(data) + size - 1) / size
		for s := range count {
			name := fmt.Sprintf("group%d-shard%dof%d", n, s+1, count)
			g.Paths = append(g.Paths, name)
			m.shards[name] = data[s*size : min((s+1)*size, len(data))]
		}
		m.Manifest = append(m.Manifest, g)
		data, weights = nil, nil
	}
	in, l := 3, 0
	for b, widths := range k.blocks {
		for c, out := range widths {
			name := fmt.Sprintf("block%d_conv%d", b+1, c+1)
			kernel := make([]float32, 0, 9*in*out)
			for h := range 3 {
				for w := range 3 {
					for i := range in {
						for o := range out {
							kernel = append(kernel, testKernel(l, o, i, h, w))
						}
					}
				}
			}
			bias := make([]float32, out)
			for o := range bias {
				bias[o] = testBias(l, o)
			}
			for _, wt := range []struct {
				suffix string
				shape  []int
				vals   []float32
			}{{"/kernel", []int{3, 3, in, out}, kernel}, {"/bias", []int{out}, bias}} {
				entry := map[string]any{"name": name + wt.suffix, "shape": wt.shape, "dtype": "float32"}
				data = k.encode(data, entry, wt.vals)
				weights = append(weights, entry)
			}
			m.layers = append(m.layers, map[string]any{"class_name": "Conv2D", "name": name, "config": map[string]any{
				"name": name, "filters": out, "kernel_size": []int{3, 3}, "strides": []int{1, 1}, "padding": "same",
				"data_format": "channels_last", "dilation_rate": []int{1, 1}, "activation": "relu", "use_bias": true}})
			if !k.oneGroup {
				flush()
			}
			in = out
			l++
		}
		pool := fmt.Sprintf("block%d_pool", b+1)
		m.layers = append(m.layers, map[string]any{"class_name": "MaxPooling2D", "name": pool, "config": map[string]any{
			"name": pool, "pool_size": []int{2, 2}, "strides": []int{2, 2}, "padding": "valid", "data_format": "channels_last"}})
	}
	if k.oneGroup {
		flush()
	}
	m.layers = append(m.layers,
		map[string]any{"class_name": "Flatten", "name": "flatten", "config": map[string]any{"name": "flatten"}},
		map[string]any{"class_name": "Dense", "name": "fc1", "config": map[string]any{"name": "fc1", "units": 10, "activation": "relu"}})
	if !k.noTopology {
		m.Topology = map[string]any{"keras_version": "2.1.4", "backend": "tensorflow",
			"model_config": map[string]any{"class_name": "Model", "config": map[string]any{"name": "vgg", "layers": &m.layers}}}
	}
	return m
}

// encode appends vals as the entry's storage says, adding its quantization.
func (k kerasModel) encode(data []byte, entry map[string]any, vals []float32) []byte {
	switch k.quant {
	case "":
		for _, v := range vals {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		}
	case "float16":
		entry["quantization"] = map[string]any{"dtype": "float16"}
		for _, v := range vals {
			data = binary.LittleEndian.AppendUint16(data, toHalf(v))
		}
	case "uint8", "uint16":
		const scale, minV = 1.0 / 64, -1.0
		entry["quantization"] = map[string]any{"dtype": k.quant, "scale": scale, "min": minV, "original_dtype": "float32"}
		for _, v := range vals {
			q := math.Round((float64(v) - minV) / scale)
			if k.quant == "uint8" {
				data = append(data, byte(q))
			} else {
				data = binary.LittleEndian.AppendUint16(data, uint16(q))
			}
		}
	}
	return data
}

// toHalf encodes a float32 that float16 holds exactly (normal or zero).
func toHalf(v float32) uint16 {
	if v == 0 {
		return 0
	}
	b := math.Float32bits(v)
	sign := uint16(b>>31) << 15
	exp := int(b>>23&0xff) - 127 + 15
	if exp <= 0 || exp >= 31 || b&0x1fff != 0 {
		panic(fmt.Sprintf("toHalf: %g is not exact in float16", v))
	}
	return sign | uint16(exp)<<10 | uint16(b>>13&0x3ff)
}

// fs writes the model: model.json and its shards.
func (m *testModel) fs(t testing.TB) fstest.MapFS {
	t.Helper()
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"model.json": {Data: js}}
	for name, b := range m.shards {
		fsys[name] = &fstest.MapFile{Data: b}
	}
	return fsys
}

// files builds the model, applies k.edit and writes it.
func (k kerasModel) files(t testing.TB) fstest.MapFS {
	m := k.build()
	if k.edit != nil {
		k.edit(m)
	}
	return m.fs(t)
}

// wantConvs are the model's convolutions as a reader must return them
// (OIHW), from the formulas.
func (k kerasModel) wantConvs() []Conv {
	var convs []Conv
	in, l := 3, 0
	for _, widths := range k.blocks {
		for _, out := range widths {
			c := Conv{Out: out, In: in, KH: 3, KW: 3, Kernel: make([]float32, out*in*9), Bias: make([]float32, out)}
			for o := range out {
				for i := range in {
					for h := range 3 {
						for w := range 3 {
							c.Kernel[((o*in+i)*3+h)*3+w] = testKernel(l, o, i, h, w)
						}
					}
				}
				c.Bias[o] = testBias(l, o)
			}
			convs = append(convs, c)
			in = out
			l++
		}
	}
	return convs
}

// layer returns the topology layer called name.
func (m *testModel) layer(name string) map[string]any {
	for _, l := range m.layers {
		if l["name"] == name {
			return l
		}
	}
	panic("no layer " + name)
}

// weight returns the manifest entry called name.
func (m *testModel) weight(name string) map[string]any {
	for _, g := range m.Manifest {
		for _, w := range g.Weights {
			if w["name"] == name {
				return w
			}
		}
	}
	panic("no weight " + name)
}
