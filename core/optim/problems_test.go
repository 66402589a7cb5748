package optim

import "math"

// rosenbrock is the chained Rosenbrock function Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0
// at (1, …, 1), computed in float64 from the float32 point.
func rosenbrock(x, grad []float32) (float64, error) {
	clear(grad)
	var f float64
	for i := 0; i+1 < len(x); i++ {
		a, b := float64(x[i]), float64(x[i+1])
		u, w := b-a*a, 1-a
		f += 100*u*u + w*w
		grad[i] += float32(-400*u*a - 2*w)
		grad[i+1] += float32(200 * u)
	}
	return f, nil
}

// rosenbrockStart is the classic start (−1.2, 1) repeated.
func rosenbrockStart(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 1
		if i%2 == 0 {
			x[i] = -1.2
		}
	}
	return x
}

// boxQuad is ½xᵀAx − bᵀx with A tridiagonal and b chosen so that the minimiser over [0,1]⁶ is
// boxQuadSolution, with three coordinates on a bound whose gradient pushes outward (so the
// unconstrained minimiser lies outside the box).
type boxQuad struct{ scale float64 }

var (
	boxQuadDiag     = []float64{4, 30, 5, 12, 3, 6}
	boxQuadOff      = -1.5 // A[i][i+1] = A[i+1][i]
	boxQuadSolution = []float64{0, 0.3, 1, 0.7, 0.55, 1}
	boxQuadGrad     = []float64{2, 0, -1.5, 0, 0, -3} // gradient at the solution: KKT signs
	boxQuadBox      = Box{0, 1}
)

// boxQuadMul returns (A·x)_i.
func boxQuadMul(x []float64, i int) float64 {
	s := boxQuadDiag[i] * x[i]
	if i > 0 {
		s += boxQuadOff * x[i-1]
	}
	if i+1 < len(x) {
		s += boxQuadOff * x[i+1]
	}
	return s
}

func (q boxQuad) eval(x, grad []float32) (float64, error) {
	n := len(boxQuadDiag)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(x[i])
	}
	var f float64
	for i := range n {
		b := boxQuadMul(boxQuadSolution, i) - boxQuadGrad[i]
		ax := boxQuadMul(xs, i)
		f += 0.5*xs[i]*ax - b*xs[i]
		grad[i] = float32(q.scale * (ax - b))
	}
	return q.scale * f, nil
}

// dist returns max |x_i − solution_i|.
func boxQuadDist(x []float32) float64 {
	var d float64
	for i, v := range x {
		d = max(d, math.Abs(float64(v)-boxQuadSolution[i]))
	}
	return d
}
