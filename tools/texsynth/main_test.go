package main

import (
	"bytes"
	"image"
	"image/color"
	"image/color/palette"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/weights"
)

// stripes is a small colourful texture: diagonal stripes with noise.
func stripes(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range size {
		for x := range size {
			t := 0.5 + 0.5*math.Sin(float64(x+y)*0.8)
			n := rng.Float64() * 0.2
			img.Set(x, y, color.NRGBA{uint8(255 * (0.8*t + n)), uint8(255 * (0.3 + 0.4*(1-t))), uint8(255 * n * 3), 255})
		}
	}
	return img
}

func writePNG(t *testing.T, path string, img image.Image) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// texsynth runs the command and returns its exit code, stdout and stderr.
func texsynth(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

var lossLine = regexp.MustCompile(`iteration (\d+)/\d+  loss (\S+)`)

// losses reads the per-iteration losses from the plain progress lines.
func losses(t *testing.T, stderr string) []float64 {
	t.Helper()
	var out []float64
	for _, m := range lossLine.FindAllStringSubmatch(stderr, -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestEndToEndLossFalls(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(32))
	out := filepath.Join(dir, "out.png")
	// The texture loss alone: with the half-scale term the loss includes the 16 px copy, where
	// the stripes' pixel noise averages out, and falls by less in 40 iterations.
	code, _, stderr := texsynth("-in", in, "-out", out, "-size", "32", "-iters", "40", "-progress", "lines",
		"-frames", filepath.Join(dir, "frames"), "-every", "10", "-half-scale-weight", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ls := losses(t, stderr)
	if len(ls) != 40 {
		t.Fatalf("%d progress lines, want 40:\n%s", len(ls), stderr)
	}
	// The first iteration's loss is measured after one step; compare with the start through the
	// second line's order of magnitude. 40 iterations, not 30: at 30 the fall sits at the edge
	// of 10× (10.2× or 9.9× for kernels whose sums differ in the last bits); at 40 it is 14×.
	if ls[len(ls)-1] > ls[0]/10 {
		t.Errorf("loss fell from %g to %g: less than an order of magnitude", ls[0], ls[len(ls)-1])
	}
	img := decode(t, out)
	if img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 {
		t.Errorf("output is %v, want 32×32", img.Bounds())
	}
	frames, _ := filepath.Glob(filepath.Join(dir, "frames", "*.png"))
	if len(frames) != 4 {
		t.Errorf("%d frames written, want 4 (every 10 of 40)", len(frames))
	}
}

func TestSameSeedSamePNG(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(24))
	var outs [][]byte
	for i := range 2 {
		out := filepath.Join(dir, strconv.Itoa(i)+".png")
		if code, _, stderr := texsynth("-in", in, "-out", out, "-size", "24", "-iters", "4", "-progress", "lines"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		b, _ := os.ReadFile(out)
		outs = append(outs, b)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("two runs with the same seed wrote different PNGs")
	}
	other := filepath.Join(dir, "other.png")
	texsynth("-in", in, "-out", other, "-size", "24", "-iters", "4", "-seed", "2", "-progress", "lines")
	b, _ := os.ReadFile(other)
	if bytes.Equal(b, outs[0]) {
		t.Error("a different seed wrote the same PNG")
	}
}

// TestOutputLargerThanExemplar: a 48 px texture from a 24 px exemplar.
func TestOutputLargerThanExemplar(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(24))
	out := filepath.Join(dir, "out.png")
	code, _, stderr := texsynth("-in", in, "-out", out, "-size", "48", "-exemplar-size", "-1", "-iters", "2", "-progress", "lines")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b := decode(t, out).Bounds(); b.Dx() != 48 {
		t.Errorf("output %v, want 48 px", b)
	}
}

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// quick are flags that make a run take milliseconds: for input-handling tests.
var quick = []string{"-size", "16", "-iters", "1", "-layers", "conv1_1", "-progress", "lines"}

func TestAcceptedImageKinds(t *testing.T) {
	dir := t.TempDir()
	src := stripes(20)
	gray := image.NewGray(src.Bounds())
	gray16 := image.NewGray16(src.Bounds())
	pal := image.NewPaletted(src.Bounds(), palette.Plan9)
	rgba := image.NewNRGBA(src.Bounds())
	for y := range 20 {
		for x := range 20 {
			c := src.NRGBAAt(x, y)
			gray.Set(x, y, c)
			gray16.Set(x, y, c)
			pal.Set(x, y, c)
			c.A = uint8(128 + x)
			rgba.SetNRGBA(x, y, c)
		}
	}
	cases := []struct {
		name string
		img  image.Image
		note string
	}{
		{"gray", gray, ""}, {"gray16", gray16, ""}, {"paletted", pal, ""}, {"rgba", rgba, "alpha"},
		{"huge", image.NewNRGBA(image.Rect(0, 0, 700, 600)), "scaled down"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := writePNG(t, filepath.Join(dir, c.name+".png"), c.img)
			out := filepath.Join(dir, c.name+"-out.png")
			code, _, stderr := texsynth(append([]string{"-in", in, "-out", out}, quick...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if c.note != "" && !strings.Contains(stderr, c.note) {
				t.Errorf("no notice containing %q:\n%s", c.note, stderr)
			}
		})
	}
	// A CMYK JPEG (from the picture package's test data).
	cmyk, _ := filepath.Glob("../../core/picture/testdata/*cmyk*.jpg")
	if len(cmyk) == 0 {
		t.Fatal("no CMYK JPEG in core/picture/testdata")
	}
	if code, _, stderr := texsynth(append([]string{"-in", cmyk[0], "-out", filepath.Join(dir, "cmyk.png")}, quick...)...); code != 0 {
		t.Errorf("CMYK JPEG: exit %d: %s", code, stderr)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writePNG(t, filepath.Join(dir, "good.png"), stripes(20))
	var buf bytes.Buffer
	png.Encode(&buf, stripes(20))
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tiny := writePNG(t, filepath.Join(dir, "tiny.png"), stripes(12))
	empty := write("empty.png", nil)
	truncated := write("truncated.png", buf.Bytes()[:buf.Len()/2])
	text := write("notes.png", []byte("this is not a picture\n"))
	svg := write("vector.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"/>`))

	w, err := weights.Random(0, "conv1_2")
	if err != nil {
		t.Fatal(err)
	}
	var wb bytes.Buffer
	if err := weights.Encode(&wb, w); err != nil {
		t.Fatal(err)
	}
	wTrunc := write("trunc.q8", wb.Bytes()[:wb.Len()-100])
	flipped := bytes.Clone(wb.Bytes())
	flipped[len(flipped)-5] ^= 0xff
	wFlip := write("flip.q8", flipped)
	wrong := &weights.File{Pre: weights.ImageNet, Provenance: "wrong"}
	l, _ := weights.Quantize("conv1_1", make([]float32, 4*5*9), make([]float32, 4), 4, 5, 3, 3) // 5 input channels
	wrong.Layers = append(wrong.Layers, l)
	var wwb bytes.Buffer
	weights.Encode(&wwb, wrong)
	wShape := write("shape.q8", wwb.Bytes())

	out := filepath.Join(dir, "out.png")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing", []string{"-in", filepath.Join(dir, "nope.png"), "-out", out}, "nope.png"},
		{"empty", []string{"-in", empty, "-out", out}, "empty"},
		{"truncated", []string{"-in", truncated, "-out", out}, "truncated"},
		{"not an image", []string{"-in", text, "-out", out}, "PNG"},
		{"unsupported", []string{"-in", svg, "-out", out}, "PNG"},
		{"too small", []string{"-in", tiny, "-out", out}, "16"},
		{"directory", []string{"-in", dir, "-out", out}, dir},
		{"unknown flag", []string{"-in", good, "-out", out, "-colour", "red"}, "colour"},
		{"no -in", []string{"-out", out}, "-in"},
		{"no -out", []string{"-in", good}, "-out"},
		{"stray argument", []string{"-in", good, "-out", out, "extra"}, "extra"},
		{"unknown layer", []string{"-in", good, "-out", out, "-layers", "conv1_1,conv9_9"}, "conv9_9"},
		{"a VGG-19 layer", []string{"-in", good, "-out", out, "-weights", "untrained-vgg16", "-layers", "conv3_4"}, "VGG-16 has conv1_1, conv1_2, pool1"},
		{"deeper than built in", []string{"-in", good, "-out", out, "-layers", "conv4_1"}, "have no conv4_1"},
		{"unknown network", []string{"-in", good, "-out", out, "-weights", "vgg99"}, "pretrained-vgg19, untrained-vgg16"},
		{"empty layers", []string{"-in", good, "-out", out, "-layers", ""}, "layer list is empty"},
		{"blank layers", []string{"-in", good, "-out", out, "-layers", " "}, "layer list is empty"},
		{"layer twice", []string{"-in", good, "-out", out, "-layers", "relu1_1,conv1_1"}, "conv1_1 is named twice"},
		{"2000 layers", []string{"-in", good, "-out", out, "-layers", strings.Repeat("conv1_1,", 1999) + "conv1_1"}, "conv1_1 is named twice"},
		{"unknown conv", []string{"-in", good, "-out", out, "-conv", "direct"}, `unknown conv path "direct"; use fast or stock`},
		{"unknown loss", []string{"-in", good, "-out", out, "-loss", "l1"}, "l1"},
		{"bad schedule", []string{"-in", good, "-out", out, "-layer-weights", "cubic:2"}, "cubic"},
		{"schedule count", []string{"-in", good, "-out", out, "-layers", "conv1_1,conv1_2", "-layer-weights", "1,2,3"}, "2"},
		{"bad pad", []string{"-in", good, "-out", out, "-pad", "mirror"}, "mirror"},
		{"bad optimizer", []string{"-in", good, "-out", out, "-optimizer", "sgd"}, "sgd"},
		{"bad size", []string{"-in", good, "-out", out, "-size", "8"}, "size"},
		{"bad iters", []string{"-in", good, "-out", out, "-iters", "0"}, "iterations"},
		{"weights missing", []string{"-in", good, "-out", out, "-weights", filepath.Join(dir, "none.q8")}, "none.q8"},
		{"weights truncated", []string{"-in", good, "-out", out, "-weights", wTrunc}, "trunc.q8"},
		{"weights checksum", []string{"-in", good, "-out", out, "-weights", wFlip}, "checksum"},
		{"weights shapes", []string{"-in", good, "-out", out, "-weights", wShape}, "conv1_1"},
		{"weights too shallow", []string{"-in", good, "-out", out, "-weights", wShape, "-layers", "conv2_1"}, ""},
		{"out dir missing", []string{"-in", good, "-out", filepath.Join(dir, "no", "such", "dir", "out.png")}, "dir"},
		{"out is a directory", []string{"-in", good, "-out", dir}, dir},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"-size", "16", "-iters", "1", "-progress", "lines"}, c.args...)
			code, _, stderr := texsynth(args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("message does not mention %q:\n%s", c.want, stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
}

// TestNotFiniteStopsTheRun: weights so large the features overflow make the loss Inf or NaN;
// the run must stop with a clear message, exit 1, and write no PNG.
func TestNotFiniteStopsTheRun(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(20))
	k := make([]float32, 4*3*9)
	for i := range k {
		k[i] = 3e38
	}
	l, err := weights.Quantize("conv1_1", k, make([]float32, 4), 4, 3, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	w := &weights.File{Layers: []weights.Layer{l}, Pre: weights.ImageNet, Provenance: "overflowing"}
	wpath := filepath.Join(dir, "huge.q8")
	if err := weights.WriteFile(wpath, w); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.png")
	code, _, stderr := texsynth("-in", in, "-out", out, "-weights", wpath, "-layers", "conv1_1", "-size", "16", "-iters", "3", "-progress", "lines")
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "finite") || !strings.Contains(stderr, "nothing was written") {
		t.Errorf("unclear message:\n%s", stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a PNG was written from a diverged run")
	}
}

// TestEngines: -conv stock runs the GoMLX reference and reaches the fast engine's losses; a
// VGG-19 weights file runs with VGG-19's layers.
func TestEngines(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(16))
	run := func(args ...string) []float64 {
		t.Helper()
		args = append([]string{"-in", in, "-out", filepath.Join(dir, "out.png"), "-size", "16", "-iters", "2", "-progress", "lines"}, args...)
		code, _, stderr := texsynth(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		return losses(t, stderr)
	}
	fast, stock := run("-weights", "untrained-vgg16", "-layers", "conv1_1,pool1"), run("-weights", "untrained-vgg16", "-layers", "conv1_1,pool1", "-conv", "stock")
	for i := range fast {
		if math.Abs(fast[i]-stock[i]) > 1e-3*math.Abs(stock[i]) {
			t.Errorf("iteration %d: fast %g, stock %g", i+1, fast[i], stock[i])
		}
	}
	w, err := weights.RandomVGG19(0, "conv3_4")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "vgg19.q8")
	if err := weights.WriteFile(path, w); err != nil {
		t.Fatal(err)
	}
	if ls := run("-weights", path, "-layers", "relu1_1,relu3_4"); len(ls) != 2 {
		t.Errorf("VGG-19: %d iterations", len(ls))
	}
}

// TestBuiltInNetworks: a run without -weights says it runs the built-in pretrained VGG-19 (its
// provenance), -weights untrained-vgg16 the untrained one; -licences and -h name the weights'
// authors and licences.
func TestBuiltInNetworks(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(16))
	out := filepath.Join(dir, "out.png")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "weights: VGG-19 from vgg19-keras-to-conv3_4/model.json"},
		{[]string{"-weights", "untrained-vgg16"}, "weights: untrained VGG-16"},
	} {
		args := append([]string{"-in", in, "-out", out, "-size", "16", "-iters", "1", "-progress", "lines"}, c.args...)
		code, _, stderr := texsynth(args...)
		if code != 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr lacks %q:\n%s", c.args, code, c.want, stderr)
		}
	}
	code, stdout, _ := texsynth("-licences")
	for _, want := range []string{"Simonyan", "CC BY 4.0", "Copyright (c) 2018 David Cai"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("-licences: exit %d, lacks %q:\n%s", code, want, stdout)
		}
	}
	if code, _, stderr := texsynth("-h"); code != 0 || !strings.Contains(stderr, "pretrained ImageNet VGG-19") || !strings.Contains(stderr, "-licences") {
		t.Errorf("-h: exit %d:\n%s", code, stderr)
	}
}
