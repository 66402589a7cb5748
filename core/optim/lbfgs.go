package optim

import "math"

// LBFGS is a projected limited-memory BFGS: the two-loop recursion over the last few (s, y)
// pairs gives a quasi-Newton direction on the free coordinates, and a strong-Wolfe line search
// follows the projected path P(x + α·d) so that x never leaves the box. It is not L-BFGS-B (no
// Cauchy point, no subspace minimisation); for an image whose pixels rarely sit on a bound for
// long, the projection is enough.
//
// The value and gradient at the end of one step are kept and reused by the next, so a step costs
// only its line-search evaluations, unless the caller moved x in between (then x is evaluated
// again) or called Reset (which a caller must do when it changes the objective).
type LBFGS struct {
	n     int
	box   Box
	evals int

	// History ring: pair k is s[k] = x_{k+1} − x_k, y[k] = g_{k+1} − g_k, rho[k] = 1/(s_kᵀy_k).
	// Stored in float32 like x; every dot product over them is accumulated in float64. The ring
	// has one slot more than the history it keeps, so a new pair is written into a free slot and
	// a rejected one costs nothing.
	s, y    [][]float32
	rho     []float64
	alpha   []float64 // two-loop scratch, one per slot
	newest  int       // slot of the newest pair
	count   int       // pairs held, up to history
	history int       // pairs kept
	gamma   float64   // sᵀy/yᵀy of the newest pair: the initial inverse Hessian H₀ = γI

	anchor // the point the next step starts from
	// stalled is set when even a steepest-descent line search from x0 found no decrease: the
	// objective is deterministic between Resets, so trying again from the same x0 would repeat
	// the same evaluations for nothing.
	stalled bool

	d   []float32 // search direction
	gt  []float32 // gradient at the line search's latest trial
	gLo []float32 // gradient at the line search's best point so far
}

var _ Optimizer = (*LBFGS)(nil)

// NewLBFGS returns a projected L-BFGS for vectors of length n kept inside box, remembering the
// last history (s, y) pairs (10–20 is typical). Every buffer is allocated here, (2·history + 7)·n
// float32 in all, so Step does not allocate. It panics if n < 0, history < 1 or the box is empty:
// those are programming errors, not input errors.
func NewLBFGS(n int, box Box, history int) *LBFGS {
	if n < 0 || history < 1 {
		panic("optim: NewLBFGS needs n >= 0 and history >= 1")
	}
	if err := box.check(); err != nil {
		panic(err)
	}
	slots := history + 1
	o := &LBFGS{
		n:       n,
		box:     box,
		s:       make([][]float32, slots),
		y:       make([][]float32, slots),
		rho:     make([]float64, slots),
		alpha:   make([]float64, slots),
		newest:  slots - 1,
		history: history,
	}
	slab := make([]float32, (2*slots+5)*n)
	next := func() []float32 {
		v := slab[:n:n]
		slab = slab[n:]
		return v
	}
	for k := range slots {
		o.s[k], o.y[k] = next(), next()
	}
	o.x0, o.g0, o.d, o.gt, o.gLo = next(), next(), next(), next(), next()
	return o
}

// Evals returns the number of objective evaluations so far.
func (o *LBFGS) Evals() int { return o.evals }

// Reset forgets the (s, y) history and the cached value and gradient, so the next step evaluates
// x afresh and is a steepest-descent step.
func (o *LBFGS) Reset() {
	o.forget()
	o.valid = false
	o.stalled = false
}

// forget drops the (s, y) history only.
func (o *LBFGS) forget() { o.count = 0 }

// Step runs one L-BFGS iteration on x (projected into the box first if it is outside) and
// returns the objective at the new x. It uses at most 1 + 20 evaluations: one when x is new to
// the optimiser, then the line search's. If the line search finds no decrease, x is left where
// it was, the history is dropped so the next step is steepest descent, and the unchanged value is
// returned; if that was already a steepest-descent step, x is as good as this optimiser can make
// it, and later steps from the same x return at once without evaluating. On error x is back
// where the step started.
func (o *LBFGS) Step(x []float32, f Func) (float64, error) {
	if err := checkLen(x, o.n); err != nil {
		return 0, err
	}
	fresh, err := o.settle(x, f, o.box, &o.evals)
	if err != nil {
		return 0, err
	}
	if fresh {
		o.stalled = false
	}
	if o.stalled {
		return o.f0, nil
	}
	slope := o.direction()
	if slope == 0 {
		// The projected gradient is zero: x is a stationary point of the box problem.
		return o.f0, nil
	}
	a := 1.0
	if o.count == 0 {
		// No curvature known yet, and the objective's scale varies by orders of magnitude between
		// losses, so the first trial moves the farthest coordinate by firstMove of the box's
		// width, whatever the gradient's size; the line search extrapolates from there.
		a = firstMove * o.box.width() / normInf(o.d)
	}
	best, err := o.search(x, f, a, slope)
	if err != nil {
		copy(x, o.x0)
		return 0, err
	}
	if best.a == 0 {
		copy(x, o.x0)
		o.stalled = o.count == 0
		o.forget()
		return o.f0, nil
	}
	o.moveTo(x, best.a)
	o.remember(x)
	copy(o.x0, x)
	o.f0 = best.f
	o.g0, o.gLo = o.gLo, o.g0
	return best.f, nil
}

// direction writes the search direction into d and returns gᵀd, which is negative, or zero when
// the projected gradient is zero. Coordinates pinned at a bound are zeroed in g before the
// two-loop recursion and in d after it, as are those d would push straight out of the box. If
// what remains is not a descent direction, the history is dropped and d is the projected −g.
func (o *LBFGS) direction() float64 {
	q := o.d
	moving := false
	for i, g := range o.g0 {
		q[i] = 0
		if !o.box.pinned(o.x0[i], g) {
			q[i] = g
			moving = moving || g != 0
		}
	}
	if !moving {
		return 0
	}
	if o.count > 0 {
		o.twoLoop(q)
	}
	for i, v := range q {
		d := -v
		if o.box.pinned(o.x0[i], o.g0[i]) || o.box.blocked(o.x0[i], d) {
			d = 0
		}
		q[i] = d
	}
	slope := dot(o.g0, o.d)
	if slope < 0 {
		return slope
	}
	// Also reached when slope is NaN (the history overflowed): start again from the gradient.
	o.forget()
	for i, g := range o.g0 {
		q[i] = 0
		if !o.box.pinned(o.x0[i], g) {
			q[i] = -g
		}
	}
	return dot(o.g0, o.d)
}

// twoLoop replaces q by H·q, H being the L-BFGS inverse Hessian built from the history on top of
// H₀ = γI (Nocedal & Wright, algorithm 7.4).
func (o *LBFGS) twoLoop(q []float32) {
	m := len(o.s)
	k := o.newest
	for range o.count {
		a := o.rho[k] * dot(o.s[k], q)
		o.alpha[k] = a
		addScaled(q, -a, o.y[k])
		k = (k + m - 1) % m
	}
	for i, v := range q {
		q[i] = float32(o.gamma * float64(v))
	}
	for range o.count {
		k = (k + 1) % m
		b := o.rho[k] * dot(o.y[k], q)
		addScaled(q, o.alpha[k]-b, o.s[k])
	}
}

// addScaled sets q += a·v.
func addScaled(q []float32, a float64, v []float32) {
	v = v[:len(q)]
	for i, qi := range q {
		q[i] = float32(float64(qi) + a*float64(v[i]))
	}
}

// remember stores the pair s = x − x0, y = gLo − g0 of the step just taken, unless sᵀy is not
// clearly positive (≤ 1e-10·‖s‖‖y‖): such a pair would make H indefinite, so it is skipped.
func (o *LBFGS) remember(x []float32) {
	m := len(o.s)
	k := (o.newest + 1) % m
	s, y := o.s[k], o.y[k]
	for i, v := range x {
		s[i] = v - o.x0[i]
		y[i] = o.gLo[i] - o.g0[i]
	}
	sy, ss, yy := dot(s, y), dot(s, s), dot(y, y)
	if !(sy > 1e-10*math.Sqrt(ss)*math.Sqrt(yy)) {
		return
	}
	o.rho[k] = 1 / sy
	o.gamma = sy / yy
	o.newest = k
	o.count = min(o.count+1, o.history)
}
