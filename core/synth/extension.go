package synth

import (
	"fmt"
	"math"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/picture"
)

// extension holds the state of the options beyond the seed (coarse-to-fine levels and the
// spectrum term). It is nil when neither is in use, and the Model then runs exactly as without
// them.
type extension struct {
	exemplar *picture.RGB // the prepared exemplar at full resolution
	p        parsed

	// coarse-to-fine (pyramid.go)
	sizes       []int // output side per level, coarsest first; empty: single scale
	ends        []int // the iteration count at which each level ends
	level       int
	levelEx     *picture.RGB // the exemplar at the current level's scale
	evalsBefore int          // loss evaluations of the finished levels

	// spectrum term (spectrum.go)
	spec *spectrumTarget
}

// MaxLevels bounds Settings.Levels.
const MaxLevels = 5

// AutoLevels is what Levels = 0 (the default) means: two levels from AutoLevelsFrom px up (half
// the evaluations at a quarter of the cost, and the coarse level settles the large structures:
// docs/performance.md), a single scale below. Below 128 px the coarse level is too small to
// hold the exemplar's structure (at 32 px relu4 sees 4×4 positions), and the 50 iterations at
// the fine level do not undo what it settled: a 64 px run from 32 px looked blocky and lost the
// bricks that a single-scale run draws.
const (
	AutoLevels     = 2
	AutoLevelsFrom = 128
)

// levels resolves Levels = 0.
func (s Settings) levels() int {
	switch {
	case s.Levels != 0:
		return s.Levels
	case s.Size >= AutoLevelsFrom:
		return AutoLevels
	default:
		return 1
	}
}

// parseExtensions checks the settings of the options beyond the seed.
func (s Settings) parseExtensions() error {
	if s.Levels < 0 || s.Levels > MaxLevels {
		return fmt.Errorf("%w: %d pyramid levels; use 0 (auto), 1 (single scale) or up to %d", loss.ErrSpec, s.Levels, MaxLevels)
	}
	if s.Levels > 1 && s.Size>>(s.Levels-1) < MinSize {
		return fmt.Errorf("%w: %d pyramid levels at %d px make the coarsest level %d px; use at most %d levels or a larger size",
			loss.ErrSpec, s.Levels, s.Size, s.Size>>(s.Levels-1), maxLevelsFor(s.Size))
	}
	if math.IsNaN(s.SpectrumWeight) || math.IsInf(s.SpectrumWeight, 0) || s.SpectrumWeight < 0 {
		return fmt.Errorf("%w: spectrum weight %v; use 0 (off) or a positive number such as 1", loss.ErrSpec, s.SpectrumWeight)
	}
	return nil
}

func maxLevelsFor(size int) int {
	l := 1
	for l < MaxLevels && size>>l >= MinSize {
		l++
	}
	return l
}

// extend sets up the options beyond the seed once New has built the single-scale model from the
// prepared exemplar ex. Without them it does nothing.
func (m *Model) extend(ex *picture.RGB) error {
	s := m.settings
	if s.Levels <= 1 && s.SpectrumWeight == 0 {
		return nil
	}
	p, err := s.parse()
	if err != nil {
		return err
	}
	m.ext = &extension{exemplar: ex, p: p, levelEx: ex}
	if s.Levels > 1 {
		m.ext.sizes, m.ext.ends = levels(s.Size, s.Levels, s.Iters)
		return m.enterLevel(0)
	}
	return nil
}

// objective is what the optimiser minimises: the network's loss (evaluate) plus, when asked
// for, the spectrum term.
func (m *Model) objective(x, grad []float32) (float64, error) {
	v, err := m.evaluate(x, grad)
	if err != nil || m.ext == nil || m.settings.SpectrumWeight == 0 {
		return v, err
	}
	return v + m.spectrumTerm(x, grad), nil
}

// Evaluations returns the loss evaluations so far, over every pyramid level (Frame.Evals counts
// only the current level's).
func (m *Model) Evaluations() int {
	n := m.opt.Evals()
	if m.ext != nil {
		n += m.ext.evalsBefore
	}
	return n
}

// Size returns the side of the image being optimised now: Settings.Size, or with coarse-to-fine
// the current level's.
func (m *Model) Size() int { return m.size }
