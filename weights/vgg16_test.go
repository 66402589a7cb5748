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
