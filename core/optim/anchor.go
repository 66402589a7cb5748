package optim

// anchor is the point a step starts from: x0 with its value and gradient. Keeping it between
// steps lets a step reuse the evaluation that ended the previous one.
type anchor struct {
	x0    []float32
	f0    float64
	g0    []float32
	valid bool // x0, f0 and g0 belong to the current objective
}

// settle makes x the anchor: unless it already is, x is projected into the box and evaluated.
// It reports whether it evaluated. On error the anchor is invalid.
func (a *anchor) settle(x []float32, f Func, box Box, evals *int) (bool, error) {
	if a.valid && sameBits(x, a.x0) {
		return false, nil
	}
	box.Project(x)
	v, err := evaluate(f, x, a.g0, evals)
	if err != nil {
		a.valid = false
		return false, err
	}
	copy(a.x0, x)
	a.f0, a.valid = v, true
	return true, nil
}
