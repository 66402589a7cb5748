//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"syscall/js"

	"github.com/texsynth/texsynth/core/input"
)

// export installs f as obj[name], turning its error into {error, kind} and a panic into an
// internal error, so that one bad call never ends the Go program.
func export(obj js.Value, name string, f func(args []js.Value) (map[string]any, error)) {
	obj.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer func() {
			if p := recover(); p != nil {
				fmt.Fprintf(os.Stderr, "texsynth: %s: panic: %v\n%s", name, p, debug.Stack())
				result = errorValue(fmt.Errorf("internal error in %s: %v", name, p))
			}
		}()
		r, err := f(args)
		if err != nil {
			return errorValue(err)
		}
		return r
	}))
}

// errorValue is an error as the worker sees it.
func errorValue(err error) map[string]any {
	kind := "internal"
	if isInputError(err) {
		kind = "input"
	}
	return map[string]any{"error": input.Message(err), "kind": kind}
}

// isInputError mirrors the command line's exit code 2: the user's input was at fault.
func isInputError(err error) bool { return errors.Is(err, input.Err) }

// bytesArg copies a Uint8Array (or Uint8ClampedArray, or ArrayBuffer) argument into Go.
func bytesArg(v js.Value) ([]byte, error) {
	if v.InstanceOf(js.Global().Get("ArrayBuffer")) {
		v = js.Global().Get("Uint8Array").New(v)
	}
	if !v.InstanceOf(js.Global().Get("Uint8Array")) && !v.InstanceOf(js.Global().Get("Uint8ClampedArray")) {
		return nil, errors.New("expected bytes (a Uint8Array or an ArrayBuffer)")
	}
	b := make([]byte, v.Get("byteLength").Int())
	js.CopyBytesToGo(b, v)
	return b, nil
}

// exit ends the Go program, as an out-of-memory crash would: worker.js must then report a
// fatal error and the page must recover. Only tests call it.
func exit(args []js.Value) (map[string]any, error) {
	code := 3
	if len(args) > 0 && args[0].Type() == js.TypeNumber {
		code = args[0].Int()
	}
	os.Exit(code)
	return nil, nil
}
