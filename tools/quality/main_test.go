package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTexture writes a small stripy texture under the name of one of the shared ones.
func writeTexture(t *testing.T, dir, name string, phase float64) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 24, 24))
	for y := range 24 {
		for x := range 24 {
			v := 0.5 + 0.5*math.Sin(float64(x+2*y)*0.9+phase)
			img.Set(x, y, color.NRGBA{uint8(200 * v), uint8(40 + 100*(1-v)), uint8(60 * v), 255})
		}
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// TestTinyRun runs two textures at 24 and 32 px for 2 iterations, the new default with its own
// settings file: the sheets, the table and the JSON are written and hold every run.
func TestTinyRun(t *testing.T) {
	dir := t.TempDir()
	tex := filepath.Join(dir, "textures")
	os.Mkdir(tex, 0o755)
	writeTexture(t, tex, "brick.png", 0)
	writeTexture(t, tex, "ulyanov_red-peppers256.jpg", 1) // a PNG under a .jpg name: the loader sniffs
	settings := filepath.Join(dir, "new.json")
	os.WriteFile(settings, []byte(`{"Layers": "conv1_1,pool1,conv2_1", "Levels": 1}`), 0o644)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-textures", tex, "-only", "brick,peppers", "-sizes", "24,32", "-iters", "2", "-j", "2",
		"-new-settings", settings, "-out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if n := strings.Count(stderr.String(), "] "); n != 8 {
		t.Errorf("%d runs, want 2 textures × 2 sizes × 2 configurations:\n%s", n, stderr.String())
	}
	for _, size := range []string{"24", "32"} {
		f, err := os.Open(filepath.Join(out, "quality-"+size+"px.png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		// 4 columns and 2 rows of images shown at an integer scale near 256 px (240 px for 24).
		if err != nil || img.Bounds().Dx() < 4*240 || img.Bounds().Dy() < 2*240 {
			t.Errorf("%s px sheet: %v %v", size, err, img.Bounds())
		}
	}
	md, err := os.ReadFile(filepath.Join(out, "quality.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## 24 px", "## 32 px", "| brick | old default |", "| peppers | new default |",
		"Layers=conv1_1,pool1,conv2_1; Levels=1", "untrained VGG-16", "orientation coarse"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("quality.md lacks %q:\n%s", want, md)
		}
	}
	var doc struct {
		Sizes []struct {
			Size    int
			Results []struct {
				Texture, Config, Error string
				Evals                  int
				Stats                  map[string]*float64
			}
		}
	}
	js, _ := os.ReadFile(filepath.Join(out, "quality.json"))
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Sizes) != 2 || len(doc.Sizes[0].Results) != 4 {
		t.Fatalf("quality.json: %s", js)
	}
	for _, r := range doc.Sizes[1].Results {
		if r.Error != "" || r.Evals < 2 || r.Stats["orient_fine"] == nil || r.Stats["colour"] == nil {
			t.Errorf("%s %s: %+v", r.Texture, r.Config, r)
		}
	}
}

// TestDefaultColumns: without flags the old column is the untrained VGG-16 with the old settings
// and the new one the current defaults on the built-in pretrained VGG-19.
func TestDefaultColumns(t *testing.T) {
	dir := t.TempDir()
	writeTexture(t, dir, "brick.png", 0)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-textures", dir, "-only", "brick", "-sizes", "24", "-iters", "1", "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if n := strings.Count(stderr.String(), "] "); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
	md, _ := os.ReadFile(filepath.Join(out, "quality.md"))
	for _, want := range []string{"**old default**: Layers=conv1_1,conv1_2,conv2_1,conv2_2,conv3_1,conv3_2,conv3_3,conv4_1,conv4_2,conv4_3; Start=colour",
		"untrained VGG-16", "**new default**: the defaults, 1 iterations; weights: VGG-19 from vgg19-keras-to-conv3_4"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("quality.md lacks %q:\n%s", want, md)
		}
	}
}

// TestBadUsage: every mistake is exit 2 with a message that says what would work.
func TestBadUsage(t *testing.T) {
	dir := t.TempDir()
	writeTexture(t, dir, "brick.png", 0)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"Layerz": "conv1_1"}`), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-textures", dir}, "-out is required"},
		{[]string{"-out", dir, "-sizes", "8"}, "not a side from 16 to 1024"},
		{[]string{"-out", dir, "-only", "gravel"}, `unknown texture "gravel"`},
		{[]string{"-out", dir, "-j", "0"}, "-j 0"},
		{[]string{"-out", dir, "-textures", dir, "-only", "pebbles"}, "gatys_pebbles.jpg"},
		{[]string{"-out", dir, "-textures", dir, "-only", "brick", "-new-settings", bad}, `unknown field "Layerz"`},
		{[]string{"-out", dir, "-textures", dir, "-only", "brick", "-new-weights", bad}, "bad.json"},
		{[]string{"-out", dir, "stray"}, `unexpected argument "stray"`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%q: exit %d, %q; want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
}
