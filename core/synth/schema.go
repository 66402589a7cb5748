package synth

import (
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/optim"
	"github.com/texsynth/texsynth/core/vgg"
)

// MaxIters bounds Settings.Iters: 10 000 iterations are hours even natively at 128 px, so a
// larger number is a typing slip (or a link made to keep a visitor's machine busy).
const MaxIters = 10000

// A Field describes one setting for a user interface: the kind of value it takes and the values
// the core accepts, so that a form, a link or an HTML attribute offers and refuses exactly what
// the command line does. Check has the last word (a field's limits can depend on another's: the
// layer weights on the layers, the levels on the size).
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
// another comes after it (the layer weights after the layers, the levels after the size).
func Fields() []Field {
	d := Defaults()
	return []Field{
		{Name: "Size", Kind: "int", Min: bound(MinSize), Max: bound(MaxSize), Default: d.Size},
		{Name: "ExemplarSize", Kind: "int", Min: bound(-1), Max: bound(MaxSize), Default: d.ExemplarSize},
		{Name: "Iters", Kind: "int", Min: bound(1), Max: bound(MaxIters), Default: d.Iters},
		{Name: "Loss", Kind: "choice", Options: []string{string(loss.KindSW), string(loss.KindGram), string(loss.KindEMD), string(loss.KindEMDSeed)}, Default: d.Loss},
		{Name: "GramNorm", Kind: "choice", Options: []string{loss.GramRelative, loss.GramSeed}, Default: d.GramNorm},
		{Name: "Layers", Kind: "layers", Options: vgg.Taps(), Default: vgg.DefaultTaps},
		{Name: "LayerWeights", Kind: "text", Default: d.LayerWeights},
		{Name: "Pad", Kind: "choice", Options: []string{string(vgg.PadZero), string(vgg.PadReflect), string(vgg.PadCircular)}, Default: d.Pad},
		{Name: "Optimizer", Kind: "choice", Options: []string{optim.NameLBFGS, optim.NameAdam}, Default: d.Optimizer},
		{Name: "Seed", Kind: "uint", Min: bound(0), Default: d.Seed},
		{Name: "Redraw", Kind: "int", Min: bound(1), Default: d.Redraw},
		{Name: "Conv", Kind: "choice", Options: []string{string(vgg.ConvFast), string(vgg.ConvWinograd2), string(vgg.ConvDirect), string(vgg.ConvGraph), string(vgg.ConvStock)}, Default: d.Conv},
		{Name: "Levels", Kind: "int", Min: bound(0), Max: bound(MaxLevels), Default: d.Levels},
		{Name: "SpectrumWeight", Kind: "float", Min: bound(0), Default: d.SpectrumWeight},
	}
}

// Check tells whether a run with these settings can start, with the message New would give.
func (s Settings) Check() error {
	s.Levels = s.levels()
	_, err := s.parse()
	return err
}
