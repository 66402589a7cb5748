//go:build js && wasm

package main

import (
	"encoding/json"
	"syscall/js"

	"github.com/texsynth/texsynth/core/presets"
)

// presetList returns the experiments (core/presets: the seed's Q1–Q6 and the ones beyond it)
// at an output size and iteration count, as the page shows them: presets(size, iters) →
// [{id, title, explanation, preset, cells: [{label, exemplar, settings}]}], settings keyed as
// settingsArg reads them.
func presetList(args []js.Value) (map[string]any, error) {
	size, iters := 64, 100
	if len(args) > 0 && args[0].Type() == js.TypeNumber {
		size = args[0].Int()
	}
	if len(args) > 1 && args[1].Type() == js.TypeNumber {
		iters = args[1].Int()
	}
	qs := presets.All(size, iters)
	list := make([]any, len(qs))
	for i, q := range qs {
		cells := make([]any, len(q.Cells))
		for j, c := range q.Cells {
			b, err := json.Marshal(c.Settings)
			if err != nil {
				return nil, err
			}
			cells[j] = map[string]any{"label": c.Label, "exemplar": c.Exemplar, "settings": parseJSON(camelKeys(b))}
		}
		list[i] = map[string]any{"id": q.ID, "title": q.Title, "explanation": q.Explanation, "preset": q.Preset, "cells": cells}
	}
	return map[string]any{"questions": list}, nil
}
