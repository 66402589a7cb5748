package convert

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/texsynth/texsynth/weights"
)

// sameConvs fails unless got are want, number for number.
func sameConvs(t *testing.T, label string, got, want []Conv) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d convs, want %d", label, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Out != w.Out || g.In != w.In || g.KH != 3 || g.KW != 3 {
			t.Fatalf("%s: conv %d is %dx%dx%dx%d, want %dx%dx3x3", label, i, g.Out, g.In, g.KH, g.KW, w.Out, w.In)
		}
		if j := firstDiff(g.Kernel, w.Kernel); j >= 0 {
			t.Fatalf("%s: conv %d weight %d (OIHW) = %g, want %g", label, i, j, g.Kernel[j], w.Kernel[j])
		}
		if j := firstDiff(g.Bias, w.Bias); j >= 0 {
			t.Fatalf("%s: conv %d bias %d = %g, want %g", label, i, j, g.Bias[j], w.Bias[j])
		}
	}
}

func firstDiff(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestTFJS reads Keras VGG-19 and VGG-16 models, float32 and quantised, in
// one group per layer or one group split into shards: the kernels come out
// OIHW, as the formulas say, with Caffe's preprocessing and the layer
// names of the architecture.
func TestTFJS(t *testing.T) {
	for _, c := range []struct {
		label string
		model kerasModel
		arch  string
		last  string
	}{
		{"VGG-19 float32", kerasModel{blocks: tinyVGG19}, "VGG-19", "conv5_4"},
		{"VGG-16 float32", kerasModel{blocks: tinyVGG16}, "VGG-16", "conv5_3"},
		{"VGG-19 float16", kerasModel{blocks: tinyVGG19, quant: "float16"}, "VGG-19", "conv5_4"},
		{"VGG-19 uint8", kerasModel{blocks: tinyVGG19, quant: "uint8"}, "VGG-19", "conv5_4"},
		{"VGG-19 uint16", kerasModel{blocks: tinyVGG19, quant: "uint16"}, "VGG-19", "conv5_4"},
		{"VGG-19 one group, 1000-byte shards", kerasModel{blocks: tinyVGG19, oneGroup: true, shardSize: 1000}, "VGG-19", "conv5_4"},
		{"VGG-19 without topology", kerasModel{blocks: tinyVGG19, noTopology: true}, "VGG-19", "conv5_4"},
	} {
		s, err := ReadTFJS(c.model.files(t), "model.json")
		if err != nil {
			t.Fatalf("%s: %v", c.label, err)
		}
		if s.Arch.Name != c.arch || s.Format != "TF.js" || s.Missing != "" || s.Listed != len(s.Convs) {
			t.Errorf("%s: %s, format %s, missing %q, listed %d", c.label, s.Arch.Name, s.Format, s.Missing, s.Listed)
		}
		sameConvs(t, c.label, s.Convs, c.model.wantConvs())
		if s.Pre != Caffe {
			t.Errorf("%s: preprocessing %+v, want Caffe's", c.label, s.Pre)
		}
		f, err := s.File(Options{Name: "vgg/model.json", Bits: 32})
		if err != nil {
			t.Fatal(err)
		}
		if l := f.Layers[len(f.Layers)-1]; l.Name != c.last {
			t.Errorf("%s: last layer %s, want %s", c.label, l.Name, c.last)
		}
		for _, want := range []string{c.arch + " from vgg/model.json (TF.js layers model, sha256 " + s.SHA256, "float32"} {
			if !strings.Contains(f.Provenance, want) {
				t.Errorf("%s: provenance %q lacks %q", c.label, f.Provenance, want)
			}
		}
		if s.Notice(Options{}) != "" {
			t.Errorf("%s: notice %q for a complete model", c.label, s.Notice(Options{}))
		}
	}
}

// TestTFJSPreprocessMetadata: userDefinedMetadata may declare another
// preprocessing.
func TestTFJSPreprocessMetadata(t *testing.T) {
	k := kerasModel{blocks: tinyVGG16, edit: func(m *testModel) { m.Metadata = map[string]any{"preprocess": "imagenet"} }}
	s, err := ReadTFJS(k.files(t), "model.json")
	if err != nil || s.Pre != weights.ImageNet {
		t.Errorf("err %v, preprocessing %+v; want ImageNet's", err, s.Pre)
	}
}

// TestTFJSPartial removes shards: the model converts up to its last
// complete layer and says which layer and file are missing.
func TestTFJSPartial(t *testing.T) {
	k := kerasModel{blocks: tinyVGG19}
	fsys := k.files(t)
	delete(fsys, "group9-shard1of1") // block4_conv1
	delete(fsys, "group12-shard1of1")
	s, err := ReadTFJS(fsys, "model.json")
	if err != nil {
		t.Fatal(err)
	}
	sameConvs(t, "partial", s.Convs, k.wantConvs()[:8])
	if s.Listed != 16 || !strings.Contains(s.Missing, "conv4_1 (block4_conv1/kernel) is in group9-shard1of1, which is missing") {
		t.Errorf("listed %d, missing %q", s.Listed, s.Missing)
	}
	notice := s.Notice(Options{})
	for _, want := range []string{"lists 16 layers (VGG-19) and holds 8", "converted conv1_1 … conv3_4", "group9-shard1of1"} {
		if !strings.Contains(notice, want) {
			t.Errorf("notice %q lacks %q", notice, want)
		}
	}
	f, err := s.File(Options{})
	if err != nil || len(f.Layers) != 8 || f.Layers[7].Name != "conv3_4" {
		t.Fatalf("File: %v", err)
	}
	if n := s.Notice(Options{Upto: "conv3_4"}); n != "" {
		t.Errorf("notice %q although -upto asked for no more than there is", n)
	}
	if _, err := s.File(Options{Upto: "conv4_2"}); err == nil || !strings.Contains(err.Error(), "group9-shard1of1, which is missing") {
		t.Errorf("-upto past the missing shard: %v", err)
	}

	// One group in 700-byte shards, the last ones gone: every layer whose
	// bytes lie in the shards that are there converts.
	k = kerasModel{blocks: tinyVGG19, oneGroup: true, shardSize: 700}
	fsys = k.files(t)
	var names []string
	for name := range fsys {
		if strings.HasPrefix(name, "group1-") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	keep := 12 // shards 1 … 12 stay: 8400 bytes
	for _, name := range names {
		var n, of int
		if _, err := fmt.Sscanf(name, "group1-shard%dof%d", &n, &of); err != nil {
			t.Fatal(err)
		}
		if n > keep {
			delete(fsys, name)
		}
	}
	s, err = ReadTFJS(fsys, "model.json")
	if err != nil {
		t.Fatal(err)
	}
	// The layers wholly within the first 8400 bytes.
	want, end := 0, 0
	for _, c := range k.wantConvs() {
		end += 4 * (len(c.Kernel) + len(c.Bias))
		if end > keep*700 {
			break
		}
		want++
	}
	sameConvs(t, "one group, cut", s.Convs, k.wantConvs()[:want])
	if !strings.Contains(s.Missing, "group1-shard13of") {
		t.Errorf("missing %q, want the 13th shard named", s.Missing)
	}

	// Without the first layer's shard there is nothing to convert.
	fsys = kerasModel{blocks: tinyVGG19}.files(t)
	delete(fsys, "group1-shard1of1")
	if _, err := ReadTFJS(fsys, "model.json"); !errors.Is(err, weights.ErrFormat) || !strings.Contains(err.Error(), "group1-shard1of1, which is missing: no layer to convert") {
		t.Errorf("no first layer: %v", err)
	}
}

// TestTFJSBadInputs spoils a model in every way a reader must notice.
func TestTFJSBadInputs(t *testing.T) {
	conv := func(name, key string, v any) func(*testModel) {
		return func(m *testModel) { m.layer(name)["config"].(map[string]any)[key] = v }
	}
	insert := func(at int, layer map[string]any) func(*testModel) {
		return func(m *testModel) { m.layers = slices.Insert(m.layers, at, layer) }
	}
	for _, c := range []struct {
		label string
		edit  func(m *testModel)
		want  string
	}{
		{"graph model", func(m *testModel) { m.Format = "graph-model" }, "graph model"},
		{"other format", func(m *testModel) { m.Format = "saved-model" }, `format "saved-model"`},
		{"no manifest", func(m *testModel) { m.Manifest = nil }, "no weightsManifest"},
		{"shard outside", func(m *testModel) { m.Manifest[0].Paths[0] = "../secret" }, `shard path "../secret"`},
		{"shard absolute", func(m *testModel) { m.Manifest[0].Paths[0] = "/etc/passwd" }, `shard path "/etc/passwd"`},
		{"shard too long", func(m *testModel) { m.shards["group2-shard1of1"] = append(m.shards["group2-shard1of1"], 0, 0, 0, 0) }, "more than its group's weights take"},
		{"shard short", func(m *testModel) { m.shards["group2-shard1of1"] = m.shards["group2-shard1of1"][4:] }, "a truncated shard?"},
		{"int32 kernel", func(m *testModel) { m.weight("block1_conv2/kernel")["dtype"] = "int32" }, "block1_conv2/kernel is int32, want float32"},
		{"int8 quantization", func(m *testModel) {
			m.weight("block1_conv1/kernel")["quantization"] = map[string]any{"dtype": "int8", "scale": 1, "min": 0}
		}, `quantization dtype "int8"`},
		{"uint8 without scale", func(m *testModel) {
			m.weight("block1_conv1/kernel")["quantization"] = map[string]any{"dtype": "uint8"}
		}, "without a finite scale and min"},
		{"string before", func(m *testModel) {
			g := m.Manifest[2]
			g.Weights = append([]map[string]any{{"name": "note", "shape": []int{1}, "dtype": "string"}}, g.Weights...)
		}, "after a weight of unknown size"},
		{"kernel 5x5", func(m *testModel) {
			m.weight("block2_conv1/kernel")["shape"] = []int{5, 5, 4, 8}
			m.shards["group3-shard1of1"] = make([]byte, 4*(25*4*8+8))
		}, "conv2_1 (block2_conv1): kernel 5x5, VGG-19 uses 3x3"},
		{"kernel 3-D", func(m *testModel) { m.weight("block2_conv1/kernel")["shape"] = []int{3, 3, 32} }, "want a 4-D kernel"},
		{"bias shape", func(m *testModel) { m.weight("block2_conv1/bias")["shape"] = []int{9} }, "block2_conv1/bias: shape [9], want [8]"},
		{"broken chain", func(m *testModel) {
			m.weight("block2_conv2/kernel")["shape"] = []int{3, 3, 16, 8}
			m.shards["group4-shard1of1"] = make([]byte, 4*(9*16*8+8))
		}, "conv2_2 (block2_conv2): 16 input channels, want 8"},
		{"NaN", func(m *testModel) {
			b := m.shards["group3-shard1of1"]
			copy(b[8:], []byte{0, 0, 0xc0, 0x7f})
		}, "conv2_1 (block2_conv1): weight 72 is NaN"}, // HWIO element 2 is output channel 2: OIHW 2·4·9
		{"block of five", func(m *testModel) {
			g := *m.Manifest[4]
			g.Weights = []map[string]any{{"name": "block3_conv5/kernel", "shape": []int{3, 3, 16, 16}, "dtype": "float32"}}
			m.Manifest = append(m.Manifest, &g)
		}, "blocks of [2 2 5 4 4]"},
		{"gap", func(m *testModel) { m.weight("block2_conv1/kernel")["name"] = "block2_conv7/kernel" }, "block2_conv7 without the layers before it"},
		{"renamed kernel", func(m *testModel) { m.weight("block2_conv1/kernel")["name"] = "block2_conv1/other" }, "4-D weights outside the VGG blocks: block2_conv1/other"},
		{"bias alone", func(m *testModel) {
			m.Manifest[2].Weights = m.Manifest[2].Weights[1:]
			m.shards["group3-shard1of1"] = m.shards["group3-shard1of1"][9*4*8*4:]
		}, "block2_conv1 has a bias and no kernel"},
		{"duplicate", func(m *testModel) { m.weight("block2_conv1/bias")["name"] = "block1_conv1/bias" }, `two weights named "block1_conv1/bias"`},
		{"resnet", func(m *testModel) {
			for _, g := range m.Manifest {
				for _, w := range g.Weights {
					w["name"] = "conv2_block1_" + w["name"].(string)
				}
			}
		}, "not a Keras VGG16/VGG19"},
		{"stride 2", conv("block3_conv1", "strides", []int{2, 2}), "block3_conv1 has strides [2,2]"},
		{"valid padding", conv("block1_conv1", "padding", "valid"), `block1_conv1 has padding "valid"`},
		{"linear", conv("block1_conv2", "activation", "linear"), `block1_conv2 has activation "linear"`},
		{"filters", conv("block1_conv2", "filters", 5), "block1_conv2 has 5 filters, its kernel [3 3 4 4] has 4 outputs"},
		{"dilated", conv("block5_conv4", "dilation_rate", []int{2, 2}), "dilation_rate [2,2]"},
		{"batch norm", insert(2, map[string]any{"class_name": "BatchNormalization", "name": "bn", "config": map[string]any{}}), "layer bn (BatchNormalization) sits among VGG's convolutions"},
		{"rescaling", insert(1, map[string]any{"class_name": "Rescaling", "name": "scale", "config": map[string]any{"scale": 1.0 / 255}}), "layer scale (Rescaling)"},
		{"no pool", func(m *testModel) {
			m.layers = slices.DeleteFunc(m.layers, func(l map[string]any) bool { return l["name"] == "block2_pool" })
		}, "0 max pools before block3_conv1, want 1"},
		{"pool 3x3", conv("block1_pool", "pool_size", []int{3, 3}), "block1_pool has pool_size [3,3]"},
		{"not in topology", func(m *testModel) { m.layer("block4_conv2")["name"] = "other" }, "has no layer block4_conv2"},
		{"not a model.json", func(m *testModel) { m.Topology = "[" }, "modelTopology"},
	} {
		k := kerasModel{blocks: tinyVGG19, edit: c.edit}
		_, err := ReadTFJS(k.files(t), "model.json")
		if !errors.Is(err, weights.ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v; want ErrFormat mentioning %q", c.label, err, c.want)
		}
	}
	fsys := fstest.MapFS{"model.json": {Data: []byte(`{"weightsManifest": 7}`)}}
	if _, err := ReadTFJS(fsys, "model.json"); !errors.Is(err, weights.ErrFormat) || !strings.Contains(err.Error(), "not a model.json") {
		t.Errorf("manifest 7: %v", err)
	}
	if _, err := ReadTFJS(fsys, "absent.json"); !errors.Is(err, os.ErrNotExist) || errors.Is(err, weights.ErrFormat) {
		t.Errorf("absent model.json: %v, want a not-exist error", err)
	}
	if _, err := Read([]byte(`{"weightsManifest": []}`)); !errors.Is(err, weights.ErrFormat) || !strings.Contains(err.Error(), "by its path") {
		t.Errorf("Read(model.json): %v", err)
	}
}

// TestTFJSNoHugeAllocation: a manifest claiming gigabytes of weights costs
// what its shards hold.
func TestTFJSNoHugeAllocation(t *testing.T) {
	k := kerasModel{blocks: tinyVGG19, edit: func(m *testModel) {
		m.weight("block1_conv1/kernel")["shape"] = []int{3, 3, 3, 1 << 25}
		m.weight("block1_conv1/bias")["shape"] = []int{1 << 25}
	}}
	fsys := k.files(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadTFJS(fsys, "model.json")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, weights.ErrFormat) {
		t.Errorf("err = %v, want ErrFormat", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("ReadTFJS allocated %d bytes", n)
	}
}

// TestTFJSFromDisk converts a model written to a directory through
// ReadFile and Convert, as the command does.
func TestTFJSFromDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vgg19-tiny")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, f := range (kerasModel{blocks: tinyVGG19}).files(t) {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Convert(filepath.Join(dir, "model.json"), Options{Upto: "conv3_4"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Layers) != 8 || !strings.HasPrefix(f.Provenance, "VGG-19 from vgg19-tiny/model.json (TF.js layers model") {
		t.Errorf("%d layers, provenance %q", len(f.Layers), f.Provenance)
	}
	if err := Architectures[1].CheckFile(f); err != nil {
		t.Error(err)
	}
	if err := Architectures[0].CheckFile(f); err == nil {
		t.Error("a VGG-19 file passes as VGG-16")
	}
}

// TestVGG19StateDicts reads torchvision's vgg19 and vgg19_bn layouts
// (16 convolutions, features.N) from PyTorch, safetensors and ONNX.
func TestVGG19StateDicts(t *testing.T) {
	widths := []int{8, 8, 16, 16, 32, 32, 32, 32, 64, 64, 64, 64, 64, 64, 64, 64}
	for _, bn := range []bool{false, true} {
		ts := vggTensors(widths, bn)
		pkl, st := pickleStateDict(ts)
		var sums []string
		for _, data := range [][]byte{torchZip(t, pkl, st), safetensorsBytes(t, ts, nil), onnxBytes(ts, bn)} {
			s, err := Read(data)
			if err != nil {
				t.Fatal(err)
			}
			if s.Arch.Name != "VGG-19" || len(s.Convs) != 16 || s.Convs[0].FoldedBN != bn {
				t.Fatalf("%s: %s, %d convs, folded %v", s.Format, s.Arch.Name, len(s.Convs), s.Convs[0].FoldedBN)
			}
			f, err := s.File(Options{Upto: "conv4_4"})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Layers) != 12 || f.Layers[7].Name != "conv3_4" || f.Layers[11].Name != "conv4_4" || !strings.HasPrefix(f.Provenance, "VGG-19 from") {
				t.Errorf("%s: %d layers, provenance %q", s.Format, len(f.Layers), f.Provenance)
			}
			sums = append(sums, f.Checksum())
		}
		if sums[0] != sums[1] || sums[1] != sums[2] {
			t.Errorf("bn %v: PyTorch, safetensors and ONNX convert to different files", bn)
		}
	}
	s, _ := Read(safetensorsBytes(t, vggTensors(mini13, false), nil))
	if _, err := s.File(Options{Upto: "conv3_4"}); err == nil || !strings.Contains(err.Error(), "not a VGG-16 layer") {
		t.Errorf("VGG-16 -upto conv3_4: %v", err)
	}
}

// realModel is the shared Keras VGG-19 (conv1_1 … conv3_4 present).
const realModel = "../../../shared/weights/vgg19-keras-to-conv3_4/model.json"

func readReal(t *testing.T) *Source {
	t.Helper()
	if _, err := os.Stat(realModel); err != nil {
		t.Skipf("shared weights: %v", err)
	}
	s, err := ReadFile(realModel)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRealTFJS reads the shared ImageNet VGG-19: its README's check value,
// the eight layers it holds, and what is missing.
func TestRealTFJS(t *testing.T) {
	s := readReal(t)
	if got := s.Convs[0].Bias[0]; got != 0.7301776 {
		t.Errorf("block1_conv1's first bias is %v, want 0.7301776", got)
	}
	if s.Arch.Name != "VGG-19" || len(s.Convs) != 8 || s.Listed != 16 || s.Pre != Caffe {
		t.Errorf("%s, %d convs of %d listed, %+v", s.Arch.Name, len(s.Convs), s.Listed, s.Pre)
	}
	if !strings.Contains(s.Missing, "conv4_1 (block4_conv1/kernel) is in group9-shard1of2, which is missing") {
		t.Errorf("missing %q", s.Missing)
	}
	for i, c := range s.Convs {
		want := VGG19[i]
		if c.In != want.In || c.Out != want.Out {
			t.Errorf("%s: %dx%d, want %dx%d", want.Name, c.Out, c.In, want.Out, want.In)
		}
	}
}

// FuzzTFJS mutates model.json over a fixed set of shards (a VGG-19 cut
// after block 3, 2 channels wide, one group in 300-byte shards): the reader
// never panics, fails only with ErrFormat, and what it reads converts.
//
//	go test -run '^$' -fuzz=FuzzTFJS -fuzztime=1m ./weights/convert/
func FuzzTFJS(f *testing.F) {
	k := kerasModel{blocks: [][]int{{2, 2}, {2, 2}, {2, 2, 2, 2}}, oneGroup: true, shardSize: 300}
	base := k.files(f)
	f.Add(base["model.json"].Data)
	k.noTopology = true
	f.Add(k.files(f)["model.json"].Data)
	f.Add([]byte(`{"format":"layers-model","weightsManifest":[{"paths":["group1-shard1of2"],"weights":[{"name":"block1_conv1/kernel","shape":[3,3,3,2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.1,"min":-1}}]}]}`))
	f.Fuzz(func(t *testing.T, js []byte) {
		fsys := fstest.MapFS{"model.json": {Data: js}}
		for name, file := range base {
			if name != "model.json" {
				fsys[name] = file
			}
		}
		s, err := ReadTFJS(fsys, "model.json")
		checkRead(t, s, err)
	})
}
