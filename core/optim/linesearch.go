package optim

import "math"

// Line-search settings. c1 and c2 are the usual strong-Wolfe constants for quasi-Newton methods
// (Nocedal & Wright, and PyTorch's L-BFGS); 20 evaluations per step is close to PyTorch's 25 and
// is rarely reached once the history has the objective's scale.
const (
	armijoC1     = 1e-4
	wolfeC2      = 0.9
	maxLineEvals = 20
	// firstMove is how far, as a fraction of the box's width, the first trial of a step without
	// history moves the coordinate that moves most: 1% of [0,1] for an image is a modest change
	// that the extrapolation can grow tenfold per evaluation.
	firstMove = 0.01
)

// linePoint is one trial of the line search: the step length a, the value φ(a) = f(P(x0 + a·d))
// and the slope φ'(a) along the projected path.
type linePoint struct{ a, f, slope float64 }

// search looks for a step length along the projected path P(x0 + a·d) that satisfies the strong
// Wolfe conditions, starting with a and given the slope gᵀd < 0 at x0 (Nocedal & Wright,
// algorithms 3.5 and 3.6, with PyTorch's cubic interpolation and bounds). It returns the best
// point found that satisfies the sufficient-decrease condition, with its gradient in gLo, or the
// start point (a = 0) if there is none within maxLineEvals evaluations. x is used as the trial
// buffer and is left at the last trial.
//
// The path bends where coordinates reach a bound, so sufficient decrease is measured against the
// actual move, f ≤ f0 + c1·g0ᵀ(x − x0), and the slope counts only the coordinates still moving.
// The path stops changing at aEnd, when every moving coordinate has reached its bound; the search
// never goes past it.
func (o *LBFGS) search(x []float32, f Func, a, slope0 float64) (linePoint, error) {
	start := linePoint{0, o.f0, slope0}
	aEnd := o.pathEnd()
	a = min(a, aEnd)
	// Below this width in a, a bracket's ends differ by about one float32 ulp of x: nothing left
	// to resolve.
	tiny := 1e-7 * normInf(o.x0) / normInf(o.d)
	flat := -wolfeC2 * slope0 // |φ'| at most this: curvature condition met

	lo, prev, hi := start, start, start
	evals := 0
	bracketed := false
	for evals < maxLineEvals {
		cur, ok, err := o.try(x, f, a)
		evals++
		if err != nil {
			return start, err
		}
		if !ok || (prev.a > 0 && cur.f >= prev.f) {
			hi, bracketed = cur, true
			break
		}
		lo = cur
		o.gt, o.gLo = o.gLo, o.gt
		if math.Abs(cur.slope) <= flat || a >= aEnd {
			return lo, nil
		}
		if cur.slope >= 0 {
			hi, bracketed = prev, true
			break
		}
		// Still going down steeply: extrapolate, at most tenfold and not past the path's end.
		top := min(10*a, aEnd)
		next := cubicMin(prev, cur, min(a+0.01*(a-prev.a), top), top)
		prev, a = cur, next
	}
	// Zoom: lo satisfies sufficient decrease and is the lowest such point seen, hi does not or
	// is higher, and the minimiser sought lies between them.
	for bracketed && evals < maxLineEvals {
		width := math.Abs(hi.a - lo.a)
		if width <= tiny {
			break
		}
		// Keep the trial a tenth of the bracket away from its ends so the bracket always shrinks.
		left, right := min(lo.a, hi.a), max(lo.a, hi.a)
		a = cubicMin(lo, hi, left+0.1*width, right-0.1*width)
		cur, ok, err := o.try(x, f, a)
		evals++
		if err != nil {
			return start, err
		}
		if !ok || cur.f >= lo.f {
			hi = cur
			continue
		}
		o.gt, o.gLo = o.gLo, o.gt
		if math.Abs(cur.slope) <= flat {
			return cur, nil
		}
		if cur.slope*(hi.a-lo.a) >= 0 {
			hi = lo
		}
		lo = cur
	}
	return lo, nil
}

// try moves x to P(x0 + a·d), evaluates it (gradient into gt) and reports whether the point
// decreases f enough: g0ᵀ(x − x0) < 0 and f ≤ f0 + c1·g0ᵀ(x − x0).
func (o *LBFGS) try(x []float32, f Func, a float64) (linePoint, bool, error) {
	o.moveTo(x, a)
	v, err := evaluate(f, x, o.gt, &o.evals)
	if err != nil {
		return linePoint{}, false, err
	}
	var lin, slope float64
	for i, x0 := range o.x0 {
		lin += float64(o.g0[i]) * (float64(x[i]) - float64(x0))
		if u := o.along(i, a); u >= o.box.Lo && u <= o.box.Hi {
			slope += float64(o.gt[i]) * float64(o.d[i])
		}
	}
	return linePoint{a, v, slope}, lin < 0 && v <= o.f0+armijoC1*lin, nil
}

// moveTo sets x = P(x0 + a·d).
func (o *LBFGS) moveTo(x []float32, a float64) {
	for i := range o.x0 {
		x[i] = o.box.clamp(o.along(i, a))
	}
}

// along returns coordinate i of x0 + a·d before projection, rounded to float32 once.
func (o *LBFGS) along(i int, a float64) float32 {
	return float32(float64(o.x0[i]) + a*float64(o.d[i]))
}

// pathEnd returns the step length beyond which P(x0 + a·d) no longer changes (every coordinate
// that moves has reached its bound), +Inf if some coordinate never does.
func (o *LBFGS) pathEnd() float64 {
	end := 0.0
	for i, d := range o.d {
		switch {
		case d > 0:
			end = max(end, (float64(o.box.Hi)-float64(o.x0[i]))/float64(d))
		case d < 0:
			end = max(end, (float64(o.box.Lo)-float64(o.x0[i]))/float64(d))
		}
	}
	return end
}

// cubicMin returns the minimiser of the cubic that matches the values and slopes at p and q,
// clamped to [lo, hi], or the middle of [lo, hi] when the cubic has no minimum (PyTorch's
// _cubic_interpolate, from minFunc).
func cubicMin(p, q linePoint, lo, hi float64) float64 {
	d1 := p.slope + q.slope - 3*(p.f-q.f)/(p.a-q.a)
	d2sq := d1*d1 - p.slope*q.slope
	if d2sq >= 0 {
		d2 := math.Sqrt(d2sq)
		var t float64
		if p.a <= q.a {
			t = q.a - (q.a-p.a)*((q.slope+d2-d1)/(q.slope-p.slope+2*d2))
		} else {
			t = p.a - (p.a-q.a)*((p.slope+d2-d1)/(p.slope-q.slope+2*d2))
		}
		if !math.IsNaN(t) {
			return min(max(t, lo), hi)
		}
	}
	return (lo + hi) / 2
}
