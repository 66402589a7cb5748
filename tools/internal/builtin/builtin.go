// Package builtin names the networks the command-line tools carry, so that every tool spells
// them alike: the pretrained ImageNet VGG-19 to conv3_4 embedded in the binary (weights/pretrained,
// the default) and the untrained VGG-16 drawn from seed 0 (the default before the pretrained
// one, and the network of the seed write-up's experiments).
package builtin

import (
	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/weights"
	"github.com/texsynth/texsynth/weights/pretrained"
)

// The names.
const (
	// PretrainedVGG19 is ImageNet VGG-19, conv1_1 … conv3_4, int8 (pretrained.VGG19): the default.
	PretrainedVGG19 = "pretrained-vgg19"
	// UntrainedVGG16 is VGG-16 with He-normal kernels from seed 0 and zero biases, int8
	// (synth.UntrainedVGG16), built up to the deepest layer the settings use.
	UntrainedVGG16 = "untrained-vgg16"
)

// Names lists the built-in networks, the default first.
func Names() []string { return []string{PretrainedVGG19, UntrainedVGG16} }

// Weights returns the built-in network called name for a run with settings s, and false if no
// built-in network has that name (it is then a file's).
func Weights(name string, s synth.Settings) (*weights.File, bool, error) {
	switch name {
	case PretrainedVGG19:
		w, err := pretrained.VGG19()
		return w, true, err
	case UntrainedVGG16:
		w, err := synth.UntrainedVGG16(s)
		return w, true, err
	}
	return nil, false, nil
}
