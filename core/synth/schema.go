package synth

import (
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/optim"
	"github.com/texsynth/texsynth/core/vgg"
)

// A Field describes one setting: the kind of value it takes and the values the core accepts, so
// that a form, a link or an HTML attribute read the same text and refuse the same values as the
// command line (SetText, Check).
// Check has the last word: a field's limits can depend on another's (the layer weights on the
// layers, the levels on the size).
type Field struct {
	Name    string   `json:"name"`              // the Settings field
	Kind    string   `json:"kind"`              // int, uint, float, choice, layers or text
	Min     *float64 `json:"min,omitempty"`     // numbers: the smallest accepted
	Max     *float64 `json:"max,omitempty"`     // numbers: the largest accepted; none: no bound
	Options []string `json:"options,omitempty"` // choice: every accepted value; layers: every tap, in network order
	Default any      `json:"default"`           // Defaults()' value; layers: the taps "" means
}

func bound(v float64) *float64 { return &v }

// Fields lists every setting in the order ParseFields checks them: a field whose limits depend on
// another comes after it (the layer weights after the layers, the levels after the size). The
// layers' options and default are the network arch's; with a nil arch they are left out. The
// engines offered are the ones linked into the program (vgg.Engines).
func Fields(arch *vgg.Arch) []Field {
	d := Defaults()
	layers := Field{Name: "Layers", Kind: "layers"}
	if arch != nil {
		layers.Options, layers.Default = arch.Taps(), arch.Default()
	}
	return []Field{
		{Name: "Size", Kind: "int", Min: bound(MinSize), Max: bound(MaxSize), Default: d.Size},
		{Name: "ExemplarSize", Kind: "int", Min: bound(-1), Max: bound(MaxSize), Default: d.ExemplarSize},
		{Name: "Iters", Kind: "int", Min: bound(1), Max: bound(MaxIters), Default: d.Iters},
		{Name: "Loss", Kind: "choice", Default: d.Loss,
			Options: []string{string(loss.KindSW), string(loss.KindGram), string(loss.KindEMD), string(loss.KindEMDSeed)}},
		{Name: "GramNorm", Kind: "choice", Options: []string{loss.GramRelative, loss.GramSeed}, Default: d.GramNorm},
		layers,
		{Name: "LayerWeights", Kind: "text", Default: d.LayerWeights},
		{Name: "Pad", Kind: "choice", Options: []string{string(vgg.PadZero), string(vgg.PadReflect), string(vgg.PadCircular)}, Default: d.Pad},
		{Name: "Optimizer", Kind: "choice", Options: []string{optim.NameLBFGS, optim.NameAdam}, Default: d.Optimizer},
		{Name: "Seed", Kind: "uint", Min: bound(0), Default: d.Seed},
		{Name: "Redraw", Kind: "int", Min: bound(1), Default: d.Redraw},
		{Name: "Conv", Kind: "choice", Options: vgg.Engines(), Default: d.Conv},
		{Name: "Levels", Kind: "int", Min: bound(0), Max: bound(MaxLevels), Default: d.Levels},
		{Name: "SpectrumWeight", Kind: "float", Min: bound(0), Default: d.SpectrumWeight},
	}
}

// Check tells whether a run with these settings can start on the network arch, with the message
// New would give.
func (s Settings) Check(arch *vgg.Arch) error {
	_, err := s.parse(arch)
	return err
}
