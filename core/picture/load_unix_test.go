//go:build unix

package picture

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestLoadRefusesSpecialFiles: /dev/zero would be read until memory runs out, and opening a
// named pipe would wait for a writer; both are refused at once.
func TestLoadRefusesSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.png")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for path, kind := range map[string]string{"/dev/zero": "a device", fifo: "a named pipe"} {
		_, _, err := Load(path, 0)
		wantInputError(t, err, path, "this is "+kind+", not an image file")
	}
}
