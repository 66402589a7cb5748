package pretrained

import (
	"strings"
	"testing"

	"github.com/texsynth/texsynth/weights"
)

// TestVGG19 decodes the embedded file: the eight pretrained layers of VGG-19 with Keras'
// preprocessing, named by their provenance.
func TestVGG19(t *testing.T) {
	w, err := VGG19()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.CheckVGG(); err != nil {
		t.Fatal(err)
	}
	if n, last := len(w.Layers), w.Layers[len(w.Layers)-1].Name; n != 8 || last != "conv3_4" || len(w.Layout()) != len(weights.VGG19) {
		t.Errorf("%d layers to %s, layout of %d convs; want VGG-19 conv1_1 … conv3_4", n, last, len(w.Layout()))
	}
	if p := w.Pre; p.Order != "bgr" || p.Scale != 255 || p.Mean[0] != 103.939 {
		t.Errorf("preprocessing %+v, want Keras' caffe mode", p)
	}
	if !strings.Contains(w.Provenance, "VGG-19 from vgg19-keras-to-conv3_4/model.json") {
		t.Errorf("provenance %q", w.Provenance)
	}
	// block1_conv1's first bias (../shared/weights/vgg19-keras-to-conv3_4/README.md).
	if b := w.Layers[0].Bias[0]; b != 0.7301776 {
		t.Errorf("conv1_1 bias[0] = %v, want 0.7301776", b)
	}
}

// TestVGG19Damaged: bytes that are not the committed file are refused before they are decoded.
func TestVGG19Damaged(t *testing.T) {
	saved := vgg19
	defer func() { vgg19 = saved }()
	vgg19 = append([]byte(nil), saved...)
	vgg19[len(vgg19)/2] ^= 1
	if _, err := VGG19(); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("a flipped bit: %v", err)
	}
}

func TestLicences(t *testing.T) {
	l := Licences()
	for _, s := range []string{"Simonyan", "Zisserman", "CC BY 4.0", "MIT License", "Copyright (c) 2018 David Cai", "Permission is hereby granted"} {
		if !strings.Contains(l, s) {
			t.Errorf("Licences() lacks %q", s)
		}
	}
}
