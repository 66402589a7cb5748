package synth

import (
	"slices"
	"testing"
)

// TestMore: a finished run takes more iterations and steps on at the last level; a run stopped
// at the coarse level shares them with the level to come and ends at the full size; evaluations
// keep counting over every level.
func TestMore(t *testing.T) {
	s := small("sw", "lbfgs")
	s.Size, s.Iters, s.Levels = 32, 4, 2
	m := newModel(t, s)
	var evals int
	for !m.Done() {
		f, err := m.Step()
		if err != nil {
			t.Fatal(err)
		}
		evals = f.Evals
	}
	if err := m.More(0); err == nil {
		t.Error("0 more iterations accepted")
	}
	if err := m.More(MaxIters); err == nil {
		t.Error("more than MaxIters in all accepted")
	}
	if err := m.More(3); err != nil {
		t.Fatal(err)
	}
	for !m.Done() {
		f, err := m.Step()
		if err != nil {
			t.Fatal(err)
		}
		if f.Iters != 7 || m.Size() != 32 || f.Evals <= evals {
			t.Fatalf("iteration %d of %d at %d px, %d evaluations after %d", f.Iter, f.Iters, m.Size(), f.Evals, evals)
		}
		evals = f.Evals
	}
	if m.Iter() != 7 {
		t.Errorf("%d iterations", m.Iter())
	}

	s.Size, s.Iters = 32, 20
	m = newModel(t, s)
	for range 3 {
		if _, err := m.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if m.Size() != 16 {
		t.Fatalf("at %d px after 3 of 20 iterations", m.Size())
	}
	if err := m.More(4); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for !m.Done() {
		if _, err := m.Step(); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, m.Size())
	}
	if ends := m.LevelEnds(); !slices.Equal(ends, []int{5, 7}) {
		t.Errorf("level ends %v after More(4) at iteration 3", ends)
	}
	if m.Iter() != 7 || m.Iters() != 7 || len(sizes) != 4 || sizes[1] != 16 || sizes[2] != 32 {
		t.Errorf("after More(4) at iteration 3: %d of %d, sizes %v", m.Iter(), m.Iters(), sizes)
	}

	// Stopped just as the coarse level ended: the iterations go to the fine level.
	s.Iters = 4
	m = newModel(t, s)
	for range 2 {
		if _, err := m.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.More(1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Step(); err != nil || !m.Done() || m.Size() != 32 {
		t.Errorf("More(1) at the end of the coarse level: %v, done %v, at %d px", err, m.Done(), m.Size())
	}

	// Fewer iterations than levels to come: the coarsest of them are left out, and the run still
	// ends at the full size.
	s.Size, s.Iters, s.Levels = 64, 30, 3
	m = newModel(t, s)
	if _, err := m.Step(); err != nil {
		t.Fatal(err)
	}
	if err := m.More(1); err != nil {
		t.Fatal(err)
	}
	if ends := m.LevelEnds(); !slices.Equal(ends, []int{1, 1, 2}) {
		t.Errorf("level ends %v after More(1) at iteration 1 of three levels", ends)
	}
	if _, err := m.Step(); err != nil || !m.Done() || m.Size() != 64 {
		t.Errorf("More(1) at the first of three levels: %v, done %v, at %d px", err, m.Done(), m.Size())
	}
}
