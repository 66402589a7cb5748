// Package convert reads the published VGG-16 and VGG-19 checkpoints —
// PyTorch torch.save files (torchvision vgg16, vgg16_bn, vgg19, vgg19_bn),
// safetensors (timm vgg16.tv_in1k), ONNX (model zoo vgg16-7, vgg16-bn-7)
// and TensorFlow.js layers models (Keras VGG16/VGG19: model.json and its
// weight shards) — and turns their convolution layers into a weights.File.
//
// It is a separate package so that the weights package, which the page
// builds for js/wasm, carries none of this: the page only decodes .q8 files.
// The readers are written for hostile input: every length and offset is
// checked against the bytes that are there before it is used, nothing is
// allocated from a length field, and no pickle code is run (the pickle
// reader knows only the opcodes and classes of a state dict).
package convert

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/texsynth/texsynth/internal/userfile"
	"github.com/texsynth/texsynth/weights"
)

// A Conv is one convolution read from a checkpoint, float32, OIHW.
type Conv struct {
	Source          string // its name in the checkpoint, e.g. "features.0" or an ONNX initializer
	Out, In, KH, KW int
	Kernel, Bias    []float32
	FoldedBN        bool // a batch norm that followed it has been folded into Kernel and Bias
}

// A Source is what a checkpoint holds that a conversion needs.
type Source struct {
	Format string        // "PyTorch", "safetensors", "ONNX" or "TF.js"
	Arch   *Architecture // VGG-16 or VGG-19
	Convs  []Conv        // in network order; the classifier is not read
	Pre    weights.Preprocess
	SHA256 string // of the checkpoint's bytes (TF.js: model.json, then the shards read)

	// Missing is set when the checkpoint lists more layers than it holds (a
	// TF.js model whose later shards are absent): Convs stop before the first
	// incomplete layer, and Missing says which one and which file it needs.
	Missing string
	Listed  int // layers the checkpoint lists: len(Convs), or more when Missing
}

// Preprocessing the checkpoint may declare (see Declared).
var (
	// Caffe is the preprocessing of Caffe's VGG-16: BGR, pixels in
	// [0, 255], the ImageNet mean subtracted, no division.
	Caffe = weights.Preprocess{Order: "bgr", Scale: 255, Mean: [3]float32{103.939, 116.779, 123.68}, Std: [3]float32{1, 1, 1}}
)

// Format names the checkpoint layout of data from its first bytes, or "".
func Format(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")),
		isPickle(data):
		return "PyTorch"
	case len(data) >= 9 && data[8] == '{' && data[4] == 0 && data[5] == 0 && data[6] == 0 && data[7] == 0:
		return "safetensors"
	case bytes.HasPrefix(data, []byte("\x89TQ8")):
		return "q8"
	case bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{")):
		return "TF.js" // a model.json; nothing else this reads is JSON
	case len(data) > 0 && data[0] == 0x08: // ModelProto field 1 (ir_version), a varint
		return "ONNX"
	}
	return ""
}

// MaxFileSize is the largest checkpoint ReadFile reads: torchvision's
// vgg16 is 528 MB (504 MiB), a float64 VGG-16 with its classifier 1.1 GB.
const MaxFileSize = 2 << 30

// ReadFile reads the checkpoint at path: only a regular file of at most
// MaxFileSize bytes, read whole; a TF.js model.json is read with the shards
// beside it. Errors name the file and wrap weights.ErrFormat when the
// content is at fault, fs.ErrInvalid when the file is refused.
func ReadFile(path string) (*Source, error) {
	data, err := userfile.Read(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	return ReadData(path, data)
}

// ReadData reads the checkpoint whose bytes, read from path, are data: a
// TF.js model.json reads its shards from path's directory.
func ReadData(path string, data []byte) (*Source, error) {
	var s *Source
	var err error
	if Format(data) == "TF.js" {
		s, err = ReadTFJS(os.DirFS(filepath.Dir(path)), filepath.Base(path))
	} else {
		s, err = Read(data)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Read reads a checkpoint in any of the single-file layouts (PyTorch,
// safetensors, ONNX), told apart by their first bytes. Errors wrap
// weights.ErrFormat.
func Read(data []byte) (*Source, error) {
	var (
		sd    *stateDict
		convs []Conv
		err   error
	)
	s := &Source{Format: Format(data)}
	switch s.Format {
	case "PyTorch":
		if sd, err = readPyTorch(data); err == nil {
			convs, err = convsOfStateDict(sd)
		}
	case "safetensors":
		if sd, err = readSafetensors(data); err == nil {
			convs, err = convsOfStateDict(sd)
		}
	case "ONNX":
		var nodes []onnxNode
		if sd, nodes, err = readONNX(data); err == nil {
			convs, err = convsOfONNX(sd, nodes)
		}
	case "q8":
		return nil, bad("already a .q8 weight file; use it directly, or weights inspect it")
	case "TF.js":
		return nil, bad("a TF.js model.json: its weights are in the shard files beside it, so it is read by its path (ReadFile, ReadTFJS)")
	default:
		if len(data) == 0 {
			return nil, bad("empty file")
		}
		return nil, bad("not a checkpoint this converter reads: want a PyTorch .pth (torch.save), .safetensors or .onnx file")
	}
	if err != nil {
		return nil, bad("%s: %v", s.Format, err)
	}
	if s.Arch, err = archOfCount(len(convs)); err != nil {
		return nil, bad("%s: %v", s.Format, err)
	}
	if err := s.setConvs(convs); err != nil {
		return nil, err
	}
	s.Listed = len(convs)
	if s.Pre, err = declared(sd.meta, weights.ImageNet); err != nil {
		return nil, bad("%s: %v", s.Format, err)
	}
	sum := sha256.Sum256(data)
	s.SHA256 = hex.EncodeToString(sum[:])
	return s, nil
}

// setConvs checks convs against s.Arch (chain, 3×3, finite numbers) and
// keeps them.
func (s *Source) setConvs(convs []Conv) error {
	if err := s.Arch.check(convs); err != nil {
		return bad("%s: %v", s.Format, err)
	}
	for i, c := range convs {
		if err := finiteConv(s.Arch.Layers[i].Name, c); err != nil {
			return bad("%s: %v", s.Format, err)
		}
	}
	s.Convs = convs
	return nil
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{weights.ErrFormat}, args...)...)
}

// declared returns the preprocessing a checkpoint's metadata declares
// (safetensors __metadata__, ONNX metadata_props or TF.js
// userDefinedMetadata, key "preprocess": "caffe", or
// "imagenet"/"torchvision"/"timm"), def when it declares none: ImageNet's
// for torchvision, timm and the ONNX model zoo, Caffe's for Keras.
func declared(meta map[string]string, def weights.Preprocess) (weights.Preprocess, error) {
	switch v := strings.ToLower(meta["preprocess"]); v {
	case "":
		return def, nil
	case "imagenet", "torchvision", "timm":
		return weights.ImageNet, nil
	case "caffe":
		return Caffe, nil
	default:
		return weights.Preprocess{}, fmt.Errorf("metadata preprocess %q, want \"imagenet\" or \"caffe\"", v)
	}
}

func finiteConv(name string, c Conv) error {
	for j, xs := range [][]float32{c.Kernel, c.Bias} {
		for i, x := range xs {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("%s (%s): %s %d is %v", name, c.Source, []string{"weight", "bias"}[j], i, x)
			}
		}
	}
	return nil
}

// Options choose what a conversion keeps.
type Options struct {
	Upto string // last layer kept, e.g. "conv4_3"; "" keeps every layer the source holds
	Bits int    // 8 (default when 0), 4, or 32 (float32, unquantised)
	Name string // the checkpoint's name for the provenance, e.g. "vgg16-397923af.pth"
}

// File quantises the source's layers conv1_1 … Upto into a weights.File
// with names conv1_1 … and the source's preprocessing. Its provenance names
// the checkpoint, its format, its SHA-256, the bits and any folded batch
// norm.
func (s *Source) File(o Options) (*weights.File, error) {
	bits := o.Bits
	if bits == 0 {
		bits = 8
	}
	if bits != 8 && bits != 4 && bits != 32 {
		return nil, fmt.Errorf("convert: %d bits; want 8, 4 or 32", bits)
	}
	a := s.Arch
	n := len(s.Convs)
	if o.Upto != "" {
		i, ok := a.index(o.Upto)
		switch {
		case !ok:
			return nil, fmt.Errorf("convert: -upto %q is not a %s layer; want one of conv1_1 … %s", o.Upto, a.Name, a.last())
		case i >= len(s.Convs) && s.Missing != "":
			return nil, fmt.Errorf("convert: -upto %s: %s", o.Upto, s.Missing)
		case i >= len(s.Convs):
			return nil, fmt.Errorf("convert: -upto %s: the checkpoint holds only conv1_1 … %s", o.Upto, a.Layers[len(s.Convs)-1].Name)
		}
		n = i + 1
	}
	if n == 0 {
		return nil, fmt.Errorf("convert: no layers")
	}
	if err := a.check(s.Convs[:n]); err != nil {
		return nil, fmt.Errorf("convert: %v", err)
	}
	f := &weights.File{Pre: s.Pre, Layers: make([]weights.Layer, n)}
	folded := false
	for i, c := range s.Convs[:n] {
		l, err := weights.QuantizeBits(a.Layers[i].Name, c.Kernel, c.Bias, bits, c.Out, c.In, c.KH, c.KW)
		if err != nil {
			return nil, err
		}
		f.Layers[i] = l
		folded = folded || c.FoldedBN
	}
	name := o.Name
	if name == "" {
		name = "a checkpoint"
	}
	kind := "int8"
	switch bits {
	case 4:
		kind = "int4"
	case 32:
		kind = "float32"
	}
	bn := ""
	if folded {
		bn = ", batch norm folded"
	}
	format := s.Format
	if format == "TF.js" {
		format = "TF.js layers model"
	}
	f.Provenance = fmt.Sprintf("%s from %s (%s, sha256 %s%s), %s to %s, %s",
		a.Name, name, format, s.SHA256, bn, f.Layers[0].Name, f.Layers[n-1].Name, kind)
	return f, nil
}

// Notice is what a conversion with these options should tell the user
// about the source, or "": that a partial TF.js model was converted only up
// to its last complete layer.
func (s *Source) Notice(o Options) string {
	if s.Missing == "" || o.Upto != "" {
		return ""
	}
	return fmt.Sprintf("the model lists %d layers (%s) and holds %d: converted conv1_1 … %s; %s",
		s.Listed, s.Arch.Name, len(s.Convs), s.Arch.Layers[len(s.Convs)-1].Name, s.Missing)
}

// Convert reads the checkpoint at path and returns its layers as a File.
// (ReadFile, then Source.File and Source.Notice, does the same and tells
// what a partial model lacked.)
func Convert(path string, o Options) (*weights.File, error) {
	s, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = SourceName(path)
	}
	return s.File(o)
}

// SourceName is how a provenance names the checkpoint at path: its file
// name, and for a TF.js model.json its directory too, since every such
// model is called model.json.
func SourceName(path string) string {
	base := filepath.Base(path)
	if strings.EqualFold(filepath.Ext(base), ".json") {
		if abs, err := filepath.Abs(path); err == nil {
			return filepath.Base(filepath.Dir(abs)) + "/" + base
		}
	}
	return base
}
