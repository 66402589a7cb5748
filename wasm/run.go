//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"github.com/texsynth/texsynth/core/synth"
)

// The run in progress, if any.
var model *synth.Model

// start prepares a run: start(rgba Uint8ClampedArray, width, height, settings). The exemplar is
// opaque RGBA (from decode, or drawn by the page); settings map onto synth.Settings.
func start(args []js.Value) (map[string]any, error) {
	model = nil
	closeGPUNet()
	if len(args) < 3 {
		return nil, errors.New("start(rgba, width, height, settings)")
	}
	ex, err := exemplarArg(args)
	if err != nil {
		return nil, err
	}
	var sv js.Value
	if len(args) > 3 {
		sv = args[3]
	}
	s, err := settingsArg(sv)
	if err != nil {
		return nil, err
	}
	w, err := weightsForRun(s)
	if err != nil {
		return nil, err
	}
	m, err := synth.New(w, ex, s)
	if err != nil {
		return nil, err
	}
	model = m
	layers := make([]any, 0, len(m.Layers()))
	for _, l := range m.Layers() {
		layers = append(layers, l)
	}
	return map[string]any{
		"layers":   layers,
		"iters":    s.Iters,
		"size":     s.Size,
		"settings": settingsValue(s),
		"weights":  weightsInfo(),
	}, nil
}

// step runs one optimiser iteration of the current run and returns the frame, its pixels a
// new Uint8ClampedArray of opaque RGBA the worker transfers to the page.
func step(args []js.Value) (map[string]any, error) {
	if model == nil {
		return nil, errors.New("no run: call start first")
	}
	if gpuNet != nil && async == 0 {
		return nil, errSync
	}
	f, err := model.Step()
	if err != nil {
		model = nil
		closeGPUNet()
		return nil, err
	}
	img := model.Image()
	return map[string]any{
		"iter": f.Iter, "iters": f.Iters, "loss": f.Loss, "seconds": f.Seconds, "evals": f.Evals,
		"done": model.Done(), "width": img.W, "height": img.H, "pixels": rgbaValue(img),
	}, nil
}

// stop drops the current run and its memory.
func stop(args []js.Value) (map[string]any, error) {
	model = nil
	closeGPUNet()
	return map[string]any{}, nil
}
