package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/tools/internal/builtin"
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

// loadWeights returns a built-in network by name (the pretrained VGG-19, or the untrained VGG-16
// up to the deepest conv the layers need: the numbers `tools/weights -random -seed 0` writes), or
// reads a weights file of VGG-16 or VGG-19.
func loadWeights(name string, s synth.Settings) (*weights.File, error) {
	if w, ok, err := builtin.Weights(name, s); ok {
		return w, err
	}
	w, err := weights.ReadFile(name)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, usageError{fmt.Sprintf("-weights %s: %v; give a .q8 file or a built-in network: %s", name, pe.Err, strings.Join(builtin.Names(), ", "))}
	}
	if err != nil {
		return nil, err
	}
	return w, w.CheckVGG()
}
