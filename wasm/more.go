//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"github.com/texsynth/texsynth/core/synth"
)

// more makes the run that stopped or ended go on for n more iterations (more(n) → {iter,
// iters, ends}), which step then runs with the optimiser's state as it was; ends is the
// iteration at which each level of the run's plan now ends (synth.Model.LevelEnds).
func more(args []js.Value) (map[string]any, error) {
	if model == nil {
		return nil, errors.New("there is no run to continue: start one")
	}
	if len(args) < 1 || args[0].Type() != js.TypeNumber {
		return nil, errors.New("more(iterations)")
	}
	if err := model.More(args[0].Int()); err != nil {
		return nil, err
	}
	ends := []any{}
	for _, e := range model.LevelEnds() {
		ends = append(ends, e)
	}
	return map[string]any{"iter": model.Iter(), "iters": model.Iters(), "ends": ends}, nil
}

// prepared is the exemplar as the run sees it at its last level (synth.Exemplar):
// prepared(rgba, width, height, settings) → {width, height, rgba}, for the page to show beside
// the output at the same scale.
func prepared(args []js.Value) (map[string]any, error) {
	if len(args) < 4 {
		return nil, errors.New("prepared(rgba, width, height, settings)")
	}
	ex, err := exemplarArg(args)
	if err != nil {
		return nil, err
	}
	s, err := settingsArg(args[3])
	if err != nil {
		return nil, err
	}
	img := synth.Exemplar(ex, s)
	return map[string]any{"width": img.W, "height": img.H, "rgba": rgbaValue(img)}, nil
}
