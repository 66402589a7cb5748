//go:build js && wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
	"github.com/texsynth/texsynth/weights/pretrained"
)

// The weights in use: the pretrained VGG-19 the site ships (the default), the built-in untrained
// VGG-16 from a seed, grown on demand up to the deepest conv a run needs, or a file the user
// picked.
var (
	randomSeed      uint64
	randomUpto      string // deepest conv built so far ("" before the first build)
	current         *weights.File
	currentFile     bool // current came from loadWeights or usePretrainedWeights
	pretrainedInUse bool // current is the site's pretrained VGG-19
)

// useRandomWeights selects the built-in untrained VGG-16 from args[0] (the seed, default 0)
// and builds it up to the default layers' deepest conv, so the first run starts at once.
func useRandomWeights(args []js.Value) (map[string]any, error) {
	seed := uint64(0)
	if len(args) > 0 && args[0].Type() == js.TypeNumber {
		seed = uint64(args[0].Int())
	}
	if currentFile || seed != randomSeed || current == nil {
		current, randomUpto, currentFile, pretrainedInUse = nil, "", false, false
	}
	randomSeed = seed
	if err := ensureRandom(defaultDepth()); err != nil {
		return nil, err
	}
	return weightsInfo(), nil
}

// ensureRandom builds the random weights up to the conv layer upto if they stop short of it.
func ensureRandom(upto string) error {
	if current != nil && deeper(randomUpto, upto) {
		return nil
	}
	w, err := weights.Random(randomSeed, upto)
	if err != nil {
		return err
	}
	current, randomUpto = w, upto
	return nil
}

// defaultDepth is the deepest conv layer of VGG-16's default taps: what the built-in weights
// are built to before a run asks for more.
func defaultDepth() string { return vgg.VGG16.Deepest(vgg.VGG16.Default()) }

// deeper tells whether VGG-16 conv layer a is at or beyond conv layer b.
func deeper(a, b string) bool {
	ia, ib := -1, -1
	for i, s := range weights.VGG16 {
		if s.Name == a {
			ia = i
		}
		if s.Name == b {
			ib = i
		}
	}
	return ia >= ib && ia >= 0
}

// loadWeights decodes a .q8 file (weights.Decode verifies its checksum) and checks that it holds
// the first layers of VGG-16 or VGG-19; on success it replaces the weights in use.
func loadWeights(args []js.Value) (map[string]any, error) {
	return useFile("loadWeights", args, false)
}

// usePretrainedWeights selects the pretrained VGG-19 (conv1_1 … conv3_4) from the bytes of the
// site's weights/vgg19-conv3_4.q8: they must be the committed file itself — its SHA-256 is
// pretrained.VGG19SHA256 — so that a damaged download or another file under that name never
// runs as the default. (Only the constant is used: the wasm does not carry the embedded file.)
func usePretrainedWeights(args []js.Value) (map[string]any, error) {
	return useFile("usePretrainedWeights", args, true)
}

// useFile decodes and checks the .q8 file in args[0] and makes it the weights in use; the
// pretrained one must also be the committed file.
func useFile(name string, args []js.Value, isPretrained bool) (map[string]any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("%s(bytes)", name)
	}
	data, err := bytesArg(args[0])
	if err != nil {
		return nil, err
	}
	if isPretrained {
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != pretrained.VGG19SHA256 {
			return nil, fmt.Errorf("the pretrained weights file (%d bytes) is not the one this build ships: SHA-256 %s…, want %s…", len(data), got[:12], pretrained.VGG19SHA256[:12])
		}
	}
	w, err := weights.Decode(data)
	if err != nil {
		return nil, err
	}
	if err := w.CheckVGG(); err != nil {
		return nil, err
	}
	current, currentFile, randomUpto, pretrainedInUse = w, true, "", isPretrained
	return weightsInfo(), nil
}

// keptRandomWeights returns the built-in weights in use as a .q8 file, {bytes, seed}, for the
// worker to keep in the browser: drawing them from the seed is the largest part of the page's
// start (about a second), reading them back about a tenth of that.
func keptRandomWeights(args []js.Value) (map[string]any, error) {
	if current == nil || currentFile {
		return nil, errors.New("the weights in use are not the built-in ones")
	}
	var buf bytes.Buffer
	if err := weights.Encode(&buf, current); err != nil {
		return nil, err
	}
	a := js.Global().Get("Uint8Array").New(buf.Len())
	js.CopyBytesToJS(a, buf.Bytes())
	return map[string]any{"bytes": a, "seed": randomSeed}, nil
}

// useKeptRandomWeights selects the built-in weights from a file keptRandomWeights wrote (args:
// bytes, seed), as useRandomWeights would build them: weights.Decode verifies the numbers
// against their checksum, and the file must say it is the untrained VGG-16 of that seed, a
// prefix of VGG-16 reaching at least the default layers. (The worker keys the file by the wasm
// build that wrote it, so a changed generator never meets an old file.)
func useKeptRandomWeights(args []js.Value) (map[string]any, error) {
	if len(args) < 2 || args[1].Type() != js.TypeNumber {
		return nil, errors.New("useKeptRandomWeights(bytes, seed)")
	}
	data, err := bytesArg(args[0])
	if err != nil {
		return nil, err
	}
	seed := uint64(args[1].Int())
	w, err := weights.Decode(data)
	if err != nil {
		return nil, err
	}
	if err := w.CheckVGG16(); err != nil {
		return nil, err
	}
	last := w.Layers[len(w.Layers)-1].Name
	if w.Provenance != weights.RandomProvenance(seed) || !deeper(last, defaultDepth()) {
		return nil, fmt.Errorf("not the built-in weights of seed %d: %q to %s", seed, w.Provenance, last)
	}
	current, currentFile, randomSeed, randomUpto, pretrainedInUse = w, false, seed, last, false
	return weightsInfo(), nil
}

// arch is the network of the weights in use: a loaded file's (VGG-16 or VGG-19), VGG-16 for the
// built-in weights.
func arch() *vgg.Arch {
	if currentFile && current != nil {
		return vgg.ArchOf(current)
	}
	return vgg.VGG16
}

// weightsForRun returns the weights for a run with settings s: a loaded file as it is (synth.New
// says if it stops short of the layers), the built-in ones grown to the deepest layer s needs.
func weightsForRun(s synth.Settings) (*weights.File, error) {
	if current == nil {
		return nil, errors.New("no weights loaded")
	}
	if !currentFile {
		taps, err := vgg.VGG16.ParseTaps(s.Layers)
		if err != nil {
			return nil, err
		}
		if err := ensureRandom(vgg.VGG16.Deepest(taps)); err != nil {
			return nil, err
		}
	}
	return current, nil
}

// weightsInfo describes the weights in use for the page.
func weightsInfo() map[string]any {
	layers := make([]any, len(current.Layers))
	for i, l := range current.Layers {
		layers[i] = l.Name
	}
	return map[string]any{
		"provenance": current.Provenance,
		"checksum":   current.Checksum(),
		"builtin":    !currentFile,
		"pretrained": pretrainedInUse,
		"seed":       randomSeed,
		"layers":     layers,
	}
}
