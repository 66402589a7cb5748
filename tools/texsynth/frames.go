package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/texsynth/texsynth/core/picture"
)

// A frameDir is the -frames directory: it holds the frames of one run only. A run writes
// frame-NNNNN.png (the iteration) every -every iterations and at the end. The directory must be
// new, empty, or hold nothing but an earlier run's frames, which are removed when this run
// writes its first frame — not before, so a run that fails early leaves them as they were — so
// that a shorter run cannot leave an older run's later frames among its own.
type frameDir struct {
	dir   string
	stale []string // an earlier run's frames and temporary files, removed before the first write
}

// frameName and frameTemp are the frames this command writes and the temporary files
// picture.WritePNG and CheckWritable make beside them (left over if a run was killed).
var (
	frameName = regexp.MustCompile(`^frame-\d{5,}\.png$`)
	frameTemp = regexp.MustCompile(`^\.(frame-\d{5,}\.png\..*\.tmp|texsynth-check-.*)$`)
)

// openFrames checks the -frames directory, creating it if it does not exist. It refuses a
// directory holding anything but frames, and frames that are the exemplar or the output.
func openFrames(dir, in, out string) (*frameDir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("-frames %s: %w: cannot create the directory: %v", dir, picture.ErrOutput, causeOf(err))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("-frames %s: %w: cannot read the directory: %v", dir, picture.ErrOutput, causeOf(err))
	}
	f := &frameDir{dir: dir}
	var others []string
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		switch {
		case !e.Type().IsRegular() || !frameName.MatchString(name) && !frameTemp.MatchString(name):
			others = append(others, name)
		case sameFile(path, in) || sameFile(path, out):
			return nil, fmt.Errorf("-frames %s: %w: %s is the exemplar or the output, and the frames of an earlier run there are removed; give another directory", dir, picture.ErrOutput, name)
		default:
			f.stale = append(f.stale, path)
		}
	}
	if len(others) > 0 {
		return nil, fmt.Errorf("-frames %s: %w: the directory holds other files than frames (%s); give a new or empty directory, or one with only the frames of an earlier run (frame-NNNNN.png), which this run replaces", dir, picture.ErrOutput, list(others))
	}
	if frameName.MatchString(filepath.Base(out)) && inDir(out, dir) {
		return nil, fmt.Errorf("%s: %w: a frame would be written over the output; give the output another name or directory", out, picture.ErrOutput)
	}
	if err := picture.CheckWritable(filepath.Join(dir, "frame.png")); err != nil {
		return nil, err
	}
	return f, nil
}

// write writes the frame of iteration iter, first removing the earlier run's frames and saying
// so on w.
func (f *frameDir) write(iter int, m *picture.RGB, w io.Writer) error {
	if f.stale != nil {
		for _, path := range f.stale {
			if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("-frames %s: %w: cannot remove an earlier run's %s: %v", f.dir, picture.ErrOutput, filepath.Base(path), causeOf(err))
			}
		}
		fmt.Fprintf(w, "note: -frames %s: removed %d files of an earlier run\n", f.dir, len(f.stale))
		f.stale = nil
	}
	return picture.WritePNG(filepath.Join(f.dir, fmt.Sprintf("frame-%05d.png", iter)), m)
}

// list names up to three files.
func list(names []string) string {
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
	}
	return strings.Join(names, ", ")
}

// causeOf strips the operation and path from an os error, since the message names the path.
func causeOf(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
