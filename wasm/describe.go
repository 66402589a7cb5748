//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"strings"
	"syscall/js"

	"github.com/texsynth/texsynth/core/input"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/synth"
)

// maxSafeSeed is the largest seed a JavaScript number holds exactly: the page's limit, not the
// core's (any uint64).
const maxSafeSeed = 1<<53 - 1

// schema describes every setting as the core accepts it for the network of the weights in use
// (synth.Fields: kinds, bounds, options, defaults; the layers are that network's), keyed by the
// names settingsArg reads, so the page builds its form, reads its links and checks an element's
// attributes from the core's own limits: schema() → {fields: [...], maxSide, minSide} (the
// exemplar's limits, picture.MaxSide and MinSide).
func schema(args []js.Value) (map[string]any, error) {
	fields := synth.Fields(arch())
	for i := range fields {
		fields[i].Name = lowerFirst(fields[i].Name)
		if fields[i].Name == "seed" {
			m := float64(maxSafeSeed)
			fields[i].Max = &m
		}
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	return map[string]any{"fields": parseJSON(b), "maxSide": picture.MaxSide, "minSide": picture.MinSide}, nil
}

// describe reads settings given as text (describe({size: "128", layers: "conv1_1,pool1"},
// exemplarSide)) with the core's parser, synth.ParseFields, for the network of the weights in
// use, and says what a run with them would do (synth.Settings.Plan): {settings, errors: {field: message}, plan: {layers, layerWeights, levels: [{size, iters,
// macs}], memory}}. settings holds every value accepted (the default in place of each refused
// one); plan is there when nothing was refused.
func describe(args []js.Value) (map[string]any, error) {
	if len(args) < 1 || args[0].Type() != js.TypeObject {
		return nil, errors.New("describe(settings as text)")
	}
	text := map[string]string{}
	keys := js.Global().Get("Object").Call("keys", args[0])
	for i := 0; i < keys.Length(); i++ {
		k := keys.Index(i).String()
		v := args[0].Get(k)
		if v.IsUndefined() || v.IsNull() {
			continue
		}
		text[upperFirst(k)] = js.Global().Call("String", v).String()
	}
	side := 0
	if len(args) > 1 && args[1].Type() == js.TypeNumber {
		side = args[1].Int()
	}
	net := arch()
	s, errs := synth.ParseFields(net, text)
	refused := map[string]any{}
	for f, err := range errs {
		refused[lowerFirst(f)] = input.Message(err)
	}
	out := map[string]any{"settings": settingsValue(s), "errors": refused}
	if len(errs) > 0 {
		return out, nil
	}
	p, err := s.Plan(net, side)
	if err != nil {
		refused[""] = input.Message(err)
		return out, nil
	}
	levels := make([]any, len(p.Levels))
	for i, l := range p.Levels {
		levels[i] = map[string]any{"size": l.Size, "iters": l.Iters, "macs": float64(l.MACs)}
	}
	layers := make([]any, len(p.Layers))
	weights := make([]any, len(p.Layers))
	for i := range p.Layers {
		layers[i], weights[i] = p.Layers[i], p.LayerWeights[i]
	}
	out["plan"] = map[string]any{"layers": layers, "layerWeights": weights, "levels": levels, "memory": float64(p.Memory)}
	return out, nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
