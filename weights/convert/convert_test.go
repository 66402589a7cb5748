package convert

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/weights"
	"google.golang.org/protobuf/encoding/protowire"
)

// fixtures is the directory of the shared test checkpoints (README.md
// there): VGG-16 with every width divided by 8, in the three layouts.
const fixtures = "../../../shared/fixtures"

var fixtureNames = []string{"vgg16-mini.pth", "vgg16-mini.safetensors", "vgg16-mini.onnx"}

// fixture returns a fixture's bytes, skipping the test when the shared
// fixtures are not there.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Skipf("fixture: %v", err)
	}
	return data
}

// expected is vgg16-mini.expected.json: per torchvision key, the shape,
// sum, sum of squares and first four values.
type expected map[string]struct {
	Shape []int
	Sum   float64
	Sumsq float64
	First []float64
}

// torchvisionIndex are the features.N indices of VGG-16's convolutions.
var torchvisionIndex = []int{0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28}

func TestFixturesMatchExpected(t *testing.T) {
	var want expected
	if err := json.Unmarshal(fixture(t, "vgg16-mini.expected.json"), &want); err != nil {
		t.Fatal(err)
	}
	for _, name := range fixtureNames {
		s, err := Read(fixture(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(s.Convs) != 13 {
			t.Fatalf("%s: %d convs", name, len(s.Convs))
		}
		for i, c := range s.Convs {
			key := "features." + itoa(torchvisionIndex[i])
			for _, part := range []struct {
				suffix string
				data   []float32
				shape  []int
			}{
				{".weight", c.Kernel, []int{c.Out, c.In, c.KH, c.KW}},
				{".bias", c.Bias, []int{c.Out}},
			} {
				w := want[key+part.suffix]
				if len(w.Shape) == 0 {
					t.Fatalf("expected.json has no %s", key+part.suffix)
				}
				if !slices.Equal(w.Shape, part.shape) {
					t.Errorf("%s %s: shape %v, want %v", name, key+part.suffix, part.shape, w.Shape)
				}
				var sum, sq float64
				for _, x := range part.data {
					sum += float64(x)
					sq += float64(x) * float64(x)
				}
				if math.Abs(sum-w.Sum) > 1e-4*(1+math.Abs(w.Sum)) || math.Abs(sq-w.Sumsq) > 1e-4*w.Sumsq {
					t.Errorf("%s %s: sum %g sumsq %g, want %g %g", name, key+part.suffix, sum, sq, w.Sum, w.Sumsq)
				}
				for j, f := range w.First {
					if float32(f) != part.data[j] {
						t.Errorf("%s %s[%d] = %g, want %g", name, key+part.suffix, j, part.data[j], f)
					}
				}
			}
		}
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestFixturesConvertAlike converts each fixture at 8, 4 and 32 bits: the
// three layouts give the same file, and every kernel is within its
// quantisation bound of the source.
func TestFixturesConvertAlike(t *testing.T) {
	for _, bits := range []int{8, 4, 32} {
		var sums []string
		for _, name := range fixtureNames {
			s, err := Read(fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			f, err := s.File(Options{Bits: bits, Name: name})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.CheckVGG16(); err != nil || len(f.Layers) != 13 || f.Pre != weights.ImageNet {
				t.Fatalf("%s: %v, %d layers, %+v", name, err, len(f.Layers), f.Pre)
			}
			if !strings.Contains(f.Provenance, name) || !strings.Contains(f.Provenance, s.SHA256) {
				t.Errorf("provenance %q", f.Provenance)
			}
			for i := range f.Layers {
				l := &f.Layers[i]
				k := l.Kernel()
				per := l.In * 9
				for j, w := range s.Convs[i].Kernel {
					bound := 0.0
					if bits != 32 {
						// Half a step, or what clipping to ±7 steps costs at 4 bits.
						s := float64(l.Scale[j/per])
						bound = max(s/2, math.Abs(float64(w))-7*s) * (1 + 1e-6)
					}
					if d := math.Abs(float64(w) - float64(k[j])); d > bound {
						t.Fatalf("%s %d bits %s weight %d: error %g > %g", name, bits, l.Name, j, d, bound)
					}
				}
			}
			sums = append(sums, f.Checksum())
		}
		if sums[0] != sums[1] || sums[0] != sums[2] {
			t.Errorf("%d bits: the three fixtures convert to different files: %v", bits, sums)
		}
	}
}

func TestUpto(t *testing.T) {
	s, err := Read(safetensorsBytes(t, vggTensors(mini13, false), nil))
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.File(Options{Upto: "conv4_3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Layers) != 10 || f.Layers[9].Name != "conv4_3" || f.Layers[0].Bits != 8 {
		t.Errorf("upto conv4_3: %d layers", len(f.Layers))
	}
	for _, o := range []Options{{Upto: "conv6_1"}, {Upto: "pool4"}, {Bits: 16}} {
		if _, err := s.File(o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

// TestBatchNormFolding checks the fold against the formula, and that a
// vgg16_bn state dict and the same network in ONNX fold alike.
func TestBatchNormFolding(t *testing.T) {
	ts := vggTensors(mini13, true)
	st, err := Read(safetensorsBytes(t, ts, nil))
	if err != nil {
		t.Fatal(err)
	}
	on, err := Read(onnxBytes(ts, true))
	if err != nil {
		t.Fatal(err)
	}
	// conv1_1 by hand: tensors 0-5 are weight, bias, γ, β, μ, σ².
	w, b, g, be, m, v := ts[0].data, ts[1].data, ts[2].data, ts[3].data, ts[4].data, ts[5].data
	c := st.Convs[0]
	if !c.FoldedBN || !on.Convs[0].FoldedBN {
		t.Fatal("batch norm not folded")
	}
	for o := range c.Out {
		s := float64(g[o]) / math.Sqrt(float64(v[o])+1e-5)
		for i := range 27 {
			if want := float32(float64(w[o*27+i]) * s); c.Kernel[o*27+i] != want {
				t.Fatalf("kernel[%d] = %g, want %g", o*27+i, c.Kernel[o*27+i], want)
			}
		}
		if want := float32((float64(b[o])-float64(m[o]))*s + float64(be[o])); c.Bias[o] != want {
			t.Fatalf("bias[%d] = %g, want %g", o, c.Bias[o], want)
		}
	}
	for i := range st.Convs {
		a, b := st.Convs[i], on.Convs[i]
		for j := range a.Kernel {
			if a.Kernel[j] != b.Kernel[j] {
				t.Fatalf("conv %d weight %d: state dict %g, ONNX %g", i, j, a.Kernel[j], b.Kernel[j])
			}
		}
	}
	f, _ := st.File(Options{Name: "bn"})
	if !strings.Contains(f.Provenance, "batch norm folded") {
		t.Errorf("provenance %q", f.Provenance)
	}
}

// TestPyTorchLayouts reads the same state dict from both torch.save
// layouts and safetensors.
func TestPyTorchLayouts(t *testing.T) {
	ts := vggTensors(mini13, true)
	pkl, st := pickleStateDict(ts)
	a, err := Read(torchZip(t, pkl, st))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Read(safetensorsBytes(t, ts, nil))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Read(legacyTorch(ts))
	if err != nil {
		t.Fatal(err)
	}
	fa, _ := a.File(Options{})
	fb, _ := b.File(Options{})
	fc, _ := c.File(Options{})
	if fa.Checksum() != fb.Checksum() || fc.Checksum() != fb.Checksum() {
		t.Error("a torch zip, a legacy torch file and a safetensors file of the same tensors differ")
	}
}

func TestCaffePreprocess(t *testing.T) {
	s, err := Read(safetensorsBytes(t, vggTensors(mini13, false), map[string]string{"preprocess": "caffe"}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Pre != Caffe || s.Pre.Order != "bgr" || s.Pre.Scale != 255 {
		t.Errorf("Pre = %+v", s.Pre)
	}
	if _, err := Read(safetensorsBytes(t, vggTensors(mini13, false), map[string]string{"preprocess": "yuv"})); err == nil {
		t.Error("unknown preprocess accepted")
	}
}

// badInputs are checkpoints that must be refused, with a word the error
// must contain.
func badInputs(t testing.TB) map[string]struct {
	data []byte
	want string
} {
	sf := func(ts []testTensor) []byte { return safetensorsBytes(t, ts, nil) }
	vgg := vggTensors(mini13, false)
	vgg11 := vggTensors([]int{8, 16, 32, 32, 64, 64, 64, 64}, false)
	resnet := []testTensor{
		{"conv1.weight", []int{8, 3, 7, 7}, make([]float32, 8*3*49)},
		{"layer1.0.conv1.weight", []int{8, 8, 3, 3}, make([]float32, 8*8*9)},
		{"fc.weight", []int{10, 8}, make([]float32, 80)},
	}
	classifier := []testTensor{{"classifier.0.weight", []int{4, 8}, make([]float32, 32)}, {"classifier.0.bias", []int{4}, make([]float32, 4)}}
	fiveByFive := vggTensors(mini13, false)
	fiveByFive[4] = testTensor{fiveByFive[4].name, []int{16, 8, 5, 5}, make([]float32, 16*8*25)}
	chain := vggTensors(mini13, false)
	chain[6] = testTensor{chain[6].name, []int{16, 9, 3, 3}, make([]float32, 16*9*9)}
	nan := vggTensors(mini13, false)
	nan[2].data[5] = float32(math.NaN())

	pkl, st := pickleStateDict(vgg)
	noStorage := map[string][]byte{}
	for k, v := range st {
		noStorage[k] = v
	}
	delete(noStorage, "3")
	shortStorage := map[string][]byte{}
	for k, v := range st {
		shortStorage[k] = v
	}
	shortStorage["2"] = shortStorage["2"][4:]

	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":                {nil, "empty"},
		"text":                 {[]byte("hello, this is not a checkpoint"), "not a checkpoint"},
		"q8":                   {[]byte("\x89TQ8\r\n\x1a\n"), "already a .q8"},
		"safetensors ResNet":   {sf(resnet), "ResNet"},
		"safetensors VGG-11":   {sf(vgg11), "8 convolution layers (VGG-11?); VGG-16 has 13 and VGG-19 has 16"},
		"safetensors 12 convs": {sf(vgg[:24]), "12 convolution layers"},
		"classifier only":      {sf(classifier), "classifier-only"},
		"5x5 kernel":           {sf(fiveByFive), "conv2_1 (features.4): kernel 5x5"},
		"broken chain":         {sf(chain), "conv2_2 (features.6): 9 input channels, want 16"},
		"NaN weight":           {sf(nan), "conv1_2 (features.2): weight 5 is NaN"},
		"safetensors huge hdr": {append(binary.LittleEndian.AppendUint64(nil, 1<<30), '{', '}'), "header length"},
		"safetensors offsets":  {sfRaw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, ""), "outside"},
		"safetensors shape":    {sfRaw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, "xxxx"), "shape"},
		"pickle list":          {torchZip(t, []byte("\x80\x02]q\x00."), nil), "holds a list of 0 items, not a state dict"},
		"pickle model":         {torchZip(t, []byte("\x80\x02ctorchvision.models.vgg\nVGG\nq\x00)\x81q\x01}b."), nil), "save model.state_dict()"},
		"pickle code":          {torchZip(t, []byte("\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R."), nil), "not a state dict"},
		"pickle bad opcode":    {torchZip(t, []byte("\x80\x02}\xff."), nil), "opcode 0xff"},
		"pickle no STOP":       {torchZip(t, []byte("\x80\x02}"), nil), "no STOP"},
		"pickle huge string":   {torchZip(t, []byte("\x80\x02X\xff\xff\xff\xff."), nil), "length"},
		"storage missing":      {torchZip(t, pkl, noStorage), "no data/3"},
		"storage short":        {torchZip(t, pkl, shortStorage), "storage \"2\""},
		"torchscript":          {torchScript(t), "TorchScript"},
		"legacy not torch":     {[]byte("\x80\x02K\x01."), "magic number"},
		"onnx unknown op":      {onnxBytes(vgg, false, "Sigmoid"), `operator "Sigmoid"`},
		"onnx VGG-11":          {onnxBytes(vgg11, false), "VGG-11"},
		"onnx stride 2":        {onnxWith(vgg, false, onnxOptions{strides: 2}), "strides [2 2], VGG-16 uses 1"},
		"onnx external data":   {onnxWith(vgg, false, onnxOptions{tensorExtra: map[string][]byte{"features.4.weight": {0x70, 0x01}}}), "external data"},
		"onnx int8 weights":    {onnxWith(vgg, false, onnxOptions{tensorExtra: map[string][]byte{"features.0.weight": {0x10, 0x03}}}), "features.0.weight"},
		"onnx lone batch norm": {onnxBytes(vgg, false, "BatchNormalization"), "1 inputs, want 5"},
		"onnx truncated":       {onnxBytes(vgg, false)[:5000], "ONNX: truncated or damaged model"},
		"onnx not a model":     {[]byte{0x08, 0x07}, "no graph"},
	}
	for _, name := range fixtureNames {
		data, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			continue
		}
		for _, n := range []int{1, 9, 100, 1000, len(data) / 2, len(data) - 1} {
			cases[name+" cut at "+itoa(n)] = struct {
				data []byte
				want string
			}{data[:n], ""}
		}
	}
	return cases
}

// torchScript returns a zip with constants.pkl and no data.pkl.
func torchScript(t testing.TB) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("model/constants.pkl")
	w.Write([]byte("\x80\x02)."))
	zw.Close()
	return b.Bytes()
}

func TestBadInputs(t *testing.T) {
	for name, c := range badInputs(t) {
		s, err := Read(c.data)
		if err == nil {
			t.Errorf("%s: read %d convs, want an error", name, len(s.Convs))
			continue
		}
		if !errors.Is(err, weights.ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q; want ErrFormat mentioning %q", name, err, c.want)
		}
	}
}

func TestReadFileNamesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resnet18.safetensors")
	data := safetensorsBytes(t, []testTensor{{"conv1.weight", []int{1, 3, 3, 3}, make([]float32, 27)}}, nil)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Convert(path, Options{})
	if !errors.Is(err, weights.ErrFormat) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("err = %v, want one starting with the path", err)
	}
}

// TestNoHugeAllocation checks that length fields claiming gigabytes cost
// nothing: the readers compare them with the bytes that are there first.
func TestNoHugeAllocation(t *testing.T) {
	hugeSF := sfRaw(`{"a":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}}`, "xxxx")
	hugeTensor, _ := pickleStateDict([]testTensor{{"features.0.weight", []int{1 << 30, 1 << 20, 3, 3}, make([]float32, 4)}})
	var hugeONNX []byte
	hugeONNX = protowire.AppendTag(hugeONNX, 1, protowire.VarintType)
	hugeONNX = protowire.AppendVarint(hugeONNX, 7)
	hugeONNX = protowire.AppendTag(hugeONNX, modelGraph, protowire.BytesType)
	hugeONNX = protowire.AppendVarint(hugeONNX, 1<<40)
	legacy := append([]byte("\x80\x02\x8a\x0a"), legacyMagic...)
	legacy = append(legacy, ".\x80\x02M\xe9\x03.\x80\x02}.\x80\x02(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuJ\x00\x00\x00\x7fNtQ.\x80\x02]X\x01\x00\x00\x000a.\x00\x00\x00\x7f\x00\x00\x00\x00"...)
	for name, data := range map[string][]byte{
		"safetensors shape": hugeSF,
		"pickle numel":      torchZip(t, hugeTensor, map[string][]byte{"0": make([]byte, 16)}),
		"pickle BINBYTES8":  torchZip(t, []byte("\x80\x02\x8e\xff\xff\xff\xff\xff\xff\xff\x7f."), nil),
		"onnx graph length": hugeONNX,
		"legacy storage":    legacy,
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Read(data)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, weights.ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
		t.Logf("%s: %v", name, err)
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: Read allocated %d bytes for a %d-byte input", name, n, len(data))
		}
	}
}

// sfRaw assembles a safetensors file from its header and data.
func sfRaw(js, body string) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
	return append(append(b, js...), body...)
}

// TestCorruptFixtures flips bytes all over each fixture: a reader may
// accept a flip in the raw numbers (the formats have no checksums, except
// the zip's CRC), but it must never panic and must only fail with
// ErrFormat.
func TestCorruptFixtures(t *testing.T) {
	for _, name := range fixtureNames {
		data := append([]byte(nil), fixture(t, name)...)
		refused := 0
		// The first kilobyte (headers, pickle, protobuf tags) byte by byte
		// in steps of 7, then 64 places spread over the rest.
		var at []int
		for i := 0; i < min(1024, len(data)); i += 7 {
			at = append(at, i)
		}
		for k := range 64 {
			at = append(at, 1024+k*(len(data)-1024)/64)
		}
		for _, i := range at {
			for _, bit := range []byte{0x01, 0x80} {
				data[i] ^= bit
				_, err := Read(data)
				data[i] ^= bit
				if err != nil {
					refused++
					if !errors.Is(err, weights.ErrFormat) {
						t.Fatalf("%s, byte %d ^ %#x: error %v does not wrap ErrFormat", name, i, bit, err)
					}
				}
			}
		}
		if refused == 0 {
			t.Errorf("%s: no flip was refused", name)
		}
	}
}
