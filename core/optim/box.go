package optim

import (
	"fmt"
	"math"
)

// Box is the feasible set: every coordinate is kept in [Lo, Hi]. Infinite bounds are allowed.
type Box struct{ Lo, Hi float32 }

// Project moves every element of x into the box.
func (b Box) Project(x []float32) {
	for i, v := range x {
		x[i] = b.clamp(v)
	}
}

// clamp returns v moved into [Lo, Hi].
func (b Box) clamp(v float32) float32 {
	return min(max(v, b.Lo), b.Hi)
}

// check reports a box that contains no point (or has a NaN bound).
func (b Box) check() error {
	if !(b.Lo <= b.Hi) {
		return fmt.Errorf("optim: empty box [%v, %v]", b.Lo, b.Hi)
	}
	return nil
}

// pinned reports whether coordinate v with gradient g sits on a bound that the gradient pushes
// it through: steepest descent could not move it, so it is left out of the free set.
func (b Box) pinned(v, g float32) bool {
	return (v <= b.Lo && g > 0) || (v >= b.Hi && g < 0)
}

// width is the length the first L-BFGS move is measured against: the box's width, or 1 when the
// box is unbounded (or a single point) and has no natural length.
func (b Box) width() float64 {
	w := float64(b.Hi) - float64(b.Lo)
	if w > 0 && !math.IsInf(w, 0) {
		return w
	}
	return 1
}

// blocked reports whether moving coordinate v in direction d would leave the box at once: the
// projection would cancel that component for every step length, so it is dropped from the
// direction before the descent test rather than silently lost in the line search.
func (b Box) blocked(v, d float32) bool {
	return (v <= b.Lo && d < 0) || (v >= b.Hi && d > 0)
}
