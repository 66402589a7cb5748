package synth

import (
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/optim"
	"github.com/texsynth/texsynth/core/vgg"
)

// A Field describes one setting: its name on the command line and the help said there, the kind
// of value it takes and the values the core accepts, so that the command line's flags, a form, a
// link or an HTML attribute all read the same text and refuse the same values (SetText, Check).
// Check has the last word: a field's limits can depend on another's (the layer weights on the
// layers, the levels on the size).
type Field struct {
	Name    string   `json:"name"`              // the Settings field
	Flag    string   `json:"-"`                 // the command line's flag, without the dash
	Usage   string   `json:"-"`                 // the command line's help (a `word` in it names the flag's value)
	Kind    string   `json:"kind"`              // int, uint, float, choice, layers or text
	Min     *float64 `json:"min,omitempty"`     // numbers: the smallest accepted
	Max     *float64 `json:"max,omitempty"`     // numbers: the largest accepted; none: no bound
	Options []string `json:"options,omitempty"` // choice: every accepted value; layers: every tap, in network order
	Default any      `json:"default"`           // Defaults()' value; layers: the taps "" means
}

func bound(v float64) *float64 { return &v }

// Fields lists every setting in the order ParseFields checks them: a field whose limits depend on
// another comes after it (the layer weights after the layers, the levels after the size). The
// layers' options and default are the network arch's; with a nil arch (the command line, which
// reads its flags before it knows the weights) they are left out. The engines offered are the
// ones linked into the program (vgg.Engines).
func Fields(arch *vgg.Arch) []Field {
	d := Defaults()
	layers := Field{Name: "Layers", Flag: "layers", Kind: "layers",
		Usage: "comma `list` of conv1_1 … conv5_3, pool1 … pool4 (VGG-19 weights: … conv5_4); 'all' = every conv; default: VGG-19's relu1_1 … relu3_4, VGG-16's relu1_1 … relu4_3"}
	if arch != nil {
		layers.Options, layers.Default = arch.Taps(), arch.Default()
	}
	return []Field{
		{Name: "Size", Flag: "size", Kind: "int", Min: bound(MinSize), Max: bound(float64(MaxSize)), Default: d.Size,
			Usage: "output side in `pixels`"},
		{Name: "ExemplarSize", Flag: "exemplar-size", Kind: "int", Min: bound(-1), Max: bound(float64(MaxSize)), Default: d.ExemplarSize,
			Usage: "`side` the exemplar is centre-cropped and resized to; 0 = -size, -1 = as it is"},
		{Name: "Iters", Flag: "iters", Kind: "int", Min: bound(1), Max: bound(MaxIters), Default: d.Iters,
			Usage: "optimiser `iterations`"},
		{Name: "Loss", Flag: "loss", Kind: "choice", Default: d.Loss,
			Options: []string{string(loss.KindSW), string(loss.KindGram), string(loss.KindEMD), string(loss.KindEMDSeed)},
			Usage:   "`loss`: sw (sliced Wasserstein), gram, emd (per channel), emd-seed (the seed's, sorted along channels)"},
		{Name: "GramNorm", Flag: "gram-norm", Kind: "choice", Options: []string{loss.GramRelative, loss.GramSeed}, Default: d.GramNorm,
			Usage: "gram `normalisation`: relative (‖G−T‖²/‖T‖²) or seed (G/(HWC), sum/4)"},
		layers,
		{Name: "LayerWeights", Flag: "layer-weights", Kind: "text", Default: d.LayerWeights,
			Usage: "`schedule`: uniform, linear:D, geometric:Q or w1,w2,… (one per layer)"},
		{Name: "Pad", Flag: "pad", Kind: "choice", Options: []string{string(vgg.PadZero), string(vgg.PadReflect), string(vgg.PadCircular)}, Default: d.Pad,
			Usage: "`padding`: zero, reflect, circular (tileable output)"},
		{Name: "Optimizer", Flag: "optimizer", Kind: "choice", Options: []string{optim.NameLBFGS, optim.NameAdam}, Default: d.Optimizer,
			Usage: "`optimiser`: lbfgs or adam"},
		{Name: "Seed", Flag: "seed", Kind: "uint", Min: bound(0), Default: d.Seed,
			Usage: "`seed` for the start noise and the random directions"},
		{Name: "Redraw", Flag: "redraw", Kind: "int", Min: bound(1), Default: d.Redraw,
			Usage: "sw: new random directions every `N` loss evaluations"},
		{Name: "Conv", Flag: "conv", Kind: "choice", Options: vgg.Engines(), Default: d.Conv,
			Usage: "`engine`: fast (hand-written kernels, Winograd F(4x4,3x3)) or stock (the GoMLX graph, simplego's conv: the reference, minutes per iteration)"},
		{Name: "Levels", Flag: "levels", Kind: "int", Min: bound(0), Max: bound(MaxLevels), Default: d.Levels,
			Usage: "coarse-to-fine: run `L` levels of an image pyramid, each twice the side of the one before; 0 = auto (2 from 64 px up), 1 = single scale"},
		{Name: "SpectrumWeight", Flag: "spectrum-weight", Kind: "float", Min: bound(0), Default: d.SpectrumWeight,
			Usage: "`weight` of the Fourier-modulus term (0 = off)"},
		{Name: "Start", Flag: "start", Kind: "choice", Options: []string{StartGrey, StartColour}, Default: d.Start,
			Usage: "`start` image: grey (the exemplar's mean colour plus grey noise) or colour (plus noise in each channel, which leaves colour speckle)"},
		{Name: "Norm", Flag: "norm", Kind: "choice", Options: []string{loss.NormLayer, loss.NormDirection}, Default: d.Norm,
			Usage: "sw, emd `normalisation`: layer (each layer by the mean variance of the exemplar's projections) or direction (each projection by its own)"},
		{Name: "FineShare", Flag: "fine-share", Kind: "float", Min: bound(0), Max: bound(MaxFineShare), Default: d.FineShare,
			Usage: "with levels: the `share` of the iterations the finest level runs; 0 = an even split"},
		{Name: "Upsample", Flag: "upsample", Kind: "choice", Options: []string{UpsampleSmooth, UpsampleNearest}, Default: d.Upsample,
			Usage: "with levels: how a level's image is `doubled` for the next: smooth (resampled) or nearest (each pixel 2x2)"},
		{Name: "HalfScaleWeight", Flag: "half-scale-weight", Kind: "float", Min: bound(0), Default: d.HalfScaleWeight,
			Usage: "`weight` of the half-scale term: the texture loss on the image averaged down 2x2 (0 = off)"},
	}
}

// Check tells whether a run with these settings can start on the network arch, with the message
// New would give.
func (s Settings) Check(arch *vgg.Arch) error {
	_, err := s.parse(arch)
	return err
}
