package picture

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Load reads the image file at path and decodes it as Decode does. A missing or unreadable file,
// or a directory, gives an error naming the path; errors from Decode get the path in front.
// All of them wrap ErrInput.
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
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, pathErrorf(path, "the file does not exist")
	case err != nil:
		return nil, pathErrorf(path, "cannot read the file: %v", cause(err))
	case st.IsDir():
		return nil, pathErrorf(path, "this is a directory, not an image file")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, pathErrorf(path, "cannot read the file: %v", cause(err))
	}
	return data, nil
}
