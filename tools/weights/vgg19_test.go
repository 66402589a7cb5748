package main

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights/convert"
)

// realModel is the shared ImageNet VGG-19 in Keras' TF.js layout (its
// README: conv1_1 … conv3_4 present).
const realModel = "../../../shared/weights/vgg19-keras-to-conv3_4/model.json"

func readReal(t *testing.T) *convert.Source {
	t.Helper()
	if _, err := os.Stat(realModel); err != nil {
		t.Skipf("shared weights: %v", err)
	}
	s, err := convert.ReadFile(realModel)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestVGG19Forward checks the converted shared VGG-19 where it matters:
// relu1_1 computed by hand the way Keras does it — RGB in [0,1] to BGR,
// ×255, minus the BGR mean, zero "same" padding, the HWIO kernel read
// straight from the shard — against core/vgg's forward pass on the
// converted file, which applies the file's preprocessing. A file with the
// wrong channel order, scale or mean, or a kernel transposed wrongly, fails.
func TestVGG19Forward(t *testing.T) {
	s := readReal(t)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(realModel), "group1-shard1of1"))
	if err != nil {
		t.Fatal(err)
	}
	const side, out = 16, 64
	if len(raw) != 4*(27*out+out) {
		t.Fatalf("group1-shard1of1: %d bytes", len(raw))
	}
	hwio := func(h, w, i, o int) float64 {
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*(((h*3+w)*3+i)*out+o):])))
	}
	bias := func(o int) float64 {
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*(27*out+o):])))
	}

	img := make([]float32, side*side*3)
	for i := range img {
		img[i] = float32(0.5 + 0.45*math.Sin(float64(i)*0.37+float64(i%3)))
	}
	mean := [3]float64{103.939, 116.779, 123.68} // B, G, R
	// relu1_1 at (y, x), output o; bgr false feeds the channels in RGB
	// order instead (what a file with the wrong order would compute).
	relu := func(y, x, o int, bgr bool) float64 {
		acc := bias(o)
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				yy, xx := y+dy, x+dx
				if yy < 0 || xx < 0 || yy >= side || xx >= side {
					continue // zero padding of the preprocessed input
				}
				for i := range 3 {
					c := 2 - i
					if !bgr {
						c = i
					}
					v := 255*float64(img[(yy*side+xx)*3+c]) - mean[i]
					acc += hwio(dy+1, dx+1, i, o) * v
				}
			}
		}
		return max(acc, 0)
	}

	for _, bits := range []int{32, 8} {
		f, err := s.File(convert.Options{Bits: bits})
		if err != nil {
			t.Fatal(err)
		}
		net, err := vgg.NewFast[float32](f, []string{"conv1_1"}, vgg.PadZero)
		if err != nil {
			t.Fatal(err)
		}
		maps, err := net.Forward(img, side, side)
		if err != nil {
			t.Fatal(err)
		}
		m := maps[0]
		var worst, scale, wrongOrder float64
		for y := range side {
			for x := range side {
				for o := range out {
					want := relu(y, x, o, true)
					got := float64(m.Data[(y*side+x)*out+o])
					worst = max(worst, math.Abs(got-want))
					scale = max(scale, math.Abs(want))
					wrongOrder = max(wrongOrder, math.Abs(relu(y, x, o, false)-want))
				}
			}
		}
		tol := 1e-5 * scale // float32 sums of 27 products
		if bits == 8 {
			tol = 0.01 * scale // int8 kernels: half a step per weight
		}
		t.Logf("%d bits: worst |relu1_1 − by hand| = %.3g of a largest %.3g (the RGB order would be %.3g off)", bits, worst, scale, wrongOrder)
		if worst > tol || scale == 0 {
			t.Errorf("%d bits: relu1_1 differs from the hand computation by %g (largest value %g, tolerance %g)", bits, worst, scale, tol)
		}
		if wrongOrder < 10*tol {
			t.Errorf("the test cannot tell BGR from RGB: %g", wrongOrder)
		}
	}
}

// TestCommittedVGG19 checks that weights/pretrained/vgg19-conv3_4.q8 is byte for byte
// what `make vgg19-weights` writes from the shared shards (the same
// arguments as the Makefile's recipe), and that inspect names it.
func TestCommittedVGG19(t *testing.T) {
	if _, err := os.Stat(realModel); err != nil {
		t.Skipf("shared weights: %v", err)
	}
	const committed = "../../weights/pretrained/vgg19-conv3_4.q8"
	out := filepath.Join(t.TempDir(), "vgg19-conv3_4.q8")
	code, stdout, stderr := runArgs("convert", "-in", realModel, "-out", out, "-upto", "conv3_4")
	if code != 0 || stderr != "" {
		t.Fatalf("convert: exit %d, stderr %q", code, stderr)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatalf("the committed file: %v (make vgg19-weights writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s (%d bytes) differs from what make vgg19-weights writes (%d bytes, %s); run make vgg19-weights", committed, len(got), len(want), strings.TrimSpace(stdout))
	}
	code, stdout, _ = runArgs("inspect", committed)
	for _, s := range []string{"VGG-19, conv1_1 to conv3_4", "bgr, (x*255 - mean) / std, mean [103.939 116.779 123.68], std [1 1 1]", "vgg19-keras-to-conv3_4/model.json"} {
		if code != 0 || !strings.Contains(stdout, s) {
			t.Errorf("inspect: exit %d, output lacks %q:\n%s", code, s, stdout)
		}
	}
}

// TestConvertPartialTFJS converts the shared model without -upto: every
// layer it holds, with a notice naming the first missing shard; -upto past
// it is refused with the same reason.
func TestConvertPartialTFJS(t *testing.T) {
	if _, err := os.Stat(realModel); err != nil {
		t.Skipf("shared weights: %v", err)
	}
	out := filepath.Join(t.TempDir(), "v.q8")
	code, stdout, stderr := runArgs("convert", "-in", realModel, "-out", out, "-bits", "4")
	if code != 0 || !strings.Contains(stdout, "conv3_4") || !strings.Contains(stderr, "notice") ||
		!strings.Contains(stderr, "conv4_1 (block4_conv1/kernel) is in group9-shard1of2, which is missing") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	code, _, stderr = runArgs("convert", "-in", realModel, "-out", out, "-upto", "conv4_1")
	if code != exitUsage || !strings.Contains(stderr, "group9-shard1of2, which is missing") {
		t.Errorf("-upto conv4_1: exit %d, %s", code, stderr)
	}
}
