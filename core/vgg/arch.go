// Package vgg runs the VGG-16 feature extractor on GoMLX: the 13 conv layers with ReLU, the 2×2
// max pools between blocks, a choice of padding, and the gradient of a weighted sum of tap
// features with respect to the input image.
package vgg

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTap is wrapped by errors about unknown or unusable tap names.
var ErrTap = errors.New("vgg: bad layer name")

// stage is one step of the network: a 3×3 conv followed by ReLU, or a 2×2 max pool.
type stage struct {
	name string // conv1_1 … conv5_3, pool1 … pool4
	pool bool
}

// stages lists VGG-16's feature part in order, as the seed names the layers. pool5 is left out:
// nothing after it is a texture feature.
var stages = []stage{
	{name: "conv1_1"}, {name: "conv1_2"}, {name: "pool1", pool: true},
	{name: "conv2_1"}, {name: "conv2_2"}, {name: "pool2", pool: true},
	{name: "conv3_1"}, {name: "conv3_2"}, {name: "conv3_3"}, {name: "pool3", pool: true},
	{name: "conv4_1"}, {name: "conv4_2"}, {name: "conv4_3"}, {name: "pool4", pool: true},
	{name: "conv5_1"}, {name: "conv5_2"}, {name: "conv5_3"},
}

// ConvLayers are the 13 conv layers' names; a conv name as a tap means its ReLU output.
var ConvLayers = []string{
	"conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3",
	"conv4_1", "conv4_2", "conv4_3", "conv5_1", "conv5_2", "conv5_3",
}

// Taps lists every name a feature can be taken from, in network order.
func Taps() []string {
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = s.name
	}
	return names
}

// DefaultTaps are the ten ReLU outputs up to relu4_3: what the reference sliced Wasserstein
// results use.
var DefaultTaps = []string{
	"conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3",
	"conv4_1", "conv4_2", "conv4_3",
}

// stageIndex returns the position of a tap in stages. "reluX_Y" is accepted for "convX_Y",
// since both names are in use for the same feature.
func stageIndex(name string) (int, error) {
	n := strings.TrimSpace(strings.ToLower(name))
	if strings.HasPrefix(n, "relu") {
		n = "conv" + strings.TrimPrefix(n, "relu")
	}
	for i, s := range stages {
		if s.name == n {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown layer %q; use conv1_1 … conv5_3 (or relu1_1 …) and pool1 … pool4", ErrTap, name)
}

// ParseTaps turns a comma-separated list into canonical tap names in network order, without
// duplicates. "all" means the 13 conv layers (the seed's Q1); "" means DefaultTaps.
func ParseTaps(list string) ([]string, error) {
	switch strings.TrimSpace(list) {
	case "":
		return DefaultTaps, nil
	case "all":
		return ConvLayers, nil
	}
	seen := make([]bool, len(stages))
	for _, name := range strings.Split(list, ",") {
		i, err := stageIndex(name)
		if err != nil {
			return nil, err
		}
		seen[i] = true
	}
	var taps []string
	for i, s := range stages {
		if seen[i] {
			taps = append(taps, s.name)
		}
	}
	return taps, nil
}

// DeepestConv returns the deepest conv layer the taps need: weights beyond it are never used.
func DeepestConv(taps []string) string {
	deepest := ""
	for _, t := range taps {
		i, err := stageIndex(t)
		if err != nil {
			continue
		}
		for ; i >= 0; i-- {
			if !stages[i].pool {
				break
			}
		}
		if i >= 0 && (deepest == "" || i > mustIndex(deepest)) {
			deepest = stages[i].name
		}
	}
	return deepest
}

func mustIndex(name string) int {
	i, _ := stageIndex(name)
	return i
}

// Float is the element type the network runs in: float32 for synthesis, float64 for gradient
// checks.
type Float interface{ float32 | float64 }
