package userfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.bin")
	if err := os.WriteFile(file, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, link} {
		b, err := Read(p, 10)
		if err != nil || string(b) != "0123456789" {
			t.Errorf("Read(%s, 10) = %q, %v", p, b, err)
		}
	}
	_, err := Read(file, 9)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Size != 10 || tl.Limit != 9 || !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Read(10 bytes, 9) = %v, want a TooLargeError wrapping fs.ErrInvalid", err)
	}
	if _, err := Read(filepath.Join(dir, "none"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Read(dir, 10); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("directory: %v", err)
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{812: "812 B", 61_440: "60 kB", 1_234_567: "1.2 MB", 64 << 20: "64 MB", 2 << 30: "2.0 GB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
