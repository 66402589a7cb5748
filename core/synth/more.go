package synth

import (
	"fmt"

	"github.com/texsynth/texsynth/core/loss"
)

// More makes the run end n iterations from now, so that it can Step on from where it stopped or
// ended, with the optimiser's state and history as they were: "continue for n more iterations".
// With coarse-to-fine levels, the levels still to come share the n iterations evenly (the last
// takes the remainder), as New splits a run's iterations, so a run stopped at a coarse level
// still ends at the full size.
func (m *Model) More(n int) error {
	if n < 1 || m.iter+n > MaxIters {
		return fmt.Errorf("%w: %d more iterations; use 1 to %d (a run has at most %d)", loss.ErrSpec, n, MaxIters-m.iter, MaxIters)
	}
	m.settings.Iters = m.iter + n
	if e := m.ext; e != nil && len(e.ends) > 0 {
		rest := len(e.ends) - e.level
		per := max(n/rest, 1)
		for k := e.level; k < len(e.ends); k++ {
			e.ends[k] = min(m.iter+per*(k-e.level+1), m.settings.Iters)
		}
		e.ends[len(e.ends)-1] = m.settings.Iters
	}
	return nil
}

// Iter and Iters are the iterations done and the iterations the run ends at.
func (m *Model) Iter() int  { return m.iter }
func (m *Model) Iters() int { return m.settings.Iters }
