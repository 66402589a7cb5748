package weights

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestWriteReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "net.q8")
	f := small(t)
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	// Overwriting an existing file works too.
	f.Provenance = "second"
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	g, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f, g) {
		t.Error("ReadFile(WriteFile(f)) differs from f")
	}
	data, _ := os.ReadFile(path)
	if !bytes.Equal(data, encode(t, f)) {
		t.Error("WriteFile wrote something other than Encode")
	}
	onlyFiles(t, dir, "net.q8")
}

// onlyFiles checks that dir holds exactly the named files: no temporary
// file was left behind.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

func TestWriteFileFailures(t *testing.T) {
	dir := t.TempDir()
	f := small(t)

	// No such directory.
	path := filepath.Join(dir, "missing", "net.q8")
	err := WriteFile(path, f)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: err = %v, want one naming %s", err, path)
	}

	// A File that cannot be encoded: nothing is created.
	path = filepath.Join(dir, "bad.q8")
	spoilt := small(t)
	spoilt.Pre.Order = "grb"
	err = WriteFile(path, spoilt)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), path) {
		t.Errorf("bad File: err = %v", err)
	}
	onlyFiles(t, dir)

	// The rename fails (the path is a non-empty directory): the temporary
	// file is removed and the directory untouched.
	path = filepath.Join(dir, "taken")
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, f); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("path is a directory: err = %v", err)
	}
	onlyFiles(t, dir, "taken")
	onlyFiles(t, path, "inside")

	// A failed write leaves an existing file as it was.
	path = filepath.Join(dir, "keep.q8")
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if err := WriteFile(path, spoilt); err == nil {
		t.Error("wrote a bad File")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a failed WriteFile changed the existing file")
	}
	onlyFiles(t, dir, "keep.q8", "taken")
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "none.q8")
	if _, err := ReadFile(path); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("missing file: err = %v", err)
	}
	path = filepath.Join(dir, "junk.q8")
	if err := os.WriteFile(path, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), path) {
		t.Errorf("junk file: err = %v", err)
	}
	// A file claiming more than MaxFileSize (sparse: it takes no disk) and
	// a directory are refused before anything is read.
	path = filepath.Join(dir, "huge.q8")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, dir} {
		if _, err := ReadFile(p); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v, want fs.ErrInvalid naming the path", p, err)
		}
	}
}
