//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSpecialFilesRefused: an exemplar or weights file that is a device (read for ever), a
// named pipe (opening it waits for a writer) or a file larger than accepted is refused at once
// with exit 2, naming what it is.
func TestSpecialFilesRefused(t *testing.T) {
	dir := t.TempDir()
	in := writePNG(t, filepath.Join(dir, "in.png"), stripes(20))
	fifo := filepath.Join(dir, "pipe.png")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	huge := func(name string, size int64) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, size); err != nil { // sparse: no disk used
			t.Fatal(err)
		}
		return path
	}
	out := filepath.Join(dir, "out.png")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-in", "/dev/zero"}, "/dev/zero: bad input image: this is a device, not an image file"},
		{[]string{"-in", fifo}, "pipe.png: bad input image: this is a named pipe, not an image file"},
		{[]string{"-in", huge("huge.png", 1<<30)}, "huge.png: bad input image: the file is 1.0 GB, more than the 64 MB accepted"},
		{[]string{"-in", in, "-weights", "/dev/zero"}, "/dev/zero: a device, not a regular file"},
		{[]string{"-in", in, "-weights", huge("huge.q8", 1<<30)}, "huge.q8: 1.0 GB, more than the 256 MB accepted"},
	} {
		code, _, stderr := texsynth(append(append(c.args, "-out", out), quick...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
