package picture

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrInput is wrapped by every error caused by the user's input image: the file or its path.
// ErrOutput is wrapped by every error about the output path the user gave. Callers test them
// with errors.Is to tell the user's mistakes (exit code 2) from the program's.
var (
	ErrInput  = errors.New("bad input image")
	ErrOutput = errors.New("bad output path")
)

// inputErrorf formats an error that wraps ErrInput, so that all of them read
// "bad input image: <what is wrong>".
func inputErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInput}, args...)...)
}

// pathErrorf is inputErrorf with the path the user gave in front, so that the message reads
// "<path>: bad input image: <what is wrong>".
func pathErrorf(path, format string, args ...any) error {
	return fmt.Errorf("%s: %w", path, inputErrorf(format, args...))
}

// outputErrorf is pathErrorf for the output path: "<path>: bad output path: <what is wrong>".
func outputErrorf(path, format string, args ...any) error {
	return fmt.Errorf("%s: %w: "+format, append([]any{path, ErrOutput}, args...)...)
}

// cause strips the operation and path from an os error ("open x: permission denied" becomes
// "permission denied"), since our messages name the path already.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
