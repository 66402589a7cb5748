package picture

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(filepath.Join(dir, "out.png")); err != nil {
		t.Errorf("writable path: %v", err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("left %q behind", names)
	}
	file := filepath.Join(dir, "file.png")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckWritable(file); err != nil {
		t.Errorf("existing file: %v", err)
	}

	wantOutputError(t, CheckWritable(dir), dir, "is a directory")
	wantOutputError(t, CheckWritable(filepath.Join(dir, "missing", "out.png")), "missing", "does not exist")
	wantOutputError(t, CheckWritable(filepath.Join(file, "out.png")), "file.png is not a directory")
	wantOutputError(t, CheckWritable(""), "no output file name")
	if _, err := os.Stat("/dev/null"); err == nil {
		wantOutputError(t, CheckWritable("/dev/null"), "not a regular file")
	}
}

func TestCheckWritableReadOnlyDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	// Root, and some file systems, may write into a read-only directory all the same.
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("this user can write into a read-only directory")
	}
	err := CheckWritable(filepath.Join(dir, "out.png"))
	wantOutputError(t, err, "cannot create a file in")
}
