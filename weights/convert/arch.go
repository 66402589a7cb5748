package convert

import (
	"fmt"
	"strings"

	"github.com/texsynth/texsynth/weights"
)

// An Architecture is a VGG's convolution layers in network order. Every
// kernel is 3×3, and a 2×2 max pool follows the last conv of each block
// (convB_k when the next layer is conv(B+1)_1), so the names say where the
// pools are.
type Architecture struct {
	Name   string              // "VGG-16", "VGG-19"
	Layers []weights.LayerSpec // conv1_1 …, with the ImageNet widths
}

// VGG19 lists VGG-19's convolution layers: VGG-16 with a fourth conv in
// blocks 3, 4 and 5 (conv3_4, conv4_4, conv5_4), the network of Gatys et
// al.
var VGG19 = []weights.LayerSpec{
	{Name: "conv1_1", In: 3, Out: 64}, {Name: "conv1_2", In: 64, Out: 64},
	{Name: "conv2_1", In: 64, Out: 128}, {Name: "conv2_2", In: 128, Out: 128},
	{Name: "conv3_1", In: 128, Out: 256}, {Name: "conv3_2", In: 256, Out: 256}, {Name: "conv3_3", In: 256, Out: 256}, {Name: "conv3_4", In: 256, Out: 256},
	{Name: "conv4_1", In: 256, Out: 512}, {Name: "conv4_2", In: 512, Out: 512}, {Name: "conv4_3", In: 512, Out: 512}, {Name: "conv4_4", In: 512, Out: 512},
	{Name: "conv5_1", In: 512, Out: 512}, {Name: "conv5_2", In: 512, Out: 512}, {Name: "conv5_3", In: 512, Out: 512}, {Name: "conv5_4", In: 512, Out: 512},
}

// Architectures are the networks a checkpoint may hold: VGG-16 and VGG-19.
var Architectures = []Architecture{
	{Name: "VGG-16", Layers: weights.VGG16},
	{Name: "VGG-19", Layers: VGG19},
}

// IsLayer reports whether name is a conv layer of one of the Architectures
// (what -upto accepts).
func IsLayer(name string) bool {
	for _, a := range Architectures {
		if _, ok := a.index(name); ok {
			return true
		}
	}
	return false
}

// LayerNames lists every name IsLayer accepts, in network order, for
// messages: VGG-19's layers, which include VGG-16's.
func LayerNames() string {
	names := make([]string, len(VGG19))
	for i, l := range VGG19 {
		names[i] = l.Name
	}
	return strings.Join(names, ", ")
}

func (a *Architecture) index(name string) (int, bool) {
	for i, l := range a.Layers {
		if l.Name == name {
			return i, true
		}
	}
	return 0, false
}

func (a *Architecture) last() string { return a.Layers[len(a.Layers)-1].Name }

// archOfCount names the architecture of a checkpoint that holds all of a
// network's convolutions (a state dict, an ONNX graph) by their number.
func archOfCount(n int) (*Architecture, error) {
	for i := range Architectures {
		if len(Architectures[i].Layers) == n {
			return &Architectures[i], nil
		}
	}
	net := ""
	switch n {
	case 8:
		net = " (VGG-11?)"
	case 10:
		net = " (VGG-13?)"
	}
	return nil, fmt.Errorf("%d convolution layers%s; VGG-16 has 13 and VGG-19 has 16", n, net)
}

// check checks that convs are the first layers of a: every kernel 3×3, the
// first taking 3 channels and each later one the previous one's outputs.
// Widths may be anything (the test fixtures are VGG-16 at 1/8 width).
func (a *Architecture) check(convs []Conv) error {
	if len(convs) > len(a.Layers) {
		return fmt.Errorf("%d convolution layers, %s has %d", len(convs), a.Name, len(a.Layers))
	}
	for i, c := range convs {
		name := a.Layers[i].Name
		if c.KH != 3 || c.KW != 3 {
			return fmt.Errorf("%s (%s): kernel %dx%d, %s uses 3x3", name, c.Source, c.KH, c.KW, a.Name)
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

// CheckFile reports whether f's layers are the first layers of a, by name
// and in order, each 3×3 and taking the previous one's outputs (widths may
// differ, as in the test networks).
func (a *Architecture) CheckFile(f *weights.File) error {
	if len(f.Layers) == 0 {
		return fmt.Errorf("no layers")
	}
	convs := make([]Conv, len(f.Layers))
	for i := range f.Layers {
		l := &f.Layers[i]
		if i < len(a.Layers) && l.Name != a.Layers[i].Name {
			return fmt.Errorf("layer %d is %q, %s has %q there", i, l.Name, a.Name, a.Layers[i].Name)
		}
		convs[i] = Conv{Source: l.Name, Out: l.Out, In: l.In, KH: l.KH, KW: l.KW}
	}
	return a.check(convs)
}
