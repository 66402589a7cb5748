package picture

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckWritable checks, before a long run, that a file can later be written at path: the path is
// not a directory or a special file, its directory exists, and a file can be created there (a
// temporary file is created and removed again). The error says what is wrong and wraps ErrOutput.
func CheckWritable(path string) error {
	target, err := outputTarget(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	f, err := os.CreateTemp(dir, ".texsynth-check-*")
	if err != nil {
		return outputErrorf(path, "cannot create a file in %s: %v", dir, cause(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// outputTarget checks the output path and returns the file to replace: the path itself, or
// the file a symbolic link points to, since renaming over the link would replace the link.
func outputTarget(path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("%w: no output file name given", ErrOutput)
	}
	target := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		target = resolved
	}
	st, err := os.Stat(target)
	switch {
	case err == nil && st.IsDir():
		return "", outputErrorf(path, "this is a directory; give a file name")
	case err == nil && !st.Mode().IsRegular():
		// Renaming over a device such as /dev/null would replace the device node itself.
		return "", outputErrorf(path, "this is not a regular file")
	}
	// The directory is checked before other failures of the path, since a missing or non-directory
	// parent is the usual reason for them and the clearer thing to say.
	dir := filepath.Dir(target)
	dirSt, dirErr := os.Stat(dir)
	switch {
	case errors.Is(dirErr, fs.ErrNotExist):
		return "", outputErrorf(path, "the directory %s does not exist", dir)
	case dirErr != nil:
		return "", outputErrorf(path, "cannot check the directory %s: %v", dir, cause(dirErr))
	case !dirSt.IsDir():
		return "", outputErrorf(path, "%s is not a directory", dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return "", outputErrorf(path, "cannot check the path: %v", cause(err))
	}
	return target, nil
}
