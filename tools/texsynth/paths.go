package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/texsynth/texsynth/core/picture"
)

// checkPaths checks, before the long work, what can be checked about the files a run writes:
// the output can be written and is not the exemplar, and the frames directory is ready to
// take this run's frames (openFrames). The errors wrap picture.ErrOutput.
func checkPaths(c config) (*frameDir, error) {
	if err := picture.CheckWritable(c.out); err != nil {
		return nil, err
	}
	if sameFile(c.in, c.out) {
		return nil, fmt.Errorf("%s: %w: this is the exemplar (-in %s): the texture would replace it; give another name", c.out, picture.ErrOutput, c.in)
	}
	if c.frames == "" {
		return nil, nil
	}
	return openFrames(c.frames, c.in, c.out)
}

// sameFile reports whether a and b name one existing file, through a symbolic or a hard link
// as well as by the same name.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// inDir reports whether path names a file directly inside dir (which exists).
func inDir(path, dir string) bool {
	pd, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return false
	}
	return sameFile(pd, dir)
}
