// Package pretrained holds the pretrained network built into the command-line tools: ImageNet
// VGG-19 (Simonyan and Zisserman, Visual Geometry Group, University of Oxford; CC BY 4.0),
// conv1_1 … conv3_4 at int8, embedded in the binary from vgg19-conv3_4.q8 beside this file,
// whose making, licences and attribution vgg19-conv3_4.md gives.
//
// It is a package of its own so that only a program that uses the embedded bytes carries the
// 2.3 MB: the page's WebAssembly core uses only VGG19SHA256, to check the file it downloads, and
// the linker leaves the unreferenced bytes out (the wasm is the same size with and without the
// import).
package pretrained

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"

	"github.com/texsynth/texsynth/weights"
)

//go:embed vgg19-conv3_4.q8
var vgg19 []byte

//go:embed vgg19-conv3_4.LICENSE-conversion
var conversionLicence string

// VGG19SHA256 is the SHA-256 of vgg19-conv3_4.q8 as committed: VGG19 refuses embedded bytes
// that differ from it, so a damaged or replaced file never runs in its place. `make
// vgg19-weights` rewrites the file; the tests check the two agree (and tools/weights checks the
// file against what that command writes).
const VGG19SHA256 = "4697080e6f82386953f6b0c3b809adac3caccc40df6cff8a64cb0e9234dd9573"

// Attribution names the built-in weights as their licence asks: a program that ships them says
// this, and Licences.
const Attribution = "VGG-19 weights by Karen Simonyan and Andrew Zisserman, Visual Geometry Group, " +
	"University of Oxford (\"Very Deep Convolutional Networks for Large-Scale Image Recognition\", 2014), " +
	"CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); from Keras' ImageNet weights as converted " +
	"to TensorFlow.js by github.com/DavidCai1111/vgg19-tensorflowjs-model (MIT licence, Copyright (c) 2018 " +
	"David Cai); eight layers kept and quantised to int8 by texsynth."

// Licences is the attribution followed by the full MIT notice of the TF.js conversion, which
// must travel with every copy of the weights.
func Licences() string {
	return "Built-in weights: " + Attribution + "\n\nThe TF.js conversion's licence:\n\n" + conversionLicence
}

// VGG19 returns the embedded pretrained VGG-19, conv1_1 … conv3_4, after checking its bytes'
// SHA-256 (and weights.Decode its own checksum of the numbers).
func VGG19() (*weights.File, error) {
	sum := sha256.Sum256(vgg19)
	if got := hex.EncodeToString(sum[:]); got != VGG19SHA256 {
		return nil, fmt.Errorf("pretrained: the embedded vgg19-conv3_4.q8 has SHA-256 %s, not %s: the binary was built from a damaged or different file", got, VGG19SHA256)
	}
	w, err := weights.Decode(vgg19)
	if err != nil {
		return nil, fmt.Errorf("pretrained: the embedded vgg19-conv3_4.q8: %w", err)
	}
	return w, nil
}

// VGG19Bytes returns the embedded file as it is (for writing it out); the caller must not
// modify it.
func VGG19Bytes() []byte { return vgg19 }
