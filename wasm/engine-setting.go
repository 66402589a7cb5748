//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall/js"

	"github.com/texsynth/texsynth/core/input"
	"github.com/texsynth/texsynth/core/synth"
)

// engineSetting is the page's choice of engine, a row of the one settings table beside the
// core's (synth.Fields): it is in the schema, read from the form, a link, an attribute, and
// checked by describe like the others. It is the page's alone: the command line has no WebGPU,
// so synth.Settings does not hold it, and settingsArg never sees it (the worker turns it into
// Settings.Conv through engineFor).
var engineSetting = synth.Field{Name: "engine", Kind: "choice", Options: []string{"auto", "webgpu", "wasm"}, Default: "auto"}

// checkEngine refuses an engine that is no option, and webgpu where the browser gave no
// adapter, with what would work.
func checkEngine(v string) error {
	switch v {
	case "auto", "wasm":
		return nil
	case "webgpu":
		if gpuState.probed && gpuState.dev == nil && gpuState.failed == "" {
			return fmt.Errorf("%w: this browser gives no WebGPU adapter%s; use auto or wasm", synth.ErrSettings, missingWhy())
		}
		return nil
	}
	return fmt.Errorf("%w: unknown engine %q; use auto, webgpu or wasm", synth.ErrSettings, v)
}

// schemaWithEngine is schema with the engine row.
func schemaWithEngine(args []js.Value) (map[string]any, error) {
	r, err := schema(args)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(engineSetting)
	if err != nil {
		return nil, err
	}
	r["fields"].(js.Value).Call("push", parseJSON(b))
	return r, nil
}

// describeWithEngine is describe for settings that may name an engine: the core reads the others,
// checkEngine this one; settings and errors hold it as they hold the rest.
func describeWithEngine(args []js.Value) (map[string]any, error) {
	if len(args) < 1 || args[0].Type() != js.TypeObject {
		return describe(args)
	}
	given := args[0].Get("engine")
	rest := js.Global().Get("Object").Call("assign", js.Global().Get("Object").New(), args[0])
	js.Global().Get("Reflect").Call("deleteProperty", rest, "engine")
	r, err := describe(append([]js.Value{rest}, args[1:]...))
	if err != nil {
		return nil, err
	}
	engine := "auto"
	if !given.IsUndefined() && !given.IsNull() {
		v := strings.ToLower(strings.TrimSpace(js.Global().Call("String", given).String()))
		if err := checkEngine(v); err != nil {
			r["errors"].(map[string]any)["engine"] = input.Message(err)
			delete(r, "plan")
		} else {
			engine = v
		}
	}
	r["settings"].(js.Value).Set("engine", engine)
	return r, nil
}
