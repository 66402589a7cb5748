package picture

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("quad.png", encode(t, png.Encode, quad(40, 20)))
	m, notices, err := Load(good, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.W != 40 || m.H != 20 || len(notices) != 0 {
		t.Errorf("got %d×%d, notices %q; want 40×20 and none", m.W, m.H, notices)
	}
	checkQuad(t, m, 0)
	if m, _, err = Load(good, 32); err != nil || m.W != 32 || m.H != 16 {
		t.Errorf("maxSide 32: got %v, %v; want 32×16", m, err)
	}

	data := encode(t, png.Encode, quad(32, 32))
	tests := []struct {
		name string
		path string
		want []string
	}{
		{"missing", filepath.Join(dir, "nope.png"), []string{"nope.png", "does not exist"}},
		{"directory", dir, []string{dir, "is a directory, not an image file"}},
		{"empty", write("empty.png", nil), []string{"empty.png", "the file is empty"}},
		{"text", write("notes.txt", []byte("just some notes\n")), []string{"notes.txt", "looks like text"}},
		{"truncated", write("cut.png", data[:len(data)/2]), []string{"cut.png: ", "truncated or corrupt PNG data"}},
		{"too large", sparse(t, filepath.Join(dir, "huge.png"), MaxFileSize+1), []string{"huge.png: ", "64 MB, more than the 64 MB accepted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, notices, err := Load(tt.path, 0)
			wantInputError(t, err, tt.want...)
			if m != nil || notices != nil {
				t.Errorf("got an image or notices along with the error")
			}
		})
	}
}

// sparse makes a file of the given size that takes no disk space.
func sparse(t *testing.T, path string, size int64) string {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	return path
}
