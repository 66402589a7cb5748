package main

import (
	"fmt"
	"io"

	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/core/vgg"
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
	w, err := loadWeights(c.weightsPath, c.settings.Layers)
	if err != nil {
		return err
	}
	conv, err := vgg.ParseConv(c.settings.Conv)
	if err != nil {
		return usageError{err.Error()}
	}
	backend, err := vgg.NewBackend(conv)
	if err != nil {
		return err
	}
	model, err := synth.New(backend, w, exemplar, c.settings)
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

// loadWeights reads a weights file, or builds the built-in untrained VGG-16 (seed 0) up to the
// deepest conv the layers need: the same numbers `tools/weights -random -seed 0` writes.
func loadWeights(path, layers string) (*weights.File, error) {
	if path != "" {
		w, err := weights.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return w, w.CheckVGG16()
	}
	taps, err := vgg.ParseTaps(layers)
	if err != nil {
		return nil, err
	}
	return weights.Random(0, vgg.DeepestConv(taps))
}
