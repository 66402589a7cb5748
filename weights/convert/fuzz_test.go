package convert

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/texsynth/texsynth/weights"
)

// The fuzz targets check that the readers never panic or hang, and that
// every error wraps weights.ErrFormat. FuzzPickle runs the pickle machine
// on its own, since inside a zip archive a mutated pickle mostly fails the
// archive's CRC; the other three read whole checkpoints. Their seeds are a
// VGG-16 one channel wide (a whole checkpoint in 5–9 KB), so that the
// fuzzer spends its time on the parsers. `make test` runs each for a few
// seconds (make test-fuzz); run one longer by hand:
//
//	go test -run '^$' -fuzz=FuzzPickle -fuzztime=1m ./weights/convert/
//	go test -run '^$' -fuzz=FuzzPyTorch -fuzztime=1m ./weights/convert/
//	go test -run '^$' -fuzz=FuzzSafetensors -fuzztime=1m ./weights/convert/
//	go test -run '^$' -fuzz=FuzzONNX -fuzztime=1m ./weights/convert/
//
// The cost bounds themselves are tested by TestHostilePickles and
// TestNoHugeAllocation.

// narrow is a VGG-16 one channel wide: the smallest checkpoint the
// architecture check accepts.
var narrow = []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}

// fixturePickle returns the shared fixture's data.pkl (a pickle torch.save
// wrote), or nil without the fixtures.
func fixturePickle(f *testing.F) []byte {
	data, err := os.ReadFile(filepath.Join(fixtures, "vgg16-mini.pth"))
	if err != nil {
		return nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range zr.File {
		if filepath.Base(e.Name) == "data.pkl" {
			rc, err := e.Open()
			if err != nil {
				f.Fatal(err)
			}
			defer rc.Close()
			p, err := io.ReadAll(rc)
			if err != nil {
				f.Fatal(err)
			}
			return p
		}
	}
	f.Fatal("no data.pkl in the fixture")
	return nil
}

// FuzzPickle runs a state dict's pickle as readTorchZip does, without the
// storages' data.
func FuzzPickle(f *testing.F) {
	if p := fixturePickle(f); p != nil {
		f.Add(p)
	}
	pkl, _ := pickleStateDict(vggTensors(narrow, true))
	f.Add(pkl)
	legacy, _ := pickleStateDictAs(vggTensors(narrow[:2], false), true)
	f.Add(legacy)
	for _, p := range []string{
		"\x80\x02]q\x00.",
		"\x80\x02ctorchvision.models.vgg\nVGG\nq\x00)\x81q\x01}b.",
		"\x80\x02(K\x01K\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x80G?\xf0\x00\x00\x00\x00\x00\x00\x88\x89Nt2\x94h\x00j\x00\x00\x00\x00e.",
		"\x80\x02}(X\x01\x00\x00\x00a]q\x01(K\x01K\x02eh\x01\x93u.",
	} {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		storages := newStorageSet()
		m := &machine{data: data, call: torchCall}
		m.persistent = func(pid any) (any, error) {
			t, ok := pid.(pyTuple)
			if !ok || len(t) < 5 || t[0] != "storage" {
				return nil, errors.New("not a storage")
			}
			return storages.ref(t)
		}
		root, err := m.run()
		if err != nil {
			return
		}
		if m.pushed > maxValues+1 || len(m.memo) > maxMemo+1 {
			t.Fatalf("ran with %d values and %d memo entries, over the limits", m.pushed, len(m.memo))
		}
		stateDictOf(root) // must not panic on any value
	})
}

// fuzzRead reads a checkpoint; what is accepted must convert.
func fuzzRead(t *testing.T, data []byte) {
	s, err := Read(data)
	checkRead(t, s, err)
}

// checkRead fails unless a reader's result is an ErrFormat error or a source that converts.
func checkRead(t *testing.T, s *Source, err error) {
	if err != nil {
		if !errors.Is(err, weights.ErrFormat) {
			t.Fatalf("error %q does not wrap ErrFormat", err)
		}
		return
	}
	if _, err := s.File(Options{}); err != nil {
		t.Fatalf("read, but does not convert: %v", err)
	}
}

func FuzzPyTorch(f *testing.F) {
	pkl, st := pickleStateDict(vggTensors(narrow, false))
	f.Add(torchZip(f, pkl, st))
	f.Add(legacyTorch(vggTensors(narrow, false)))
	f.Add(torchZip(f, []byte("\x80\x02]q\x00."), nil))
	f.Fuzz(fuzzRead)
}

func FuzzSafetensors(f *testing.F) {
	f.Add(safetensorsBytes(f, vggTensors(narrow, true), map[string]string{"preprocess": "caffe"}))
	f.Add(safetensorsBytes(f, vggTensors(narrow, false), nil))
	f.Add(sfRaw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, "abcd"))
	f.Fuzz(fuzzRead)
}

func FuzzONNX(f *testing.F) {
	f.Add(onnxBytes(vggTensors(narrow, true), true))
	f.Add(onnxBytes(vggTensors(narrow, false), false, "Flatten", "Gemm"))
	f.Fuzz(fuzzRead)
}

// TestFuzzSeedsRead: the whole-checkpoint seeds are read and converted, so
// that the fuzzers start from files that reach every stage of a reader.
func TestFuzzSeedsRead(t *testing.T) {
	pkl, st := pickleStateDict(vggTensors(narrow, false))
	for name, data := range map[string][]byte{
		"zip":         torchZip(t, pkl, st),
		"legacy":      legacyTorch(vggTensors(narrow, false)),
		"safetensors": safetensorsBytes(t, vggTensors(narrow, true), nil),
		"onnx":        onnxBytes(vggTensors(narrow, true), true),
	} {
		s, err := Read(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if _, err := s.File(Options{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		t.Logf("%s: %d bytes", name, len(data))
		if len(data) > 16<<10 {
			t.Errorf("%s: a %d-byte seed; keep the seeds small", name, len(data))
		}
	}
}
