package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/weights"
)

// runArgs runs the command line and returns its exit code and output.
func runArgs(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestRandomAndInspect(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "net.q8")
	code, out, errs := runArgs("random", "-seed", "5", "-upto", "conv1_2", "-out", path)
	if code != 0 {
		t.Fatalf("random: exit %d, stderr %s", code, errs)
	}
	f, err := weights.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := weights.Random(5, "conv1_2")
	if f.Checksum() != want.Checksum() || f.Provenance != want.Provenance {
		t.Error("the file is not Random(5, \"conv1_2\")")
	}
	for _, s := range []string{"conv1_1", "64x3x3x3", "conv1_2", "64x64x3x3", "2 layers", f.Checksum()} {
		if !strings.Contains(out, s) {
			t.Errorf("random output lacks %q:\n%s", s, out)
		}
	}

	code, out, errs = runArgs("inspect", path)
	if code != 0 {
		t.Fatalf("inspect: exit %d, stderr %s", code, errs)
	}
	st, _ := os.Stat(path)
	for _, s := range []string{path, "seed 5", "conv1_2", "64x64x3x3", "VGG-16, conv1_1 to conv1_2",
		f.Checksum(), "rgb", fmt.Sprintf("%d bytes", st.Size())} {
		if !strings.Contains(out, s) {
			t.Errorf("inspect output lacks %q:\n%s", s, out)
		}
	}
}

// TestRandomFlagForm checks the form "weights -random -seed 0 -out FILE".
func TestRandomFlagForm(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.q8"), filepath.Join(dir, "b.q8")
	if code, _, errs := runArgs("-random", "-seed", "0", "-out", a, "-upto", "conv1_1"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if code, _, errs := runArgs("random", "-upto", "conv1_1", "-out", b); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if len(da) == 0 || !bytes.Equal(da, db) {
		t.Error("-random and random wrote different files")
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.q8")
	junk := filepath.Join(dir, "junk.q8")
	if err := os.WriteFile(junk, []byte("not weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		{nil, 2, "no command"},
		{[]string{"convolve"}, 2, `unknown command "convolve"`},
		{[]string{"random"}, 2, "-out FILE is required"},
		{[]string{"random", "-out", out, "-upto", "conv6_1"}, 2, `"conv6_1" is not a VGG-16 layer; want one of conv1_1`},
		{[]string{"random", "-seed", "minus one", "-out", out}, 2, "invalid value"},
		{[]string{"random", "-colour", "blue"}, 2, "flag provided but not defined"},
		{[]string{"random", "-out", out, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"random", "-out", filepath.Join(dir, "no", "x.q8")}, 2, filepath.Join(dir, "no", "x.q8")},
		{[]string{"-seed", "1", "-out", out}, 2, "weights random -seed 0"},
		{[]string{"-random"}, 2, "-out FILE is required"},
		{[]string{"inspect"}, 2, "want one file"},
		{[]string{"inspect", junk, junk}, 2, "want one file"},
		{[]string{"inspect", junk}, 2, junk + ": weights: bad file"},
		{[]string{"inspect", filepath.Join(dir, "none.q8")}, 2, "none.q8"},
	} {
		code, stdout, stderr := runArgs(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("weights %q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
		if stdout != "" {
			t.Errorf("weights %q: wrote to stdout: %q", c.args, stdout)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed command wrote its output file")
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}} {
		code, out, _ := runArgs(args...)
		if code != 0 || !strings.Contains(out, "weights random") || !strings.Contains(out, "weights inspect [-ref CHECKPOINT] FILE") || !strings.Contains(out, "weights convert -in") {
			t.Errorf("%q: exit %d, output %q", args, code, out)
		}
	}
	if code, _, errs := runArgs("random", "-h"); code != 0 || !strings.Contains(errs, "-seed") {
		t.Errorf("random -h: exit %d, %q", code, errs)
	}
}

func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
	}{
		{fmt.Errorf("x.q8: %w", weights.ErrFormat), 2},
		{&fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}, 2},
		{fs.ErrPermission, 2},
		{errors.New("out of memory"), 1},
	} {
		if got := exitCode(c.err); got != c.code {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.code)
		}
	}
}
