// Package convert reads the published VGG-16 checkpoints — PyTorch
// torch.save files (torchvision vgg16, vgg16_bn), safetensors (timm
// vgg16.tv_in1k) and ONNX (model zoo vgg16-7, vgg16-bn-7) — and turns their
// convolution layers into a weights.File.
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
	Format string // "PyTorch", "safetensors" or "ONNX"
	Convs  []Conv // in network order; the classifier is not read
	Pre    weights.Preprocess
	SHA256 string // of the checkpoint's bytes
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
	case len(data) > 0 && data[0] == 0x08: // ModelProto field 1 (ir_version), a varint
		return "ONNX"
	}
	return ""
}

// MaxFileSize is the largest checkpoint ReadFile reads: torchvision's
// vgg16 is 528 MB (504 MiB), a float64 VGG-16 with its classifier 1.1 GB.
const MaxFileSize = 2 << 30

// ReadFile reads the checkpoint at path: only a regular file of at most
// MaxFileSize bytes, read whole. Errors name the file and wrap
// weights.ErrFormat when the content is at fault, fs.ErrInvalid when the
// file is refused.
func ReadFile(path string) (*Source, error) {
	data, err := userfile.Read(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	s, err := Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Read reads a checkpoint in any of the three layouts, told apart by their
// first bytes. Errors wrap weights.ErrFormat.
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
	default:
		if len(data) == 0 {
			return nil, bad("empty file")
		}
		return nil, bad("not a checkpoint this converter reads: want a PyTorch .pth (torch.save), .safetensors or .onnx file")
	}
	if err != nil {
		return nil, bad("%s: %v", s.Format, err)
	}
	if err := checkVGG16(convs); err != nil {
		return nil, bad("%s: %v", s.Format, err)
	}
	for i, c := range convs {
		if err := finiteConv(weights.VGG16[i].Name, c); err != nil {
			return nil, bad("%s: %v", s.Format, err)
		}
	}
	s.Convs = convs
	if s.Pre, err = declared(sd.meta); err != nil {
		return nil, bad("%s: %v", s.Format, err)
	}
	sum := sha256.Sum256(data)
	s.SHA256 = hex.EncodeToString(sum[:])
	return s, nil
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{weights.ErrFormat}, args...)...)
}

// declared returns the preprocessing a checkpoint's metadata declares
// (safetensors __metadata__ or ONNX metadata_props, key "preprocess":
// "caffe", or "imagenet"/"torchvision"/"timm"), ImageNet's when it declares
// none: torchvision, timm and the ONNX model zoo all use it.
func declared(meta map[string]string) (weights.Preprocess, error) {
	switch v := strings.ToLower(meta["preprocess"]); v {
	case "", "imagenet", "torchvision", "timm":
		return weights.ImageNet, nil
	case "caffe":
		return Caffe, nil
	default:
		return weights.Preprocess{}, fmt.Errorf("metadata preprocess %q, want \"imagenet\" or \"caffe\"", v)
	}
}

// checkVGG16 checks the architecture: 13 convolutions, 3×3, 3 input
// channels, each taking the previous one's outputs. Widths may be anything
// (the test fixtures are VGG-16 at 1/8 width).
func checkVGG16(convs []Conv) error {
	if len(convs) != len(weights.VGG16) {
		net := ""
		switch len(convs) {
		case 8:
			net = " (VGG-11?)"
		case 10:
			net = " (VGG-13?)"
		case 16:
			net = " (VGG-19?)"
		}
		return fmt.Errorf("%d convolution layers%s, VGG-16 has %d", len(convs), net, len(weights.VGG16))
	}
	for i, c := range convs {
		name := weights.VGG16[i].Name
		if c.KH != 3 || c.KW != 3 {
			return fmt.Errorf("%s (%s): kernel %dx%d, VGG-16 uses 3x3", name, c.Source, c.KH, c.KW)
		}
		want := 3
		if i > 0 {
			want = convs[i-1].Out
		}
		if c.In != want {
			return fmt.Errorf("%s (%s): %d input channels, want %d", name, c.Source, c.In, want)
		}
		if c.Out < 1 {
			return fmt.Errorf("%s (%s): no output channels", name, c.Source)
		}
	}
	return nil
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
	Upto string // last layer kept, e.g. "conv4_3"; "" keeps all thirteen
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
	n := len(s.Convs)
	if o.Upto != "" {
		n = -1
		for i, spec := range weights.VGG16 {
			if spec.Name == o.Upto {
				n = i + 1
			}
		}
		if n < 0 || n > len(s.Convs) {
			return nil, fmt.Errorf("convert: -upto %q is not a VGG-16 layer; want one of conv1_1 … conv5_3", o.Upto)
		}
	}
	f := &weights.File{Pre: s.Pre, Layers: make([]weights.Layer, n)}
	folded := false
	for i, c := range s.Convs[:n] {
		l, err := weights.QuantizeBits(weights.VGG16[i].Name, c.Kernel, c.Bias, bits, c.Out, c.In, c.KH, c.KW)
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
	f.Provenance = fmt.Sprintf("VGG-16 from %s (%s, sha256 %s%s), %s to %s, %s",
		name, s.Format, s.SHA256, bn, f.Layers[0].Name, f.Layers[n-1].Name, kind)
	return f, f.CheckVGG16()
}

// Convert reads the checkpoint at path and returns its layers as a File.
func Convert(path string, o Options) (*weights.File, error) {
	s, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = filepath.Base(path)
	}
	return s.File(o)
}
