package synth

import "fmt"

// More makes the run end n iterations from now, so that it can Step on from where it stopped or
// ended, with the optimiser's state and history as they were: "continue for n more iterations".
// The levels still to come — the current one if it has iterations left, and every later one —
// share the n iterations as New shares a run's (planLevels), so a run stopped at a coarse level
// still ends at the full size; the levels keep their places in the list Plan gave (LevelEnds).
// Frame.Evals goes on counting from where it was.
func (m *Model) More(n int) error {
	if n < 1 || m.iter+n > MaxIters {
		return fmt.Errorf("%w: %d more iterations; use 1 to %d (a run has at most %d)", ErrSettings, n, MaxIters-m.iter, MaxIters)
	}
	first := m.level
	if m.iter >= m.levels[first].end && first+1 < len(m.levels) {
		first++ // the current level is finished; Step enters the next one
	}
	// With fewer iterations than levels to come, the coarsest of them get none (planLevels): they
	// end now, and Step passes over them.
	rest := planLevels(m.settings.Size, len(m.levels)-first, n, m.settings.FineShare)
	skip := len(m.levels) - len(rest)
	for k := first; k < skip; k++ {
		m.levels[k].end = m.iter
	}
	for k, l := range rest {
		m.levels[skip+k].end = m.iter + l.end
	}
	m.settings.Iters = m.iter + n
	return nil
}

// LevelEnds returns, for each level of the run (coarsest first, as Plan lists them), the
// iteration at which it ends; a level More left without iterations ends where the one before
// it does.
func (m *Model) LevelEnds() []int {
	ends := make([]int, len(m.levels))
	for i, l := range m.levels {
		ends[i] = l.end
	}
	return ends
}

// Iter and Iters are the iterations done and the iterations the run ends at.
func (m *Model) Iter() int  { return m.iter }
func (m *Model) Iters() int { return m.settings.Iters }
