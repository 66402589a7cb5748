package weights

import "strings"

// A LayerSpec names a 3×3 convolution and its channel counts.
type LayerSpec struct {
	Name    string
	In, Out int
}

// VGG16 lists VGG-16's convolution layers in order, with their names and
// channel counts. Every kernel is 3×3; a 2×2 max-pool follows conv1_2,
// conv2_2, conv3_3, conv4_3 and conv5_3.
var VGG16 = []LayerSpec{
	{"conv1_1", 3, 64}, {"conv1_2", 64, 64},
	{"conv2_1", 64, 128}, {"conv2_2", 128, 128},
	{"conv3_1", 128, 256}, {"conv3_2", 256, 256}, {"conv3_3", 256, 256},
	{"conv4_1", 256, 512}, {"conv4_2", 512, 512}, {"conv4_3", 512, 512},
	{"conv5_1", 512, 512}, {"conv5_2", 512, 512}, {"conv5_3", 512, 512},
}

// CheckVGG16 reports whether f's layers are VGG-16's first layers: named
// conv1_1, conv1_2, … in order, every kernel 3×3, the first taking 3
// channels and each later one taking the previous one's output channels.
// Channel widths may differ from VGG16's (narrow test networks), so the
// chain is checked, not the numbers. Errors wrap ErrFormat and say which
// layer and what was expected.
func (f *File) CheckVGG16() error {
	if len(f.Layers) == 0 {
		return bad("no layers; VGG-16 starts with conv1_1")
	}
	if len(f.Layers) > len(VGG16) {
		return bad("%d layers; VGG-16 has %d", len(f.Layers), len(VGG16))
	}
	for i := range f.Layers {
		l := &f.Layers[i]
		if want := VGG16[i].Name; l.Name != want {
			return bad("layer %d is %q, VGG-16 has %q there", i, l.Name, want)
		}
		if l.KH != 3 || l.KW != 3 {
			return bad("layer %q: kernel %dx%d, VGG-16 uses 3x3", l.Name, l.KH, l.KW)
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

// vgg16Index returns the position of the layer called name in VGG16.
func vgg16Index(name string) (int, bool) {
	for i, s := range VGG16 {
		if s.Name == name {
			return i, true
		}
	}
	return 0, false
}

// vgg16Names lists VGG16's names for error messages.
func vgg16Names() string {
	names := make([]string, len(VGG16))
	for i, s := range VGG16 {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}
