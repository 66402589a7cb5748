// Package synth grows a texture: it holds the Model that goes from an exemplar to a new image,
// one optimiser iteration per Step, along exemplar → features → loss → gradient → optimiser →
// frame, and the Settings a run is made of. New builds everything the settings name: the
// network on the chosen engine (core/vgg), the losses (core/loss), the optimiser (core/optim),
// and the levels of a coarse-to-fine run (a single-scale run is one level).
package synth

import (
	"fmt"
	"math"
	"runtime"

	"github.com/texsynth/texsynth/core/input"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/optim"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// ErrSettings is wrapped by errors about a setting that cannot be used: a size, a count, a name
// that does not exist. It is of the input kind (errors.Is(err, input.Err)), as are the errors
// of the packages the settings are handed to (loss.ErrSpec, vgg.ErrTap).
var ErrSettings = input.New("synth: bad settings")

// Settings are everything a run depends on. Equal settings, exemplar and weights give equal
// frames on the same platform.
type Settings struct {
	Size         int    // output side in pixels (square)
	ExemplarSize int    // exemplar is centre-cropped and resized to this side; 0 means Size, -1 keeps it as it is
	Iters        int    // optimiser iterations
	Loss         string // gram, sw, emd, emd-seed
	GramNorm     string // relative or seed (gram only)
	Layers       string // comma list of taps, "all", or "" for the network's default (vgg.Arch.ParseTaps)
	LayerWeights string // uniform, linear:d, geometric:q, or w1,w2,…
	Pad          string // zero, reflect, circular
	Optimizer    string // lbfgs or adam
	Seed         uint64 // start noise and random directions
	Redraw       int    // sw: new random directions every this many loss evaluations
	Conv         string // the engine: fast, or stock (the GoMLX reference) where it is linked (vgg.ParseConv)

	// Beyond the seed. The zero values keep a run without them; for the words, "" is the default.
	Levels          int     `json:",omitempty"` // coarse-to-fine: 0 auto (AutoLevels), 1 single scale, L > 1 an image pyramid of L levels (level.go)
	SpectrumWeight  float64 `json:",omitempty"` // weight of the Fourier-modulus term (spectrum.go); 0 off
	Start           string  `json:",omitempty"` // the start image: grey ("" too) or colour noise on the exemplar's mean colour (level.go)
	Norm            string  `json:",omitempty"` // sw and emd: layer ("" too) or direction (loss.NormLayer, loss.NormDirection)
	FineShare       float64 `json:",omitempty"` // the share of Iters the finest level runs (up to MaxFineShare; 0 an even split over the levels) (level.go)
	Upsample        string  `json:",omitempty"` // how a level's image is doubled for the next: smooth ("" too, picture.Resize) or nearest (each pixel 2×2) (level.go)
	HalfScaleWeight float64 // weight of the half-scale term (not omitempty: its default is 1, and a 0 must survive a round trip through JSON), the texture loss on the image averaged down 2×2 (halfscale.go); 0 off
}

// Defaults are the settings a run gets when nothing is said, chosen by measurement
// (docs/quality.md): sliced Wasserstein on the network's default layers (the pretrained VGG-19's
// eight ReLUs to relu3_4), L-BFGS, zero padding, 128 px in two levels, a grey start (coloured
// noise survives as speckle), the loss normalised per layer, and the half-scale term at weight 1
// (the taps stop at a 44 px receptive field; it holds the coarser light and dark to the
// exemplar's), the fast engine.
func Defaults() Settings {
	return Settings{
		Size:            128,
		ExemplarSize:    0,
		Iters:           100,
		Loss:            "sw",
		GramNorm:        "relative",
		LayerWeights:    "uniform",
		Pad:             "zero",
		Optimizer:       "lbfgs",
		Seed:            1,
		Redraw:          30,
		Conv:            "fast",
		Start:           StartGrey,
		Norm:            loss.NormLayer,
		Upsample:        UpsampleSmooth,
		HalfScaleWeight: 1,
	}
}

// MinSize and MaxSize bound the output side: below 16 px the deep layers have no positions
// left. Natively the bound is 2048 px, where one evaluation takes minutes on two cores and the
// run ~7 GiB with a 512 px exemplar (the network itself runs in tiles of bounded memory:
// core/vgg); in wasm 1024 px, since a WebAssembly memory holds 4 GiB at most.
const MinSize = 16

var MaxSize = func() int {
	if runtime.GOOS == "js" {
		return 1024
	}
	return 2048
}()

// MaxLevels bounds Settings.Levels.
const MaxLevels = 5

// MaxFineShare bounds Settings.FineShare: the coarse levels keep a tenth of the run at least.
const MaxFineShare = 0.9

// MaxIters bounds Settings.Iters: 10 000 iterations are hours even natively at 128 px, so a
// larger number is a typing slip (or a link made to keep a visitor's machine busy).
const MaxIters = 10000

// AutoLevels is what Levels = 0 (the default) means from AutoLevelsFrom px up: two levels (half
// the evaluations at a quarter of the cost, and the coarse level settles the large structures:
// docs/performance.md), and above 256 px one more level per doubling, so that the coarsest
// level is AutoCoarsest px (512 px: three levels from 128 px; 2048 px: five), as long as the
// exemplar, scaled down with the output, keeps AutoExemplarLeast px there; a single scale below
// AutoLevelsFrom px. On the pretrained VGG-19 a single-scale run covers the texture in a fine
// two-pixel checkerboard (pebbles, bricks and water at 64 px, the pebbles at 128 px) that a run
// from half the side does not have, so the pyramid starts at 64 px (a 32 px coarse level;
// docs/quality.md). On the untrained VGG-16 a 64 px run from 32 px looked blocky and lost the
// bricks; `-levels 1` is that run.
const (
	AutoLevels     = 2
	AutoLevelsFrom = 64
	AutoCoarsest   = 128
	// AutoExemplarLeast is the least side of the exemplar at the coarsest auto level: with an
	// exemplar smaller than the output, auto takes fewer levels (synth.New). 32 px is what a
	// 64 px run's coarse level has, which measured well on the pretrained network.
	AutoExemplarLeast = 32
)

// parsed is Settings checked and turned into the types the core uses, once, by New.
type parsed struct {
	taps    []string
	weights []float64
	kind    loss.Kind
	pad     vgg.Pad
	conv    vgg.Conv
	levels  int    // Levels resolved: 1 or more
	start   string // Start resolved
}

// parse checks every setting against the network arch and says what would work instead of
// what was given.
func (s Settings) parse(arch *vgg.Arch) (parsed, error) {
	var p parsed
	var err error
	bad := func(format string, args ...any) (parsed, error) {
		return p, fmt.Errorf("%w: "+format, append([]any{ErrSettings}, args...)...)
	}
	if s.Size < MinSize || s.Size > MaxSize {
		return bad("size %d px is out of range; use %d to %d", s.Size, MinSize, MaxSize)
	}
	if s.ExemplarSize != 0 && s.ExemplarSize != -1 && (s.ExemplarSize < MinSize || s.ExemplarSize > MaxSize) {
		return bad("exemplar size %d px is out of range; use %d to %d, 0 (the output size) or -1 (as it is)", s.ExemplarSize, MinSize, MaxSize)
	}
	if s.Iters < 1 || s.Iters > MaxIters {
		return bad("%d iterations; use 1 to %d", s.Iters, MaxIters)
	}
	if s.Redraw < 1 {
		return bad("redraw every %d evaluations; use 1 or more", s.Redraw)
	}
	if p.taps, err = arch.ParseTaps(s.Layers); err != nil {
		return p, err
	}
	if p.weights, err = loss.Schedule(s.LayerWeights, len(p.taps)); err != nil {
		return p, err
	}
	if p.kind, err = loss.ParseKind(s.Loss); err != nil {
		return p, err
	}
	if s.GramNorm != loss.GramRelative && s.GramNorm != loss.GramSeed {
		return bad("unknown gram normalisation %q; use relative or seed", s.GramNorm)
	}
	if p.pad, err = vgg.ParsePad(s.Pad); err != nil {
		return bad("%v", err)
	}
	if s.Levels < 0 || s.Levels > MaxLevels {
		return bad("%d pyramid levels; use 0 (auto), 1 (single scale) or up to %d", s.Levels, MaxLevels)
	}
	if p.levels = s.resolvedLevels(); s.Size>>(p.levels-1) < MinSize {
		return bad("%d pyramid levels at %d px make the coarsest level %d px; use at most %d levels or a larger size",
			p.levels, s.Size, s.Size>>(p.levels-1), maxLevelsFor(s.Size))
	}
	if math.IsNaN(s.SpectrumWeight) || math.IsInf(s.SpectrumWeight, 0) || s.SpectrumWeight < 0 {
		return bad("spectrum weight %v; use 0 (off) or a positive number such as 1", s.SpectrumWeight)
	}
	if s.Norm != "" && s.Norm != loss.NormLayer && s.Norm != loss.NormDirection {
		return bad("unknown normalisation %q; use layer (each layer by the mean variance of its exemplar projections) or direction (each projection by its own)", s.Norm)
	}
	if math.IsNaN(s.HalfScaleWeight) || math.IsInf(s.HalfScaleWeight, 0) || s.HalfScaleWeight < 0 {
		return bad("half-scale weight %v; use 0 (off) or a positive number such as 1", s.HalfScaleWeight)
	}
	if math.IsNaN(s.FineShare) || s.FineShare < 0 || s.FineShare > MaxFineShare {
		return bad("fine-level share %v; use a fraction of the iterations up to %g, or 0 for an even split", s.FineShare, MaxFineShare)
	}
	if s.Upsample != "" && s.Upsample != UpsampleSmooth && s.Upsample != UpsampleNearest {
		return bad("unknown upsampling %q; use %s (resampled) or %s (each pixel repeated 2×2)", s.Upsample, UpsampleSmooth, UpsampleNearest)
	}
	if p.start, err = parseStart(s.Start); err != nil {
		return p, err
	}
	if p.conv, err = vgg.ParseConv(s.Conv); err != nil {
		return bad("%v", err)
	}
	if _, err = optim.New(s.Optimizer, 1, optim.Box{Lo: 0, Hi: 1}); err != nil {
		return bad("%v", err)
	}
	return p, nil
}

// resolvedLevels resolves Levels = 0.
func (s Settings) resolvedLevels() int {
	switch {
	case s.Levels != 0:
		return s.Levels
	case s.Size >= AutoLevelsFrom:
		l := AutoLevels
		for l < MaxLevels && s.Size>>l >= AutoCoarsest {
			l++
		}
		return l
	default:
		return 1
	}
}

// levelsFor is the number of levels a run takes with an exemplar whose larger side, as the run
// sees it (Exemplar), is exSide: the parsed count, less for auto levels where the exemplar,
// scaled down with the output, would fall below AutoExemplarLeast px at the coarsest level
// (an exemplar smaller than the output keeps enough positions for the deep layers).
func (s Settings) levelsFor(levels, exSide int) int {
	if s.Levels != 0 {
		return levels
	}
	for levels > 1 && exSide>>(levels-1) < AutoExemplarLeast {
		levels--
	}
	return levels
}

func maxLevelsFor(size int) int {
	l := 1
	for l < MaxLevels && size>>l >= MinSize {
		l++
	}
	return l
}

// UntrainedVGG16 returns the untrained VGG-16 (weights.Random, seed 0) up to the deepest conv
// layer the settings' layers need: the network that needs no file (the page draws it in the
// browser; the command line has it as -weights untrained-vgg16).
func UntrainedVGG16(s Settings) (*weights.File, error) {
	taps, err := vgg.VGG16.ParseTaps(s.Layers)
	if err != nil {
		return nil, err
	}
	return weights.Random(0, vgg.VGG16.Deepest(taps))
}
