package convert

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"sort"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// A testTensor is a float32 tensor to write into a test checkpoint.
type testTensor struct {
	name  string
	shape []int
	data  []float32
}

// vggTensors returns a torchvision-style VGG state dict of the given conv
// widths (3x3 kernels), values from a simple formula; bn adds batch norms
// as vgg16_bn numbers them.
func vggTensors(widths []int, bn bool) []testTensor {
	var ts []testTensor
	in, idx := 3, 0
	for i, w := range widths {
		n := w * in * 9
		k := make([]float32, n)
		for j := range k {
			k[j] = float32(math.Sin(float64(j*7+i))) / 10
		}
		b := make([]float32, w)
		for j := range b {
			b[j] = float32(j) / 100
		}
		key := "features." + itoa(idx)
		ts = append(ts, testTensor{key + ".weight", []int{w, in, 3, 3}, k}, testTensor{key + ".bias", []int{w}, b})
		if bn {
			bnKey := "features." + itoa(idx+1)
			g, be, m, v := make([]float32, w), make([]float32, w), make([]float32, w), make([]float32, w)
			for j := range w {
				g[j], be[j], m[j], v[j] = 1+float32(j)/10, float32(j)/20, float32(j)/30, 0.5+float32(j)/40
			}
			ts = append(ts, testTensor{bnKey + ".weight", []int{w}, g}, testTensor{bnKey + ".bias", []int{w}, be},
				testTensor{bnKey + ".running_mean", []int{w}, m}, testTensor{bnKey + ".running_var", []int{w}, v})
			idx++
		}
		idx += 2
		in = w
	}
	return ts
}

// mini13 are the fixtures' widths: VGG-16 divided by 8.
var mini13 = []int{8, 8, 16, 16, 32, 32, 32, 64, 64, 64, 64, 64, 64}

// safetensorsBytes writes tensors as a safetensors file.
func safetensorsBytes(t testing.TB, ts []testTensor, meta map[string]string) []byte {
	t.Helper()
	hdr := map[string]any{}
	if meta != nil {
		hdr["__metadata__"] = meta
	}
	var body []byte
	for _, x := range ts {
		beg := len(body)
		for _, v := range x.data {
			body = binary.LittleEndian.AppendUint32(body, math.Float32bits(v))
		}
		hdr[x.name] = map[string]any{"dtype": "F32", "shape": x.shape, "data_offsets": []int{beg, len(body)}}
	}
	js, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
	return append(append(out, js...), body...)
}

// torchZip writes a torch.save-style zip archive holding the given pickle
// and storages (key → bytes).
func torchZip(t testing.TB, pkl []byte, storages map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	put := func(name string, data []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "archive/" + name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	put("data.pkl", pkl)
	put("byteorder", []byte("little"))
	keys := make([]string, 0, len(storages))
	for k := range storages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		put("data/"+k, storages[k])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pickleStateDict writes a protocol-2 pickle of an OrderedDict of float
// tensors as torch.save does, with storage i holding tensor i.
func pickleStateDict(ts []testTensor) ([]byte, map[string][]byte) {
	return pickleStateDictAs(ts, false)
}

// pickleStateDictAs is pickleStateDict; legacy writes the storages'
// persistent ids as torch.save did before PyTorch 1.6 (with a view entry).
func pickleStateDictAs(ts []testTensor, legacy bool) ([]byte, map[string][]byte) {
	p := []byte{0x80, 2}
	p = append(p, "ccollections\nOrderedDict\n)R("...)
	storages := map[string][]byte{}
	for i, x := range ts {
		key := itoa(i)
		p = pickleStr(p, x.name)
		p = append(p, "ctorch._utils\n_rebuild_tensor_v2\n(("...)
		p = pickleStr(p, "storage")
		p = append(p, "ctorch\nFloatStorage\n"...)
		p = pickleStr(p, key)
		p = pickleStr(p, "cpu")
		p = pickleInt(p, len(x.data))
		if legacy {
			p = append(p, 'N')
		}
		p = append(p, "tQ"...)
		p = pickleInt(p, 0)
		p = append(p, '(')
		for _, d := range x.shape {
			p = pickleInt(p, d)
		}
		p = append(p, "t("...)
		for _, s := range contiguous(x.shape) {
			p = pickleInt(p, s)
		}
		p = append(p, 't', 0x89)
		p = append(p, "ccollections\nOrderedDict\n)RtR"...)
		var raw []byte
		for _, v := range x.data {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
		storages[key] = raw
	}
	p = append(p, "u."...)
	return p, storages
}

func pickleStr(p []byte, s string) []byte {
	p = append(p, 'X')
	p = binary.LittleEndian.AppendUint32(p, uint32(len(s)))
	return append(p, s...)
}

func pickleInt(p []byte, i int) []byte {
	p = append(p, 'J')
	return binary.LittleEndian.AppendUint32(p, uint32(int32(i)))
}

// onnxBytes writes an ONNX model of the tensors' convolutions (pairs of
// NAME.weight, NAME.bias in order; batch norms when bn), each followed by
// a Relu, plus extra nodes of the given op types at the end.
func onnxBytes(ts []testTensor, bn bool, extraOps ...string) []byte {
	return onnxWith(ts, bn, onnxOptions{extraOps: extraOps})
}

// onnxOptions spoil a test ONNX model.
type onnxOptions struct {
	extraOps    []string
	strides     int64             // of every Conv; 0 means 1
	tensorExtra map[string][]byte // appended to the named initializer's TensorProto
}

func onnxWith(ts []testTensor, bn bool, o onnxOptions) []byte {
	extraOps := o.extraOps
	stride := o.strides
	if stride == 0 {
		stride = 1
	}
	var graph []byte
	node := func(op, name string, inputs []string, output string, attrs []byte) {
		var n []byte
		for _, in := range inputs {
			n = protowire.AppendTag(n, nodeInput, protowire.BytesType)
			n = protowire.AppendString(n, in)
		}
		n = protowire.AppendTag(n, nodeOutput, protowire.BytesType)
		n = protowire.AppendString(n, output)
		n = protowire.AppendTag(n, nodeName, protowire.BytesType)
		n = protowire.AppendString(n, name)
		n = protowire.AppendTag(n, nodeOpType, protowire.BytesType)
		n = protowire.AppendString(n, op)
		n = append(n, attrs...)
		graph = protowire.AppendTag(graph, graphNode, protowire.BytesType)
		graph = protowire.AppendBytes(graph, n)
	}
	ints := func(name string, vs ...int64) []byte {
		var a []byte
		a = protowire.AppendTag(a, attrName, protowire.BytesType)
		a = protowire.AppendString(a, name)
		var packed []byte
		for _, v := range vs {
			packed = protowire.AppendVarint(packed, uint64(v))
		}
		a = protowire.AppendTag(a, attrInts, protowire.BytesType)
		a = protowire.AppendBytes(a, packed)
		var out []byte
		out = protowire.AppendTag(out, nodeAttribute, protowire.BytesType)
		return protowire.AppendBytes(out, a)
	}
	prev := "data"
	for i := 0; i < len(ts); {
		w, b := ts[i], ts[i+1]
		i += 2
		attrs := append(ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)...)
		attrs = append(attrs, ints("strides", stride, stride)...)
		out := w.name + "_out"
		node("Conv", w.name, []string{prev, w.name, b.name}, out, attrs)
		prev = out
		if bn && i+3 < len(ts) && len(ts[i].shape) == 1 {
			node("BatchNormalization", ts[i].name, []string{prev, ts[i].name, ts[i+1].name, ts[i+2].name, ts[i+3].name}, out+"_bn", nil)
			prev = out + "_bn"
			i += 4
		}
		node("Relu", w.name+"_relu", []string{prev}, prev+"_relu", nil)
		prev += "_relu"
	}
	for i, op := range extraOps {
		node(op, op, []string{prev}, prev+itoa(i), nil)
		prev += itoa(i)
	}
	for _, x := range ts {
		var tp []byte
		for _, d := range x.shape {
			tp = protowire.AppendTag(tp, tensorDims, protowire.VarintType)
			tp = protowire.AppendVarint(tp, uint64(d))
		}
		tp = protowire.AppendTag(tp, tensorDataType, protowire.VarintType)
		tp = protowire.AppendVarint(tp, 1)
		tp = protowire.AppendTag(tp, tensorName, protowire.BytesType)
		tp = protowire.AppendString(tp, x.name)
		var raw []byte
		for _, v := range x.data {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
		}
		tp = protowire.AppendTag(tp, tensorRawData, protowire.BytesType)
		tp = protowire.AppendBytes(tp, raw)
		tp = append(tp, o.tensorExtra[x.name]...)
		graph = protowire.AppendTag(graph, graphInitializer, protowire.BytesType)
		graph = protowire.AppendBytes(graph, tp)
	}
	var m []byte
	m = protowire.AppendTag(m, 1, protowire.VarintType) // ir_version
	m = protowire.AppendVarint(m, 7)
	m = protowire.AppendTag(m, modelGraph, protowire.BytesType)
	return protowire.AppendBytes(m, graph)
}

// legacyTorch writes a state dict in the legacy torch.save format: magic
// number, protocol version, system info, the state dict, the storage keys,
// then each storage as an int64 element count and its data.
func legacyTorch(ts []testTensor) []byte {
	pkl, storages := pickleStateDictAs(ts, true)
	b := append([]byte("\x80\x02\x8a\x0a"), legacyMagic...)
	b = append(b, ".\x80\x02M\xe9\x03.\x80\x02}."...)
	b = append(b, pkl...)
	b = append(b, "\x80\x02("...)
	for i := range ts {
		b = pickleStr(b, itoa(i))
	}
	b = append(b, "l."...)
	for i := range ts {
		raw := storages[itoa(i)]
		b = binary.LittleEndian.AppendUint64(b, uint64(len(raw)/4))
		b = append(b, raw...)
	}
	return b
}
