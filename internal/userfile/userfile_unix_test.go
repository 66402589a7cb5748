//go:build unix

package userfile

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadRefusesSpecialFiles: a device (/dev/zero would be
// read for ever) and a named pipe (opening it would wait for a writer) are
// refused at once, naming what they are.
func TestReadRefusesSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{"/dev/zero": "a device", fifo: "a named pipe"}
	for path, kind := range cases {
		done := make(chan error, 1)
		go func() {
			_, err := Read(path, 1<<30)
			done <- err
		}()
		select {
		case err := <-done:
			var pe *fs.PathError
			if !errors.Is(err, ErrNotRegular) || !errors.As(err, &pe) || !strings.Contains(err.Error(), kind) {
				t.Errorf("Read(%s) = %v, want a PathError saying %q", path, err, kind)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Read(%s) did not return", path)
		}
	}
}
