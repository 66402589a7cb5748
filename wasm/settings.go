//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall/js"
	"unicode"
	"unicode/utf8"

	"github.com/texsynth/texsynth/core/synth"
)

// settingsArg maps a JS object onto synth.Settings one to one, through JSON: each field is the
// Go field's name in lowerCamelCase (size, exemplarSize, iters, loss, gramNorm, layers,
// layerWeights, pad, optimizer, seed, redraw, conv, levels, spectrumWeight, …), so a field added
// to synth.Settings reaches the page without a change here. A missing field keeps
// synth.Defaults(); an unknown one is an error. Whether the values make sense is synth.New's
// job, so the page and the command line refuse the same things.
func settingsArg(v js.Value) (synth.Settings, error) {
	s := synth.Defaults()
	if v.IsUndefined() || v.IsNull() {
		return s, nil
	}
	if v.Type() != js.TypeObject {
		return s, fmt.Errorf("%w: settings must be an object", synth.ErrSettings)
	}
	text := js.Global().Get("JSON").Call("stringify", v).String()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("%w: settings: %s", synth.ErrSettings, jsonProblem(err))
	}
	return s, nil
}

// jsonProblem says what was wrong with a settings object in the page's words.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s must be %s, not the %s given", lowerFirst(te.Field), kindName(te.Type.Kind().String()), te.Value)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown setting " + f
	}
	return msg
}

func kindName(k string) string {
	switch {
	case strings.HasPrefix(k, "int"):
		return "a whole number"
	case strings.HasPrefix(k, "uint"):
		return "a whole number, 0 or more"
	case strings.HasPrefix(k, "float"):
		return "a number"
	}
	return "a " + k
}

// settingsValue is s as the page sees it: the names settingsArg reads.
func settingsValue(s synth.Settings) js.Value {
	b, _ := json.Marshal(s) // plain fields: cannot fail
	return parseJSON(camelKeys(b))
}

// camelKeys rewrites the top-level keys of a JSON object from Go's field names to lowerCamelCase.
func camelKeys(b []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return b
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[lowerFirst(k)] = v
	}
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(out)
	return buf.Bytes()
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func parseJSON(b []byte) js.Value {
	return js.Global().Get("JSON").Call("parse", string(b))
}
