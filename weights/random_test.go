package weights

import (
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// vgg16Seed0Checksum is Random(0, "").Checksum(), computed once. If it
// changes, the untrained network changed: on this platform (math/rand/v2,
// quantisation or format changed) or only on another one (js/wasm), which
// is what this pin is for.
const vgg16Seed0Checksum = "97c453c2cde33dcc71881716cb1e92770b6e43d3cdacb34c2c386bd4ddade84d"

// random0 builds Random(0, "") once for every test that needs it.
var random0 = sync.OnceValues(func() (*File, error) { return Random(0, "") })

func TestRandomPinned(t *testing.T) {
	f, err := random0()
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Checksum(); got != vgg16Seed0Checksum {
		t.Errorf("Random(0, \"\").Checksum() = %s, want %s", got, vgg16Seed0Checksum)
	}
	if err := f.CheckVGG16(); err != nil {
		t.Error(err)
	}
	if len(f.Layers) != len(VGG16) {
		t.Fatalf("%d layers", len(f.Layers))
	}
	for i, s := range VGG16 {
		l := f.Layers[i]
		if l.Name != s.Name || l.In != s.In || l.Out != s.Out || l.KH != 3 || l.KW != 3 || l.Bits != 8 {
			t.Errorf("layer %d: %s %dx%dx%dx%d bits %d, want %+v", i, l.Name, l.Out, l.In, l.KH, l.KW, l.Bits, s)
		}
	}
	if f.Pre != ImageNet {
		t.Errorf("Pre = %+v", f.Pre)
	}
	if want := "untrained VGG-16 (random features, He-normal, seed 0)"; f.Provenance != want {
		t.Errorf("Provenance = %q, want %q", f.Provenance, want)
	}
}

// TestRandomStatistics checks every layer's kernel is He-normal: mean zero
// and standard deviation sqrt(2/(in·3·3)), within sampling error.
func TestRandomStatistics(t *testing.T) {
	f, err := random0()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range f.Layers {
		var sum, sq float64
		for _, w := range l.Kernel() {
			sum += float64(w)
			sq += float64(w) * float64(w)
		}
		n := float64(l.Size())
		mean := sum / n
		std := math.Sqrt(sq/n - mean*mean)
		want := math.Sqrt(2 / float64(l.In*9))
		if r := std / want; r < 0.96 || r > 1.04 {
			t.Errorf("%s: std %.5f, want %.5f (ratio %.4f)", l.Name, std, want, r)
		}
		if z := math.Abs(mean) / (want / math.Sqrt(n)); z > 4 {
			t.Errorf("%s: mean %.2g is %.1f standard errors from 0", l.Name, mean, z)
		}
		for o, b := range l.Bias {
			if b != 0 {
				t.Fatalf("%s: bias[%d] = %g", l.Name, o, b)
			}
		}
	}
}

func TestRandomDeterministic(t *testing.T) {
	a, err := Random(3, "conv3_1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Random(3, "conv3_1")
	if !reflect.DeepEqual(a, b) {
		t.Error("two calls with the same seed differ")
	}
	if len(a.Layers) != 5 || a.Layers[4].Name != "conv3_1" {
		t.Errorf("upto conv3_1: %d layers", len(a.Layers))
	}
	c, _ := Random(4, "conv1_1")
	if reflect.DeepEqual(a.Layers[0].Q, c.Layers[0].Q) {
		t.Error("seeds 3 and 4 give the same conv1_1")
	}
	// Each layer has its own stream: a prefix is a prefix of the whole.
	all, err := random0()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Random(0, "conv2_1")
	if !reflect.DeepEqual(p.Layers, all.Layers[:3]) {
		t.Error("Random(0, \"conv2_1\") is not a prefix of Random(0, \"\")")
	}
	// "conv5_3" means all thirteen, like "" (checked without building it).
	if specs, err := prefix(VGG16, "conv5_3"); err != nil || len(specs) != len(VGG16) {
		t.Errorf("up to conv5_3: %d layers, %v", len(specs), err)
	}
}

// The random VGG-19 is drawn as the random VGG-16 is: the layers both networks have (up to
// conv3_3) hold the same numbers; it is named as VGG-19 and checks as one.
func TestRandomVGG19(t *testing.T) {
	f, err := RandomVGG19(0, "conv4_1")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Layers) != 9 || f.Layers[7].Name != "conv3_4" || f.Layers[8].In != 256 {
		t.Fatalf("layers %v", layerNames(f))
	}
	g, _ := Random(0, "conv3_3")
	if !reflect.DeepEqual(f.Layers[:7], g.Layers) {
		t.Error("VGG-19's conv1_1 … conv3_3 differ from VGG-16's of the same seed")
	}
	if !strings.Contains(f.Provenance, "VGG-19") || !strings.Contains(f.Provenance, "seed 0") {
		t.Errorf("provenance %q", f.Provenance)
	}
	if err := f.CheckVGG(); err != nil {
		t.Errorf("CheckVGG: %v", err)
	}
	if _, err := RandomVGG19(0, "conv5_5"); err == nil || !strings.Contains(err.Error(), "conv5_4") {
		t.Errorf("conv5_5: %v", err)
	}
}

func layerNames(f *File) []string {
	var names []string
	for _, l := range f.Layers {
		names = append(names, l.Name)
	}
	return names
}

func TestRandomUnknownLayer(t *testing.T) {
	for _, upto := range []string{"conv6_1", "pool1", "CONV1_1"} {
		_, err := Random(0, upto)
		if err == nil || !strings.Contains(err.Error(), upto) || !strings.Contains(err.Error(), "conv5_3") {
			t.Errorf("upto %q: err = %v, want one naming it and the choices", upto, err)
		}
	}
}

func TestRandomLayersNarrow(t *testing.T) {
	f, err := RandomLayers(0, narrow(VGG16, 8))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CheckVGG16(); err != nil {
		t.Error(err)
	}
	if _, err := RandomLayers(0, []LayerSpec{{"a", 0, 1}}); err == nil {
		t.Error("RandomLayers accepted 0 input channels")
	}
}

func BenchmarkRandom(b *testing.B) {
	for b.Loop() {
		if _, err := Random(0, ""); err != nil {
			b.Fatal(err)
		}
	}
}
