//go:build unix

package userfile

import (
	"os"
	"syscall"
)

// open opens path for reading without blocking, should it have become a
// named pipe since it was checked; Read then refuses it.
func open(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
