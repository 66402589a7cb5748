package weights

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/texsynth/texsynth/internal/userfile"
)

// MaxFileSize is the largest .q8 file ReadFile reads: VGG-16's thirteen
// layers at float32 are 56 MB (2^20 bytes), at int8 14 MB.
const MaxFileSize = 256 << 20

// ReadFile reads and decodes the .q8 file at path. It reads only a regular
// file of at most MaxFileSize bytes. Errors name the path; those about the
// file's content wrap ErrFormat, a refused file's wrap fs.ErrInvalid.
func ReadFile(path string) (*File, error) {
	data, err := userfile.Read(path, MaxFileSize)
	if err != nil {
		return nil, err // *fs.PathError already names the path
	}
	f, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// WriteFile encodes f to path. It writes a temporary file in the same
// directory and renames it over path only once it is complete and synced,
// so path never holds a half-written file: after an error it is as it was.
// Errors name the path.
func WriteFile(path string, f *File) error {
	if err := writeFile(path, f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeFile(path string, f *File) (err error) {
	// Check before creating anything, so a bad File leaves no trace.
	if err := f.check(); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 256<<10)
	if err := Encode(w, f); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a weight file is not secret.
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
