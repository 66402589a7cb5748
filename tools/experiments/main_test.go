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

	"github.com/texsynth/texsynth/core/presets"
)

// sample writes a small stripy texture under the given name.
func sample(t *testing.T, dir, name string, phase float64) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 24, 24))
	for y := range 24 {
		for x := range 24 {
			v := 0.5 + 0.5*math.Sin(float64(x+2*y)*0.9+phase)
			img.Set(x, y, color.NRGBA{uint8(200 * v), uint8(40 + 100*(1-v)), uint8(60 * v), 255})
		}
	}
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTinyRunOfEachQuestion runs every question with its first two cells (plus Q7's spectrum
// cell) at 24 px, 2 iterations, and checks the sheets and the report.
func TestTinyRunOfEachQuestion(t *testing.T) {
	dir := t.TempDir()
	in := sample(t, dir, "main.png", 0)
	sample(t, dir, presets.NonTexture, 1)
	sample(t, dir, presets.Regular, 2)
	out := filepath.Join(dir, "out")
	c := config{in: in, textures: dir, out: out, size: 24, iters: 2, jobs: 2}
	var qs []presets.Question
	for _, q := range presets.All(c.size, c.iters) {
		keep := q.Cells[:2]
		if q.ID == "q7" {
			keep = []presets.Cell{q.Cells[0], q.Cells[5], q.Cells[0]} // a duplicate is run once
		}
		for i := range keep {
			keep[i].Settings.Layers = "conv1_1,pool1,conv2_1"
			if strings.HasPrefix(keep[i].Settings.LayerWeights, "10,") || strings.HasPrefix(keep[i].Settings.LayerWeights, "50,") {
				keep[i].Settings.LayerWeights = "uniform"
			}
		}
		q.Cells = keep
		qs = append(qs, q)
	}
	var stdout, stderr bytes.Buffer
	if err := runQuestions(c, qs, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	// With the layers made equal, several cells coincide and run once: fewer lines than cells.
	if n := strings.Count(stderr.String(), "] q"); n < 7 || n >= 7*2+1 {
		t.Errorf("%d cells run, want at least one per question and the duplicate once:\n%s", n, stderr.String())
	}
	for _, q := range qs {
		f, err := os.Open(filepath.Join(out, q.ID+"-"+q.Slug+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() < 300 {
			t.Errorf("%s sheet: %v %v", q.ID, err, img.Bounds())
		}
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Q1", "## Q6", "## Beyond", "emd-seed", "colour", "failed"} {
		if want == "failed" {
			if strings.Contains(string(md), want) {
				t.Errorf("report has a failed cell:\n%s", md)
			}
			continue
		}
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if !strings.Contains(string(md), "(= q") {
		t.Error("the duplicate cell is not marked as the same as the first")
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err != nil {
		t.Error(err)
	}
	var res struct {
		Sections []struct {
			Results []struct {
				Loss  *float64           `json:"loss"`
				Stats map[string]float64 `json:"stats"`
			} `json:"results"`
		} `json:"sections"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "results.json"))
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Sections) != 7 || res.Sections[0].Results[0].Loss == nil {
		t.Errorf("results.json: %s", b)
	}
}

func TestPresetsJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "presets.json")
	var out, errb bytes.Buffer
	if code := run([]string{"-presets-json", p, "-size", "64", "-iters", "80"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var doc struct {
		Size      int                `json:"size"`
		Questions []presets.Question `json:"questions"`
	}
	b, _ := os.ReadFile(p)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Size != 64 || len(doc.Questions) != 7 || doc.Questions[4].Cells[0].Settings.LayerWeights != "geometric:2" ||
		doc.Questions[0].Cells[0].Settings.Iters != 80 {
		t.Errorf("presets: %s", b)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-in", "x.png"},
		{"-in", "x.png", "-out", "d", "-only", "q9"},
		{"-in", "x.png", "-out", "d", "-size", "8"},
		{"-in", "x.png", "-out", "d", "-j", "0"},
		{"-in", "x.png", "-out", "d", "extra"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"-in", "/nonexistent/x.png", "-out", t.TempDir()}, &out, &errb); code == 0 {
		t.Error("a missing exemplar succeeded")
	}
}

func TestWrapAndASCII(t *testing.T) {
	if got := wrap("a fairly long label that wraps", 12, 2); len(got) != 2 || got[0] != "a fairly" {
		t.Errorf("wrap: %q", got)
	}
	if got := ascii("Q1 · weights ↗ 10…50"); got != "Q1 - weights up 10...50" {
		t.Errorf("ascii: %q", got)
	}
}
