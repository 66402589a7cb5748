package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutIsNotTheExemplar: an -out that is the exemplar, by its name, through a symbolic link
// or a hard link, is refused before anything runs, and the exemplar stays as it was.
func TestOutIsNotTheExemplar(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(20))
	before, _ := os.ReadFile(in)
	link := filepath.Join(dir, "link.png")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.png")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{in, dir + "/./in.png", link, hard} {
		code, _, stderr := texsynth(append([]string{"-in", in, "-out", out}, quick...)...)
		if code != 2 || !strings.Contains(stderr, "bad output path: this is the exemplar") {
			t.Errorf("-out %s: exit %d, stderr %q; want exit 2 saying it is the exemplar", out, code, stderr)
		}
		if after, _ := os.ReadFile(in); !bytes.Equal(after, before) {
			t.Fatalf("-out %s replaced the exemplar", out)
		}
	}
	// The exemplar as an output of another run is fine.
	if code, _, stderr := texsynth(append([]string{"-in", hard, "-out", filepath.Join(dir, "out.png")}, quick...)...); code != 0 {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestOutputErrorsNamedAsSuch: a bad -out or -frames is an output error, not "bad input image".
func TestOutputErrorsNamedAsSuch(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(20))
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-out", filepath.Join(dir, "no", "out.png")},
		{"-out", dir},
		{"-out", filepath.Join(dir, "out.png"), "-frames", filepath.Join(file, "frames")},
	} {
		code, _, stderr := texsynth(append(append([]string{"-in", in}, args...), quick...)...)
		if code != 2 || !strings.Contains(stderr, "bad output path") || strings.Contains(stderr, "bad input image") {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and a bad output path", args, code, stderr)
		}
	}
}

// TestFramesOfOneRun: a rerun with fewer iterations leaves only its own frames, and says that
// it removed the earlier ones; a directory holding anything else is refused and left alone, as
// is one where an earlier frame is the exemplar.
func TestFramesOfOneRun(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(20))
	frames := filepath.Join(dir, "frames")
	run := func(iters string, extra ...string) (int, string) {
		args := []string{"-in", in, "-out", filepath.Join(dir, "out.png"), "-size", "16", "-layers", "conv1_1", "-progress", "lines", "-frames", frames, "-every", "2", "-iters", iters}
		code, _, stderr := texsynth(append(args, extra...)...)
		return code, stderr
	}
	names := func() string {
		entries, _ := os.ReadDir(frames)
		var s []string
		for _, e := range entries {
			s = append(s, e.Name())
		}
		return strings.Join(s, " ")
	}
	if code, stderr := run("6"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := names(); got != "frame-00002.png frame-00004.png frame-00006.png" {
		t.Fatalf("first run wrote %q", got)
	}
	code, stderr := run("3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := names(); got != "frame-00002.png frame-00003.png" {
		t.Errorf("second run left %q, want only its own frames 2 and 3", got)
	}
	if !strings.Contains(stderr, "removed 3 files of an earlier run") {
		t.Errorf("no word of the removed frames:\n%s", stderr)
	}

	notes := filepath.Join(frames, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stderr := run("3"); code != 2 || !strings.Contains(stderr, "holds other files than frames (notes.txt)") {
		t.Errorf("a directory with notes.txt: exit %d, %q; want it refused", code, stderr)
	}
	if got := names(); got != "frame-00002.png frame-00003.png notes.txt" {
		t.Errorf("the refused run changed the directory: %q", got)
	}
	os.Remove(notes)

	// The exemplar taken from an earlier run's frames: clearing them would delete it.
	in = filepath.Join(frames, "frame-00002.png")
	if code, stderr := run("3"); code != 2 || !strings.Contains(stderr, "frame-00002.png is the exemplar or the output") {
		t.Errorf("exemplar among the frames: exit %d, %q; want it refused", code, stderr)
	}
	if _, err := os.Stat(in); err != nil {
		t.Errorf("the exemplar is gone: %v", err)
	}
}
