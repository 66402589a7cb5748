// Package vgg holds the VGG feature extractor that texture synthesis compares images with:
// the architectures as data (VGG-16 and VGG-19: their conv layers, the 2×2 max pools between
// blocks, the names features are taken from), the padding modes, the Network interface every
// engine implements, and the fast engine — hand-written forward and backward passes on Winograd
// F(4×4,3×3) convolutions and the vector kernels of core/gemm — which is what synthesis runs.
//
// The specification every engine is tested against is the GoMLX graph in core/vgg/reference,
// differentiated by GoMLX's autodiff; it is the "stock" conv path. Engines are chosen by name
// (Build, Settings.Conv in core/synth); an engine outside this package registers itself.
package vgg

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/texsynth/texsynth/core/input"
	"github.com/texsynth/texsynth/weights"
)

// ErrTap is wrapped by errors about unknown or unusable tap names, and about weights that stop
// short of the taps asked for. It is of the input kind (errors.Is(err, input.Err)).
var ErrTap = input.New("vgg: bad layer name")

// Stage is one step of the network: a 3×3 conv followed by its ReLU, or a 2×2 max pool.
type Stage struct {
	Name string // convX_Y or poolX
	Pool bool
}

// Arch is one VGG network's feature part: its stages in order, built from the conv layer list in
// package weights, with a 2×2 max pool after every block but the last (pool5: nothing after it
// is a texture feature).
type Arch struct {
	Name   string              // "VGG-16", "VGG-19"
	Layers []weights.LayerSpec // the conv layers, as weights lists them
	stages []Stage
	// defaultBlocks is how many blocks Default taps: VGG-16 four (the ten ReLUs to relu4_3 the
	// reference sliced Wasserstein results use), VGG-19 three (the eight ReLUs to relu3_4 that
	// its pretrained weights, weights/pretrained, hold).
	defaultBlocks int
}

// The two networks.
var (
	VGG16 = newArch("VGG-16", weights.VGG16, 4)
	VGG19 = newArch("VGG-19", weights.VGG19, 3)
)

// ArchOf returns the network a weights file holds the first layers of (weights.File.Layout).
func ArchOf(w *weights.File) *Arch {
	if len(w.Layout()) == len(weights.VGG19) {
		return VGG19
	}
	return VGG16
}

func newArch(name string, layers []weights.LayerSpec, defaultBlocks int) *Arch {
	a := &Arch{Name: name, Layers: layers, defaultBlocks: defaultBlocks}
	for i, l := range layers {
		if i > 0 && block(l.Name) != block(layers[i-1].Name) {
			a.stages = append(a.stages, Stage{Name: "pool" + strconv.Itoa(block(layers[i-1].Name)), Pool: true})
		}
		a.stages = append(a.stages, Stage{Name: l.Name})
	}
	return a
}

// block is X of convX_Y.
func block(conv string) int {
	x, _, _ := strings.Cut(strings.TrimPrefix(conv, "conv"), "_")
	n, _ := strconv.Atoi(x)
	return n
}

// Stages returns every stage in order (the slice is the Arch's own: do not modify it).
func (a *Arch) Stages() []Stage { return a.stages }

// Taps lists every name a feature can be taken from, in network order.
func (a *Arch) Taps() []string {
	names := make([]string, len(a.stages))
	for i, s := range a.stages {
		names[i] = s.Name
	}
	return names
}

// Convs lists the conv layers' names; a conv name as a tap means its ReLU output.
func (a *Arch) Convs() []string {
	names := make([]string, len(a.Layers))
	for i, l := range a.Layers {
		names[i] = l.Name
	}
	return names
}

// Default is the taps a run gets when it names none: every ReLU output of the first blocks —
// VGG-16's ten up to relu4_3, VGG-19's eight up to relu3_4 (docs/quality.md measured them).
func (a *Arch) Default() []string {
	var taps []string
	for _, l := range a.Layers {
		if block(l.Name) <= a.defaultBlocks {
			taps = append(taps, l.Name)
		}
	}
	return taps
}

// Index returns the position of a tap in Stages. "reluX_Y" is accepted for "convX_Y", since both
// names are in use for the same feature; case and surrounding spaces are ignored. The error for
// a name the network lacks says which names exist.
func (a *Arch) Index(name string) (int, error) {
	n := strings.TrimSpace(strings.ToLower(name))
	if strings.HasPrefix(n, "relu") {
		n = "conv" + strings.TrimPrefix(n, "relu")
	}
	for i, s := range a.stages {
		if s.Name == n {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown layer %q; %s has %s (reluX_Y for convX_Y)", ErrTap, name, a.Name, strings.Join(a.Taps(), ", "))
}

// ParseTaps turns a comma-separated list into canonical tap names in network order. "all" means
// every conv layer (the seed's Q1), "" means Default. A layer named twice (relu1_1 and conv1_1
// are one layer) is refused, so no list is longer than the network.
func (a *Arch) ParseTaps(list string) ([]string, error) {
	switch strings.TrimSpace(list) {
	case "":
		return a.Default(), nil
	case "all":
		return a.Convs(), nil
	}
	names := strings.Split(list, ",")
	for _, name := range names {
		if strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("%w: empty name in the layer list %q; separate names by single commas", ErrTap, list)
		}
	}
	isTap, err := a.mark(names)
	if err != nil {
		return nil, err
	}
	var taps []string
	for i, s := range a.stages {
		if isTap[i] {
			taps = append(taps, s.Name)
		}
	}
	return taps, nil
}

// mark returns, per stage, whether names name it; a name the network lacks, or two names for
// one stage, is an error.
func (a *Arch) mark(names []string) ([]bool, error) {
	isTap := make([]bool, len(a.stages))
	for _, name := range names {
		i, err := a.Index(name)
		if err != nil {
			return nil, err
		}
		if isTap[i] {
			return nil, fmt.Errorf("%w: %s is named twice in the layer list; name each layer once (reluX_Y and convX_Y are the same layer)", ErrTap, a.stages[i].Name)
		}
		isTap[i] = true
	}
	return isTap, nil
}

// Deepest returns the deepest conv layer the taps need, "" for none: weights beyond it are never
// used. Unknown names are ignored.
func (a *Arch) Deepest(taps []string) string {
	deepest := -1
	for _, t := range taps {
		i, err := a.Index(t)
		if err != nil {
			continue
		}
		for i >= 0 && a.stages[i].Pool {
			i--
		}
		deepest = max(deepest, i)
	}
	if deepest < 0 {
		return ""
	}
	return a.stages[deepest].Name
}
