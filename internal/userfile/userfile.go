// Package userfile reads the files a person names on a command line (an
// exemplar, a weights file, a checkpoint) as hostile input: only regular
// files, never more than a limit. A device such as /dev/zero, a named
// pipe or a growing file would otherwise be read until memory runs out,
// and opening a named pipe would wait for a writer.
package userfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular and ErrTooLarge are the refusals; both wrap fs.ErrInvalid,
// so callers that sort errors into "the user's input" and "ours" can treat
// them like a missing file. Read returns them inside an *fs.PathError.
var (
	ErrNotRegular = fmt.Errorf("not a regular file: %w", fs.ErrInvalid)
	ErrTooLarge   = fmt.Errorf("file too large: %w", fs.ErrInvalid)
)

// A TooLargeError says how large a refused file is and what the limit was.
type TooLargeError struct {
	Size  int64 // the file's size (at least Limit+1 if it grew while read)
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s, more than the %s accepted", Bytes(e.Size), Bytes(e.Limit))
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// A NotRegularError names what the path is instead of a regular file.
type NotRegularError struct{ Mode fs.FileMode }

func (e *NotRegularError) Error() string { return Kind(e.Mode) + ", not a regular file" }

func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// Kind names the kind of file a mode describes, for messages.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0, m&fs.ModeDevice != 0:
		return "a device"
	case m.IsRegular():
		return "a regular file"
	}
	return "a special file"
}

// Read returns the content of the regular file at path (a symbolic link is
// followed), if it is at most limit bytes. Errors are *fs.PathError: those
// of os.Stat and os.Open, or a *NotRegularError or *TooLargeError.
func Read(path string, limit int64) ([]byte, error) {
	// Stat before opening: opening a named pipe would block.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := check(path, st, limit); err != nil {
		return nil, err
	}
	f, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The path may have been replaced between Stat and Open.
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := check(path, st, limit); err != nil {
		return nil, err
	}
	// The size can change while the file is read: read one byte past the
	// limit to notice, into a buffer of the size Stat gave.
	buf := make([]byte, 0, st.Size()+1)
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Size: int64(len(buf)), Limit: limit}}
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow
		}
	}
}

func check(path string, st fs.FileInfo, limit int64) error {
	switch {
	case !st.Mode().IsRegular():
		return &fs.PathError{Op: "read", Path: path, Err: &NotRegularError{Mode: st.Mode()}}
	case st.Size() > limit:
		return &fs.PathError{Op: "read", Path: path, Err: &TooLargeError{Size: st.Size(), Limit: limit}}
	}
	return nil
}

// Bytes writes a size for people in units of 1024, as the page does: 812 B, 60 kB, 1.2 MB,
// 64 MB, 2.0 GB.
func Bytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	case n < 10<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n < 1<<30:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}
