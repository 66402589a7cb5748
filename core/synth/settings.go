// Package synth grows a texture: it holds the Model that goes from an exemplar to a new image,
// one optimiser iteration per Step, along exemplar → features → loss → gradient → optimiser →
// frame.
package synth

import (
	"fmt"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/optim"
	"github.com/texsynth/texsynth/core/vgg"
)

// Settings are everything a run depends on. Equal settings and exemplar give equal frames on
// the same platform.
type Settings struct {
	Size         int    // output side in pixels (square)
	ExemplarSize int    // exemplar is centre-cropped and resized to this side; 0 means Size, -1 keeps it as it is
	Iters        int    // optimiser iterations
	Loss         string // gram, sw, emd, emd-seed
	GramNorm     string // relative or seed (gram only)
	Layers       string // comma list of taps, "all", or "" for the default ten
	LayerWeights string // uniform, linear:d, geometric:q, or w1,w2,…
	Pad          string // zero, reflect, circular
	Optimizer    string // lbfgs or adam
	Seed         uint64 // start noise and random directions
	Redraw       int    // sw: new random directions every this many loss evaluations
	Conv         string // fast or stock

	// Beyond the seed (extension.go); the zero values keep the single-scale run without them.
	Levels         int     `json:",omitempty"` // coarse-to-fine: 0 auto (AutoLevels), 1 single scale, L > 1 an image pyramid of L levels (pyramid.go)
	SpectrumWeight float64 `json:",omitempty"` // weight of the Fourier-modulus term (spectrum.go); 0 off
}

// Defaults are the settings a run gets when nothing is said: sliced Wasserstein on the ten
// ReLU layers to relu4_3, L-BFGS, zero padding, 128 px.
func Defaults() Settings {
	return Settings{
		Size:         128,
		ExemplarSize: 0,
		Iters:        100,
		Loss:         "sw",
		GramNorm:     "relative",
		LayerWeights: "uniform",
		Pad:          "zero",
		Optimizer:    "lbfgs",
		Seed:         1,
		Redraw:       30,
		Conv:         "fast",
	}
}

// MinSize and MaxSize bound the output side: below 16 px the deep layers have no positions
// left; above 1024 px one evaluation takes minutes and gigabytes.
const MinSize, MaxSize = 16, 1024

// parsed is Settings checked and turned into the types the core uses.
type parsed struct {
	taps    []string
	weights []float64
	kind    loss.Kind
	pad     vgg.Pad
	conv    vgg.Conv
}

// parse checks every setting and says what would work instead of what was given.
func (s Settings) parse() (parsed, error) {
	var p parsed
	var err error
	if s.Size < MinSize || s.Size > MaxSize {
		return p, fmt.Errorf("%w: size %d px is out of range; use %d to %d", loss.ErrSpec, s.Size, MinSize, MaxSize)
	}
	if s.ExemplarSize != 0 && s.ExemplarSize != -1 && (s.ExemplarSize < MinSize || s.ExemplarSize > MaxSize) {
		return p, fmt.Errorf("%w: exemplar size %d px is out of range; use %d to %d, 0 (the output size) or -1 (as it is)", loss.ErrSpec, s.ExemplarSize, MinSize, MaxSize)
	}
	if s.Iters < 1 || s.Iters > MaxIters {
		return p, fmt.Errorf("%w: %d iterations; use 1 to %d", loss.ErrSpec, s.Iters, MaxIters)
	}
	if s.Redraw < 1 {
		return p, fmt.Errorf("%w: redraw every %d evaluations; use 1 or more", loss.ErrSpec, s.Redraw)
	}
	if p.taps, err = vgg.ParseTaps(s.Layers); err != nil {
		return p, err
	}
	if p.weights, err = loss.Schedule(s.LayerWeights, len(p.taps)); err != nil {
		return p, err
	}
	if p.kind, err = loss.ParseKind(s.Loss); err != nil {
		return p, err
	}
	if s.GramNorm != "relative" && s.GramNorm != "seed" {
		return p, fmt.Errorf("%w: unknown gram normalisation %q; use relative or seed", loss.ErrSpec, s.GramNorm)
	}
	if p.pad, err = vgg.ParsePad(s.Pad); err != nil {
		return p, err
	}
	if err = s.parseExtensions(); err != nil {
		return p, err
	}
	if p.conv, err = vgg.ParseConv(s.Conv); err != nil {
		return p, fmt.Errorf("%w: %v", loss.ErrSpec, err)
	}
	if _, err = optim.New(s.Optimizer, 1, optim.Box{Lo: 0, Hi: 1}); err != nil {
		return p, fmt.Errorf("%w: %v", loss.ErrSpec, err)
	}
	return p, nil
}
