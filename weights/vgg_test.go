package weights

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckVGG16(t *testing.T) {
	if err := small(t).CheckVGG16(); err != nil {
		t.Fatalf("a narrow VGG-16 prefix: %v", err)
	}
	for name, c := range map[string]struct {
		spoil func(f *File)
		want  string
	}{
		"no layers":    {func(f *File) { f.Layers = nil }, "no layers"},
		"wrong name":   {func(f *File) { f.Layers[1].Name = "conv1_3" }, `layer 1 is "conv1_3", VGG-16 has "conv1_2"`},
		"not a prefix": {func(f *File) { f.Layers = f.Layers[1:] }, `"conv1_1"`},
		"swapped":      {func(f *File) { f.Layers[1], f.Layers[2] = f.Layers[2], f.Layers[1] }, `"conv1_2"`},
		"kernel 1x1":   {func(f *File) { f.Layers[2].KH, f.Layers[2].KW = 1, 1 }, `"conv2_1": kernel 1x1`},
		"kernel 3x5":   {func(f *File) { f.Layers[0].KW = 5 }, "3x3"},
		"grey input":   {func(f *File) { f.Layers[0].In = 1 }, `"conv1_1": 1 input channels, want 3`},
		"broken chain": {func(f *File) { f.Layers[2].In++ }, `"conv2_1": 9 input channels, want 8 (conv1_2's output channels)`},
		"out changed":  {func(f *File) { f.Layers[1].Out = 7 }, `"conv2_1": 8 input channels, want 7`},
		"too many": {func(f *File) {
			for len(f.Layers) <= len(VGG16) {
				f.Layers = append(f.Layers, f.Layers[0])
			}
		}, "14 layers"},
	} {
		f := small(t)
		c.spoil(f)
		err := f.CheckVGG16()
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want ErrFormat mentioning %s", name, err, c.want)
		}
	}
}

// Layout reads the network from the layer names: conv3_4 (or conv4_4, conv5_4) means VGG-19;
// a file that stops before conv3_4 is a prefix of both and is VGG-16. CheckVGG checks against
// the layout found, CheckVGG16 against VGG-16 only.
func TestLayout(t *testing.T) {
	for _, tc := range []struct {
		specs []LayerSpec
		want  string
	}{
		{VGG16[:2], "VGG-16"}, {VGG16[:7], "VGG-16"}, {VGG16, "VGG-16"},
		{VGG19[:7], "VGG-16"}, {VGG19[:8], "VGG-19"}, {VGG19, "VGG-19"},
	} {
		f, err := RandomLayers(0, narrow(tc.specs, 4))
		if err != nil {
			t.Fatal(err)
		}
		if got := layoutName(f.Layout()); got != tc.want {
			t.Errorf("%d layers to %s: %s, want %s", len(tc.specs), tc.specs[len(tc.specs)-1].Name, got, tc.want)
		}
		if err := f.CheckVGG(); err != nil {
			t.Errorf("%d layers to %s: CheckVGG: %v", len(tc.specs), tc.specs[len(tc.specs)-1].Name, err)
		}
		if err := f.CheckVGG16(); (err == nil) != (tc.want == "VGG-16") {
			t.Errorf("%d layers to %s: CheckVGG16: %v", len(tc.specs), tc.specs[len(tc.specs)-1].Name, err)
		}
	}
	f, _ := RandomLayers(0, narrow(VGG19[:9], 4))
	f.Layers[8].Name = "conv4_4" // conv3_4 then conv4_4: VGG-19's names, out of order
	if err := f.CheckVGG(); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), `layer 8 is "conv4_4", VGG-19 has "conv4_1" there`) {
		t.Errorf("out of order: %v", err)
	}
}
