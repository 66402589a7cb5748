// Package input holds the one error kind that means "what the person gave was wrong" — a
// picture, a weights file, a setting — as opposed to a failure of the program. The command line
// exits with code 2 on it and the page's worker reports it as kind "input"; both test it with
// errors.Is(err, input.Err).
//
// Each package keeps its own sentinel for its own inputs (picture.ErrInput, weights.ErrFormat,
// loss.ErrSpec, vgg.ErrTap, synth.ErrSettings), made with New so that it matches Err as well.
package input

import "errors"

// Err is matched by every input error: errors.Is(err, input.Err).
var Err = errors.New("bad input")

// New returns a sentinel error with the given text that also matches Err. Errors that wrap it
// with %w match both, and read as the text says (New adds nothing to it).
func New(text string) error { return &kind{text} }

type kind struct{ text string }

func (k *kind) Error() string { return k.text }

// Is makes errors.Is(k, Err) true.
func (k *kind) Is(target error) bool { return target == Err }
