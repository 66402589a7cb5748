package picture

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/texsynth/texsynth/internal/userfile"
)

// Load reads the image file at path and decodes it as Decode does. A missing or unreadable file,
// a directory or another file that is not a regular one (a device, a pipe), or a file over
// MaxFileSize gives an error naming the path, before anything is read; errors from Decode get
// the path in front. All of them wrap ErrInput.
func Load(path string, maxSide int) (*RGB, []Notice, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, nil, err
	}
	m, notices, err := Decode(data, maxSide)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, notices, nil
}

// readFile reads path, turning the usual failures into messages a user can act on.
func readFile(path string) ([]byte, error) {
	data, err := userfile.Read(path, MaxFileSize)
	var notRegular *userfile.NotRegularError
	var tooLarge *userfile.TooLargeError
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, pathErrorf(path, "the file does not exist")
	case errors.As(err, &notRegular) && notRegular.Mode.IsDir():
		return nil, pathErrorf(path, "this is a directory, not an image file")
	case errors.As(err, &notRegular):
		return nil, pathErrorf(path, "this is %s, not an image file", userfile.Kind(notRegular.Mode))
	case errors.As(err, &tooLarge):
		return nil, pathErrorf(path, "the file is %v", tooLarge)
	}
	return nil, pathErrorf(path, "cannot read the file: %v", cause(err))
}
