package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/weights"
)

// synthesize runs the whole job: check what can be checked before the long work, then step
// the model, report progress, and write the result only if it is good.
func synthesize(c config, stdout, stderr io.Writer) error {
	frames, err := checkPaths(c)
	if err != nil {
		return err
	}
	exemplar, notices, err := picture.Load(c.in, picture.MaxSide)
	if err != nil {
		return err
	}
	for _, n := range notices {
		fmt.Fprintf(stderr, "note: %s: %s\n", c.in, n)
	}
	w, err := loadWeights(c.weightsPath, c.settings)
	if err != nil {
		return err
	}
	model, err := synth.New(w, exemplar, c.settings)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "weights: %s\nlayers: %v\n", w.Provenance, model.Layers())

	bar := newProgress(c.progress, c.settings.Iters, stderr)
	for !model.Done() {
		frame, err := model.Step()
		if err != nil {
			bar.abort()
			return fmt.Errorf("%w; nothing was written to %s", err, c.out)
		}
		bar.update(frame)
		if frames != nil && (frame.Iter%c.every == 0 || model.Done()) {
			if err := frames.write(frame.Iter, model.Image(), stderr); err != nil {
				return err
			}
		}
	}
	bar.finish()
	if err := picture.WritePNG(c.out, model.Image()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, c.out)
	return nil
}

// loadWeights reads a weights file (VGG-16 or VGG-19), or builds the built-in untrained VGG-16
// (seed 0) up to the deepest conv the layers need: the same numbers `tools/weights -random
// -seed 0` writes.
func loadWeights(path string, s synth.Settings) (*weights.File, error) {
	if path != "" {
		w, err := weights.ReadFile(path)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, usageError{fmt.Sprintf("-weights %s: %v", path, pe.Err)}
		}
		if err != nil {
			return nil, err
		}
		return w, w.CheckVGG()
	}
	return synth.BuiltinWeights(s)
}
