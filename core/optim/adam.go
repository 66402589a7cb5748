package optim

import "math"

// Adam's fixed settings: the defaults of Kingma & Ba, which PyTorch uses too.
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// Adam is the Adam optimiser with every coordinate clipped to the box after each update. The
// moments do not know about the clipping: a pixel held at a bound keeps its momentum, as in the
// usual clamp-after-step image optimisation.
//
// Step returns the value at the new x, so it evaluates there; the gradient found is kept for the
// next step, which therefore costs one evaluation (two for the first step, or after the caller
// moved x or called Reset).
type Adam struct {
	n     int
	box   Box
	lr    float64
	evals int

	t    int       // updates made since the last Reset
	m, v []float64 // first and second moments, in float64 so tiny squared gradients keep their digits

	anchor           // the point the next step starts from
	g1     []float32 // scratch for the gradient at the next point
}

var _ Optimizer = (*Adam)(nil)

// NewAdam returns Adam with learning rate lr (betas 0.9 and 0.999, eps 1e-8) for vectors of
// length n kept inside box. It panics if n < 0, lr is not positive and finite, or the box is
// empty: those are programming errors, not input errors.
func NewAdam(n int, box Box, lr float64) *Adam {
	if n < 0 || !(lr > 0) || math.IsInf(lr, 0) {
		panic("optim: NewAdam needs n >= 0 and a positive finite lr")
	}
	if err := box.check(); err != nil {
		panic(err)
	}
	return &Adam{
		n:      n,
		box:    box,
		lr:     lr,
		m:      make([]float64, n),
		v:      make([]float64, n),
		anchor: anchor{x0: make([]float32, n), g0: make([]float32, n)},
		g1:     make([]float32, n),
	}
}

// Evals returns the number of objective evaluations so far.
func (o *Adam) Evals() int { return o.evals }

// Reset clears the moments, the bias-correction count and the cached value and gradient.
func (o *Adam) Reset() {
	clear(o.m)
	clear(o.v)
	o.t = 0
	o.valid = false
}

// Step makes one Adam update of x (projected into the box first if it is outside), clips it to
// the box, and returns the objective there. On error x is back where the step started and the
// moments are unchanged.
func (o *Adam) Step(x []float32, f Func) (float64, error) {
	if err := checkLen(x, o.n); err != nil {
		return 0, err
	}
	if _, err := o.settle(x, f, o.box, &o.evals); err != nil {
		return 0, err
	}
	t := o.t + 1
	c1 := 1 - math.Pow(adamBeta1, float64(t))
	c2 := 1 - math.Pow(adamBeta2, float64(t))
	for i, g := range o.g0 {
		m, v := o.moments(i, g)
		x[i] = o.box.clamp(float32(float64(o.x0[i]) - o.lr*(m/c1)/(math.Sqrt(v/c2)+adamEps)))
	}
	value, err := evaluate(f, x, o.g1, &o.evals)
	if err != nil {
		copy(x, o.x0)
		return 0, err
	}
	// Commit the moments only now, so that a failed evaluation leaves them as they were.
	for i, g := range o.g0 {
		o.m[i], o.v[i] = o.moments(i, g)
	}
	o.t = t
	copy(o.x0, x)
	o.f0 = value
	o.g0, o.g1 = o.g1, o.g0
	return value, nil
}

// moments returns coordinate i's moments updated with gradient g, without storing them.
func (o *Adam) moments(i int, g float32) (m, v float64) {
	gg := float64(g)
	return adamBeta1*o.m[i] + (1-adamBeta1)*gg, adamBeta2*o.v[i] + (1-adamBeta2)*gg*gg
}
