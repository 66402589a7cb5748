package weights

import (
	"fmt"
	"slices"
	"strings"
)

// A LayerSpec names a 3×3 convolution and its channel counts.
type LayerSpec struct {
	Name    string
	In, Out int
}

// VGG16 lists VGG-16's convolution layers in order, with their names and
// channel counts: blocks of 2, 2, 3, 3 and 3. Every kernel is 3×3; a 2×2
// max-pool follows each block.
var VGG16 = []LayerSpec{
	{"conv1_1", 3, 64}, {"conv1_2", 64, 64},
	{"conv2_1", 64, 128}, {"conv2_2", 128, 128},
	{"conv3_1", 128, 256}, {"conv3_2", 256, 256}, {"conv3_3", 256, 256},
	{"conv4_1", 256, 512}, {"conv4_2", 512, 512}, {"conv4_3", 512, 512},
	{"conv5_1", 512, 512}, {"conv5_2", 512, 512}, {"conv5_3", 512, 512},
}

// VGG19 lists VGG-19's convolution layers (the network of Gatys et al.):
// blocks of 2, 2, 4, 4 and 4, the same widths as VGG-16.
var VGG19 = []LayerSpec{
	{"conv1_1", 3, 64}, {"conv1_2", 64, 64},
	{"conv2_1", 64, 128}, {"conv2_2", 128, 128},
	{"conv3_1", 128, 256}, {"conv3_2", 256, 256}, {"conv3_3", 256, 256}, {"conv3_4", 256, 256},
	{"conv4_1", 256, 512}, {"conv4_2", 512, 512}, {"conv4_3", 512, 512}, {"conv4_4", 512, 512},
	{"conv5_1", 512, 512}, {"conv5_2", 512, 512}, {"conv5_3", 512, 512}, {"conv5_4", 512, 512},
}

// Layout returns the layer list f holds the first layers of, read from its
// layer names (the format has no field for it): VGG19 if f has a layer only
// VGG-19 has (conv3_4, conv4_4 or conv5_4), VGG16 otherwise. The two
// networks agree up to conv3_3, so a file that stops before conv3_4 is a
// prefix of both and is run as VGG-16.
func (f *File) Layout() []LayerSpec {
	for _, l := range f.Layers {
		if !slices.ContainsFunc(VGG16, func(s LayerSpec) bool { return s.Name == l.Name }) &&
			slices.ContainsFunc(VGG19, func(s LayerSpec) bool { return s.Name == l.Name }) {
			return VGG19
		}
	}
	return VGG16
}

// layoutName is "VGG-19" for VGG19 and "VGG-16" for VGG16.
func layoutName(specs []LayerSpec) string {
	if len(specs) > 7 && specs[7].Name == "conv3_4" {
		return "VGG-19"
	}
	return "VGG-16"
}

// CheckVGG reports whether f's layers are the first layers of VGG-16 or
// VGG-19 (the one Layout names), as CheckVGG16 does for VGG-16.
func (f *File) CheckVGG() error { return f.checkPrefix(f.Layout()) }

// CheckVGG16 reports whether f's layers are VGG-16's first layers: named
// conv1_1, conv1_2, … in order, every kernel 3×3, the first taking 3
// channels and each later one taking the previous one's output channels.
// Channel widths may differ from VGG16's (narrow test networks), so the
// chain is checked, not the numbers. Errors wrap ErrFormat and say which
// layer and what was expected.
func (f *File) CheckVGG16() error { return f.checkPrefix(VGG16) }

func (f *File) checkPrefix(specs []LayerSpec) error {
	net := layoutName(specs)
	if len(f.Layers) == 0 {
		return bad("no layers; %s starts with conv1_1", net)
	}
	if len(f.Layers) > len(specs) {
		return bad("%d layers; %s has %d", len(f.Layers), net, len(specs))
	}
	for i := range f.Layers {
		l := &f.Layers[i]
		if want := specs[i].Name; l.Name != want {
			return bad("layer %d is %q, %s has %q there", i, l.Name, net, want)
		}
		if l.KH != 3 || l.KW != 3 {
			return bad("layer %q: kernel %dx%d, %s uses 3x3", l.Name, l.KH, l.KW, net)
		}
		if i == 0 {
			if l.In != 3 {
				return bad("layer %q: %d input channels, want 3 (RGB)", l.Name, l.In)
			}
		} else if prev := &f.Layers[i-1]; l.In != prev.Out {
			return bad("layer %q: %d input channels, want %d (%s's output channels)", l.Name, l.In, prev.Out, prev.Name)
		}
	}
	return nil
}

// prefix returns specs up to and including the layer upto ("" for all).
func prefix(specs []LayerSpec, upto string) ([]LayerSpec, error) {
	if upto == "" {
		return specs, nil
	}
	for i, s := range specs {
		if s.Name == upto {
			return specs[:i+1], nil
		}
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	return nil, fmt.Errorf("weights: no %s layer %q; want one of %s", layoutName(specs), upto, strings.Join(names, ", "))
}
