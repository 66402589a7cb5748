package synth

import (
	"errors"
	"fmt"
	"time"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/optim"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// ErrDiverged is returned by Step when the loss or its gradient stops being a finite number.
var ErrDiverged = errors.New("synthesis diverged")

// Model is one synthesis run: the network, the exemplar, the levels of the run (coarse to fine;
// a single-scale run has one), and the current level's loss, optimiser and image. Each Step is
// one optimiser iteration and yields a Frame.
type Model struct {
	settings Settings
	p        parsed
	w        *weights.File
	net      vgg.Network[float32]
	exemplar *picture.RGB // prepared (cropped, scaled) at full resolution
	levels   []level
	level    int // the current one

	// The current level's state (level.go).
	levelEx     *picture.RGB // the exemplar at the level's scale
	size        int          // the side of x
	x           []float32    // the image: size×size×3 in [0,1]
	loss        *loss.Set[float32]
	opt         optim.Optimizer
	redrawAt    int // the level's evaluation count at which sw directions are next redrawn
	evalsBefore int // loss evaluations of the finished levels
	spec        *spectrumTarget
	half        *halfScale // the half-scale term, when it is on
	failed      error      // why entering a level failed: the run cannot go on

	iter int
}

// Frame is the state after one Step.
type Frame struct {
	Iter, Iters int
	Loss        float64
	Seconds     float64 // wall time of this step
	Evals       int     // loss evaluations so far, over every level
}

// New prepares a run on the weights' network: it checks the settings, builds the network on the
// engine they name up to the deepest layer in use, and enters the first level (the exemplar's
// features and the loss at that scale, the start image: the exemplar's mean colour plus seeded
// noise).
func New(w *weights.File, exemplar *picture.RGB, s Settings) (*Model, error) {
	p, err := s.parse(vgg.ArchOf(w))
	if err != nil {
		return nil, err
	}
	net, err := vgg.Build(p.conv, w, p.taps, p.pad)
	if err != nil {
		return nil, err
	}
	ex := Exemplar(exemplar, s)
	p.levels = s.levelsFor(p.levels, max(ex.W, ex.H))
	m := &Model{settings: s, p: p, w: w, net: net, exemplar: ex, levels: planLevels(s.Size, p.levels, s.Iters, s.FineShare)}
	if err := m.enterLevel(0); err != nil {
		return nil, err
	}
	return m, nil
}

// redraw draws the sliced Wasserstein loss's new directions. The loss keeps no copy of the
// exemplar's features (loss.Options.Refeed: at 1024 px they are a gigabyte): the network
// computes them again, one forward pass every Settings.Redraw evaluations.
func (m *Model) redraw() error {
	if m.p.kind != loss.KindSW {
		return nil
	}
	if m.half != nil {
		if err := redrawFrom(m.half.net, m.half.loss, m.half.ex); err != nil {
			return err
		}
	}
	return redrawFrom(m.net, m.loss, m.levelEx)
}

// redrawFrom draws set's new directions from the features of ex, which net computes again.
func redrawFrom(net vgg.Network[float32], set *loss.Set[float32], ex *picture.RGB) error {
	feats, err := net.Forward(ex.Pix, ex.H, ex.W)
	if err != nil {
		return err
	}
	return set.RedrawFrom(feats)
}

// evaluate is the optimiser's objective: the network's features, the loss and its gradient
// with respect to them, the network's backward pass to the pixels, and, when asked for, the
// spectrum term.
func (m *Model) evaluate(x, grad []float32) (float64, error) {
	feats, err := m.net.Forward(x, m.size, m.size)
	if err != nil {
		return 0, err
	}
	var value float64
	up := feats
	if f, ok := m.net.(vgg.FreeMaps); ok && f.MapsFree() {
		// A tiled evaluation: the gradient goes over the assembled features.
		value, err = m.loss.EvalInPlace(feats)
	} else {
		value, up, err = m.loss.Eval(feats)
	}
	if err != nil {
		return 0, err
	}
	if err := m.net.Backward(up, grad); err != nil {
		return 0, err
	}
	if m.settings.SpectrumWeight != 0 {
		value += m.spectrumTerm(x, grad)
	}
	if m.half != nil {
		v, err := m.half.term(x, m.size, m.settings.HalfScaleWeight, grad)
		if err != nil {
			return 0, err
		}
		value += v
	}
	return value, nil
}

// Step runs one optimiser iteration and reports it, entering the next level first when the
// current one has had its iterations. With the sliced Wasserstein loss, new random directions
// are drawn every Settings.Redraw evaluations; the optimiser's history is then dropped, since it
// describes a different objective.
func (m *Model) Step() (Frame, error) {
	if m.Done() {
		return Frame{}, fmt.Errorf("synth: all %d iterations are done", m.settings.Iters)
	}
	if m.failed != nil {
		return Frame{}, m.failed
	}
	if m.level+1 < len(m.levels) && m.iter >= m.levels[m.level].end {
		next := m.level + 1
		for next+1 < len(m.levels) && m.iter >= m.levels[next].end {
			next++ // a level More left without iterations
		}
		if err := m.enterLevel(next); err != nil {
			m.failed = err // the level before is released
			return Frame{}, err
		}
	}
	start := time.Now()
	if m.opt.Evals() >= m.redrawAt {
		if err := m.redraw(); err != nil {
			return Frame{}, err
		}
		m.opt.Reset()
		m.redrawAt = m.opt.Evals() + m.settings.Redraw
	}
	value, err := m.opt.Step(m.x, m.evaluate)
	if errors.Is(err, optim.ErrNotFinite) {
		return Frame{}, fmt.Errorf("%w at iteration %d: %v; try fewer or shallower layers, smaller layer weights, or -optimizer adam", ErrDiverged, m.iter+1, err)
	}
	if err != nil {
		return Frame{}, err
	}
	m.iter++
	return Frame{Iter: m.iter, Iters: m.settings.Iters, Loss: value, Seconds: time.Since(start).Seconds(), Evals: m.Evaluations()}, nil
}

// Done tells whether every iteration has run.
func (m *Model) Done() bool { return m.iter >= m.settings.Iters }

// Image returns a copy of the current image (at the current level's size).
func (m *Model) Image() *picture.RGB {
	return &picture.RGB{W: m.size, H: m.size, Pix: append([]float32(nil), m.x...)}
}

// Layers returns the tap names in use, in network order.
func (m *Model) Layers() []string { return m.net.Taps() }

// Evaluations returns the loss evaluations so far, over every level.
func (m *Model) Evaluations() int {
	if m.opt == nil {
		return m.evalsBefore // entering a level failed
	}
	return m.evalsBefore + m.opt.Evals()
}

// Size returns the side of the image being optimised now: Settings.Size, or with coarse-to-fine
// the current level's.
func (m *Model) Size() int { return m.size }
