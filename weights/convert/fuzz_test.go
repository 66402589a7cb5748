package convert

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/texsynth/texsynth/weights"
)

// The fuzz targets check that each reader never panics, that every error
// wraps weights.ErrFormat, and (through the corpus, by the fuzzer's memory
// limit) that no length field makes them allocate without bound. Plain
// "go test" runs them over their seed corpus: the shared fixtures when
// they are there, and small files built here. Run one longer by hand:
//
//	go test -fuzz=FuzzPyTorch -fuzztime=1m ./weights/convert/
//	go test -fuzz=FuzzSafetensors -fuzztime=1m ./weights/convert/
//	go test -fuzz=FuzzONNX -fuzztime=1m ./weights/convert/
//	go test -fuzz=FuzzDecode -fuzztime=1m ./weights/

// small is a VGG-16 at 1/16 width: seeds a fuzzer can mutate quickly.
var small = []int{4, 4, 8, 8, 16, 16, 16, 32, 32, 32, 32, 32, 32}

// addOptional adds a shared fixture to the corpus if it is there.
func addOptional(f *testing.F, name string) {
	if data, err := os.ReadFile(filepath.Join(fixtures, name)); err == nil {
		f.Add(data)
	}
}

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
	if _, err := s.File(Options{Bits: 4}); err != nil {
		t.Fatalf("read, but does not convert: %v", err)
	}
}

func FuzzPyTorch(f *testing.F) {
	addOptional(f, "vgg16-mini.pth")
	pkl, st := pickleStateDict(vggTensors(small, true))
	f.Add(torchZip(f, pkl, st))
	f.Add(legacyTorch(vggTensors(small, false)))
	f.Add(torchZip(f, []byte("\x80\x02]q\x00."), nil))
	f.Fuzz(fuzzRead)
}

func FuzzSafetensors(f *testing.F) {
	addOptional(f, "vgg16-mini.safetensors")
	f.Add(safetensorsBytes(f, vggTensors(small, true), map[string]string{"preprocess": "caffe"}))
	f.Add(sfRaw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, "abcd"))
	f.Fuzz(fuzzRead)
}

func FuzzONNX(f *testing.F) {
	addOptional(f, "vgg16-mini.onnx")
	f.Add(onnxBytes(vggTensors(small, true), true))
	f.Add(onnxBytes(vggTensors(small, false), false, "Flatten", "Gemm"))
	f.Fuzz(fuzzRead)
}
