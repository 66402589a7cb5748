// Package optim holds the optimisers that move the synthesised image: a box-constrained
// (projected) L-BFGS with a strong-Wolfe line search, and Adam with clipping. Both work on
// []float32 in place and take one iteration per Step, so the caller can render every iteration.
//
// The objective's scale varies by orders of magnitude between losses, so nothing here depends on
// it: L-BFGS sizes its first move from the box width, then from the curvature it has seen, and
// Adam normalises its steps by the gradient's running magnitude.
//
// Every value and gradient the objective returns is checked; a NaN or an infinity stops the step
// with an error wrapping ErrNotFinite and puts x back where the step started. Neither optimiser
// allocates in Step once it has run once, because Step runs every iteration.
package optim

import (
	"errors"
	"fmt"
	"math"
)

// Func evaluates the objective at x: it writes the gradient into grad (len(x)) and returns the
// value. An error (e.g. the caller found NaN) aborts the step and is returned as is.
type Func func(x, grad []float32) (float64, error)

// Optimizer moves x (in place) one iteration at a time, so a caller can render every iteration.
type Optimizer interface {
	// Step runs one iteration and returns the objective at the new x. On error x is back at the
	// point where the step started.
	Step(x []float32, f Func) (float64, error)
	// Evals returns the number of objective evaluations so far (L-BFGS may evaluate several
	// times per step); Reset does not clear it.
	Evals() int
	// Reset forgets the curvature or moment history and the cached value and gradient. Call it
	// when the objective changes (e.g. new random directions).
	Reset()
}

// ErrNotFinite is wrapped by the error a Step returns when the objective's value or gradient is
// NaN or infinite.
var ErrNotFinite = errors.New("optim: objective or gradient is not finite")

// Names of the optimisers New knows, in the order its error message lists them.
const (
	NameLBFGS = "lbfgs"
	NameAdam  = "adam"
)

// Defaults New uses: a history of 20 pairs is PyTorch's default for L-BFGS; 0.02 moves a pixel in
// [0,1] by at most about 2% per Adam step, small enough to settle and large enough to get there.
const (
	DefaultHistory = 20
	DefaultAdamLR  = 0.02
)

// New returns the optimiser called name ("lbfgs" or "adam") with its default settings, for
// vectors of length n kept inside box.
func New(name string, n int, box Box) (Optimizer, error) {
	if n < 0 {
		return nil, fmt.Errorf("optim: negative length %d", n)
	}
	if err := box.check(); err != nil {
		return nil, err
	}
	switch name {
	case NameLBFGS:
		return NewLBFGS(n, box, DefaultHistory), nil
	case NameAdam:
		return NewAdam(n, box, DefaultAdamLR), nil
	}
	return nil, fmt.Errorf("optim: unknown optimizer %q (valid: %s, %s)", name, NameLBFGS, NameAdam)
}

// evaluate calls f at x, counts the call in *evals and checks what f returned. Errors from f are
// returned as they are; a NaN or infinite value or gradient element gives an error wrapping
// ErrNotFinite that names it and the evaluation's number (1-based, as Evals counts).
func evaluate(f Func, x, grad []float32, evals *int) (float64, error) {
	*evals++
	v, err := f(x, grad)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%w: value is %v at evaluation %d", ErrNotFinite, v, *evals)
	}
	for i, g := range grad {
		// g-g is 0 for finite g and NaN for NaN and ±Inf: one comparison per element.
		if g-g != 0 {
			return 0, fmt.Errorf("%w: gradient[%d] is %v at evaluation %d", ErrNotFinite, i, g, *evals)
		}
	}
	return v, nil
}

// checkLen reports a vector whose length is not the one the optimiser was built for.
func checkLen(x []float32, n int) error {
	if len(x) != n {
		return fmt.Errorf("optim: len(x) is %d, the optimizer was built for %d", len(x), n)
	}
	return nil
}
