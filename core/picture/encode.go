package picture

import (
	"bufio"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// EncodePNG writes m to w as an 8-bit RGB PNG, rounding as RGB.Image does.
func EncodePNG(w io.Writer, m *RGB) error {
	return png.Encode(w, m.Image())
}

// WritePNG writes m as a PNG file at path. It writes a temporary file in the same directory and
// renames it over path only once it is complete, so a failure leaves nothing half-written and an
// existing file is replaced whole or not at all. A symbolic link is followed and its target
// replaced. Problems with the path itself (missing directory, path is a directory) wrap
// ErrOutput, as CheckWritable's do; failures while writing do not.
func WritePNG(path string, m *RGB) error {
	target, err := outputTarget(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return outputErrorf(path, "cannot create a file in %s: %v", dir, cause(err))
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()

	// A replaced file keeps its permissions; a new one is readable by all, like most images.
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(target); err == nil {
		mode = st.Mode().Perm()
	}
	bw := bufio.NewWriter(f)
	if err := EncodePNG(bw, m); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, cause(err))
	}
	// Sync before the rename, so that a crash cannot leave a complete name over incomplete data.
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, cause(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, cause(err))
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return fmt.Errorf("write %s: %w", path, cause(err))
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("write %s: %w", path, cause(err))
	}
	done = true
	return nil
}
