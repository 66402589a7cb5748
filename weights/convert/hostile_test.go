package convert

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/texsynth/texsynth/weights"
)

// hostilePickles are data.pkl streams built to cost memory or time: each
// repeats a few opcodes until it is n bytes long, and ends in STOP.
func hostilePickles(n int) map[string][]byte {
	rep := func(prefix, unit string) []byte {
		p := []byte("\x80\x02" + prefix)
		p = append(p, bytes.Repeat([]byte(unit), (n-len(p)-1)/len(unit))...)
		return append(p, '.')
	}
	// LONG_BINPUT with a new memo index each time.
	memo := []byte("\x80\x02N")
	for i := uint32(0); len(memo)+5 < n; i++ {
		memo = binary.LittleEndian.AppendUint32(append(memo, 'r'), i)
	}
	memo = append(memo, '.')
	// A tuple of 60,000 ints, memoised, then rebuilt as a tensor's shape
	// and stride again and again: work far beyond the bytes that ask for it.
	shape := []byte("\x80\x02(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQq\x02(")
	shape = append(shape, bytes.Repeat([]byte("K\x01"), 60000)...)
	shape = append(shape, "tq\x010"...)
	call := "ctorch._utils\n_rebuild_tensor_v2\n(h\x02K\x00h\x01h\x01tR0"
	shape = append(shape, bytes.Repeat([]byte(call), (n-len(shape)-1)/len(call))...)
	shape = append(shape, '.')
	return map[string][]byte{
		"EMPTY_DICT":       rep("", "}"),
		"NONE":             rep("", "N"),
		"GLOBAL":           rep("", "c\n\n"),
		"MARK":             rep("", "("),
		"DUP":              rep("N", "2"),
		"EMPTY_LIST":       rep("", "]"),
		"APPEND":           rep("]", "Na"),
		"APPEND dicts":     rep("]", "}a"),
		"SETITEM":          rep("}", "KaNs"),
		"OrderedDict":      rep("", "ccollections\nOrderedDict\n)R"),
		"memo":             memo,
		"shape tuple":      shape,
		"strings":          rep("", "X\x00\x01\x00\x00"+strings.Repeat("a", 256)),
		"unknown class":    rep("", "cfoo\nBar\n)R"),
		"BINGET of a dict": rep("}q\x00", "h\x00"),
	}
}

// TestHostilePickles: pickles of up to the size the reader accepts (and
// the 60 MB one, whose data.pkl compresses to 61 KB) must be
// refused with ErrFormat, allocating under 100 MB each.
func TestHostilePickles(t *testing.T) {
	for name, pkl := range hostilePickles(maxPickleBytes) {
		t.Run(name, func(t *testing.T) { checkHostile(t, torchZip(t, pkl, nil), len(pkl)) })
	}
	// The issue's: 60 MB of NONE (3.7 GB before) in a 61 KB file.
	none := append(append([]byte("\x80\x02"), bytes.Repeat([]byte("N"), 60<<20)...), '.')
	t.Run("NONE 60 MB", func(t *testing.T) { checkHostile(t, deflatedTorchZip(t, none), len(none)) })
	// The legacy format runs its pickles over the file itself.
	legacy := append([]byte("\x80\x02"), bytes.Repeat([]byte("N"), 60<<20)...)
	t.Run("legacy NONE 60 MB", func(t *testing.T) { checkHostile(t, legacy, len(legacy)) })
}

// checkHostile reads a hostile checkpoint: it must be refused with
// ErrFormat, allocating under 100 MB (under 32 MB where no pickle is given).
func checkHostile(t *testing.T, data []byte, pickleLen int) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Read(data)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d B file, %d MB pickle: %.1f MB allocated, %v: %v", len(data), pickleLen>>20, float64(alloc)/1e6, took.Round(time.Millisecond), err)
	if !errors.Is(err, weights.ErrFormat) {
		t.Errorf("err = %v, want ErrFormat", err)
	}
	limit := uint64(100 << 20)
	if pickleLen == 0 {
		limit = 32 << 20
	}
	if alloc > limit {
		t.Errorf("Read allocated %d MB for a %d-byte file", alloc>>20, len(data))
	}
}

// deflatedTorchZip is torchZip with data.pkl compressed, as torch.save
// does not but an attacker would.
func deflatedTorchZip(t testing.TB, pkl []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, e := range []struct {
		name string
		data []byte
	}{{"archive/data.pkl", pkl}, {"archive/byteorder", []byte("little")}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestHostileHeaders: safetensors headers and ONNX graphs of many tiny entries cost tens of
// times their bytes to decode (a struct, maps and strings each); the readers cap their counts,
// so each of these allocates little and is refused with ErrFormat.
func TestHostileHeaders(t *testing.T) {
	entries := func(n int) []byte {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`"a` + itoa(i) + `":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`)
		}
		return sfRaw(b.String()+"}", "")
	}
	nodes := func(n, inputs int) []byte {
		var graph []byte
		for range n {
			var nd []byte
			nd = protowire.AppendTag(nd, nodeOpType, protowire.BytesType)
			nd = protowire.AppendString(nd, "Relu")
			for range inputs {
				nd = protowire.AppendTag(nd, nodeInput, protowire.BytesType)
				nd = protowire.AppendString(nd, "x")
			}
			graph = protowire.AppendTag(graph, graphNode, protowire.BytesType)
			graph = protowire.AppendBytes(graph, nd)
		}
		m := protowire.AppendTag(nil, 1, protowire.VarintType)
		m = protowire.AppendVarint(m, 7)
		m = protowire.AppendTag(m, modelGraph, protowire.BytesType)
		return protowire.AppendBytes(m, graph)
	}
	for name, data := range map[string][]byte{
		"safetensors 15,000 tensors":      entries(15000),
		"safetensors 8 MB header":         entries(150000),
		"ONNX 1,000,000 nodes":            nodes(1000000, 0),
		"ONNX a node of 1,000,000 inputs": nodes(1, 1000000),
	} {
		t.Run(name, func(t *testing.T) { checkHostile(t, data, 0) })
	}
}
