package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/weights"
)

const fixtures = "../../../shared/fixtures"

// fixturePath returns the path of a shared fixture, skipping the test when
// it is not there.
func fixturePath(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(fixtures, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture: %v", err)
	}
	return p
}

func TestConvertAndInspect(t *testing.T) {
	dir := t.TempDir()
	var sums []string
	for _, name := range []string{"vgg16-mini.pth", "vgg16-mini.safetensors", "vgg16-mini.onnx"} {
		in := fixturePath(t, name)
		out := filepath.Join(dir, name+".q8")
		code, stdout, stderr := runArgs("convert", "-in", in, "-out", out, "-upto", "conv4_3", "-bits", "4")
		if code != 0 {
			t.Fatalf("convert %s: exit %d: %s", name, code, stderr)
		}
		f, err := weights.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Layers) != 10 || f.Layers[0].Bits != 4 || !strings.Contains(f.Provenance, name) {
			t.Errorf("%s: %d layers, bits %d, provenance %q", name, len(f.Layers), f.Layers[0].Bits, f.Provenance)
		}
		for _, s := range []string{"conv4_3", "64x64x3x3", f.Checksum(), "int4"} {
			if !strings.Contains(stdout, s) {
				t.Errorf("convert output lacks %q:\n%s", s, stdout)
			}
		}
		sums = append(sums, f.Checksum())

		code, stdout, stderr = runArgs("inspect", "-ref", in, out)
		if code != 0 {
			t.Fatalf("inspect -ref: exit %d: %s", code, stderr)
		}
		for _, s := range []string{"rel. L2 error", "worst channel", "conv4_3", "reference"} {
			if !strings.Contains(stdout, s) {
				t.Errorf("inspect -ref output lacks %q:\n%s", s, stdout)
			}
		}
	}
	if sums[0] != sums[1] || sums[1] != sums[2] {
		t.Errorf("the three fixtures convert to different files: %v", sums)
	}
}

func TestConvertFailures(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.q8")
	junk := filepath.Join(dir, "resnet.pth")
	if err := os.WriteFile(junk, []byte("PK\x03\x04 not really a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	q8 := filepath.Join(dir, "random.q8")
	if code, _, errs := runArgs("random", "-upto", "conv1_1", "-out", q8); code != 0 {
		t.Fatal(errs)
	}
	// Files that lie about what they are: /dev/zero never ends, and a
	// sparse file claims gigabytes it does not hold.
	huge := sparse(t, "huge.pth", 3<<30)
	hugeQ8 := sparse(t, "huge.q8", 300<<20)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"convert"}, "-in CHECKPOINT and -out FILE are required"},
		{[]string{"convert", "-in", junk}, "are required"},
		{[]string{"convert", "-in", junk, "-out", out, "x"}, `unexpected argument "x"`},
		{[]string{"convert", "-in", junk, "-out", out, "-bits", "6"}, "-bits 6; want 8, 4 or 32"},
		{[]string{"convert", "-in", junk, "-out", out, "-upto", "fc6"}, `-upto "fc6" is not a VGG-16 or VGG-19 layer`},
		{[]string{"convert", "-in", junk, "-out", out}, junk + ": weights: bad file: PyTorch"},
		{[]string{"convert", "-in", q8, "-out", out}, "already a .q8"},
		{[]string{"convert", "-in", filepath.Join(dir, "none.pth"), "-out", out}, "none.pth"},
		{[]string{"random", "-bits", "5", "-out", out}, "-bits 5"},
		{[]string{"inspect", "-ref", junk, q8}, junk},
		{[]string{"convert", "-in", "/dev/zero", "-out", out}, "/dev/zero: a device, not a regular file"},
		{[]string{"convert", "-in", huge, "-out", out}, "huge.pth: 3.0 GB, more than the 2.0 GB accepted"},
		{[]string{"inspect", "/dev/zero"}, "/dev/zero: a device, not a regular file"},
		{[]string{"inspect", hugeQ8}, "huge.q8: 300 MB, more than the 256 MB accepted"},
		{[]string{"inspect", "-ref", "/dev/zero", q8}, "/dev/zero: a device"},
		{[]string{"inspect", "-ref", huge, q8}, "more than the 2.0 GB accepted"},
	} {
		code, stdout, stderr := runArgs(c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("weights %q: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
		if stdout != "" {
			t.Errorf("weights %q: wrote to stdout", c.args)
		}
	}
	onlyFiles(t, dir, "random.q8", "resnet.pth")
}

// sparse makes a file of the given size that takes no space on disk.
func sparse(t *testing.T, name string, size int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConvertKeepsOldFile checks that a failed conversion leaves an
// existing output file as it was.
func TestConvertKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "vgg16.q8")
	if code, _, errs := runArgs("random", "-upto", "conv1_1", "-out", out); code != 0 {
		t.Fatal(errs)
	}
	before, _ := os.ReadFile(out)
	bad := filepath.Join(dir, "bad.safetensors")
	os.WriteFile(bad, []byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\": 1}       "), 0o644)
	if code, _, _ := runArgs("convert", "-in", bad, "-out", out); code != exitUsage {
		t.Errorf("exit %d", code)
	}
	after, _ := os.ReadFile(out)
	if string(before) != string(after) {
		t.Error("a failed convert changed the output file")
	}
	onlyFiles(t, dir, "bad.safetensors", "vgg16.q8")
}

func TestFeatures(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.q8"), filepath.Join(dir, "b.q8")
	for i, p := range []string{a, b} {
		if code, _, errs := runArgs("random", "-seed", string(rune('0'+i)), "-upto", "conv1_2", "-out", p); code != 0 {
			t.Fatal(errs)
		}
	}
	img := filepath.Join("..", "..", "..", "shared", "textures", "brick.png")
	if _, err := os.Stat(img); err != nil {
		t.Skip(err)
	}
	code, out, errs := runArgs("features", "-image", img, "-size", "16", a, a, b)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "conv1_1") || !strings.Contains(lines[2], "conv1_2") {
		t.Fatalf("output:\n%s", out)
	}
	if f := strings.Fields(lines[1]); f[1] != "0%" || f[2] == "0%" {
		t.Errorf("output:\n%s", out)
	}
	if code, _, _ := runArgs("features", a); code != exitUsage {
		t.Errorf("features without -image: exit %d", code)
	}
}

// onlyFiles checks that dir holds exactly the named files.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}
