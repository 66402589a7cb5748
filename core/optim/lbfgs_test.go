package optim

import (
	"math"
	"testing"
)

func TestLBFGSRosenbrock(t *testing.T) {
	inf := float32(math.Inf(1))
	for _, c := range []struct {
		n   int
		box Box
	}{{2, Box{-5, 5}}, {10, Box{-5, 5}}, {2, Box{-inf, inf}}} {
		n := c.n
		x := rosenbrockStart(n)
		o := NewLBFGS(n, c.box, 20)
		steps, f := 0, math.Inf(1)
		for steps < 100 && f >= 1e-6 {
			var err error
			if f, err = o.Step(x, rosenbrock); err != nil {
				t.Fatal(err)
			}
			steps++
		}
		t.Logf("n=%d in %v: f=%.3g after %d steps, %d evaluations", n, c.box, f, steps, o.Evals())
		if f >= 1e-6 {
			t.Errorf("n=%d in %v: f=%g after %d steps, want < 1e-6", n, c.box, f, steps)
		}
	}
}

// The first step is sized from the box, and later ones from the curvature seen, so multiplying
// the objective by 1e6 or 1e-6 must change nothing but rounding: the same first move, the same
// number of evaluations, the same solution.
func TestLBFGSScaleInvariance(t *testing.T) {
	var firstMove []float32
	evals := 0
	for _, scale := range []float64{1, 1e6, 1e-6} {
		x := []float32{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
		o := NewLBFGS(len(x), boxQuadBox, 10)
		f := boxQuad{scale}.eval
		steps := 0
		for steps < 40 && boxQuadDist(x) > 1e-5 {
			if _, err := o.Step(x, f); err != nil {
				t.Fatal(err)
			}
			steps++
			if steps == 1 && firstMove == nil {
				firstMove = append([]float32(nil), x...)
			} else if steps == 1 {
				for i := range x {
					if math.Abs(float64(x[i]-firstMove[i])) > 1e-6 {
						t.Errorf("scale %g: first step to %v, at scale 1 to %v", scale, x, firstMove)
						break
					}
				}
			}
		}
		t.Logf("scale %g: distance %.2g after %d steps, %d evaluations", scale, boxQuadDist(x), steps, o.Evals())
		if d := boxQuadDist(x); d > 1e-4 {
			t.Errorf("scale %g: distance to the solution %g after %d steps", scale, d, steps)
		}
		if evals == 0 {
			evals = o.Evals()
		} else if o.Evals() > evals+2 {
			t.Errorf("scale %g: %d evaluations, %d at scale 1", scale, o.Evals(), evals)
		}
	}
}

// quadDiag is ½ Σ (i+1)·x_i², an ill-conditioned bowl on which a quasi-Newton direction and the
// steepest-descent direction differ.
func quadDiag(x, grad []float32) (float64, error) {
	var f float64
	for i, v := range x {
		a := float64(i + 1)
		f += 0.5 * a * float64(v) * float64(v)
		grad[i] = float32(a * float64(v))
	}
	return f, nil
}

// cosine returns the cosine of the angle between the move x1 − x0 and −g.
func cosine(x0, x1, g []float32) float64 {
	var dg, dd, gg float64
	for i := range x0 {
		d := float64(x1[i]) - float64(x0[i])
		dg -= d * float64(g[i])
		dd += d * d
		gg += float64(g[i]) * float64(g[i])
	}
	return dg / math.Sqrt(dd*gg)
}

func TestLBFGSReset(t *testing.T) {
	const n = 8
	start := []float32{1, -1, 1, -1, 1, -1, 1, -1}
	kept, reset := NewLBFGS(n, Box{-10, 10}, 10), NewLBFGS(n, Box{-10, 10}, 10)
	xk, xr := append([]float32(nil), start...), append([]float32(nil), start...)
	for range 3 {
		if _, err := kept.Step(xk, quadDiag); err != nil {
			t.Fatal(err)
		}
		if _, err := reset.Step(xr, quadDiag); err != nil {
			t.Fatal(err)
		}
	}
	reset.Reset()
	before := reset.Evals()
	g := make([]float32, n)
	quadDiag(xr, g)
	x0 := append([]float32(nil), xr...)
	if _, err := reset.Step(xr, quadDiag); err != nil {
		t.Fatal(err)
	}
	c := cosine(x0, xr, g)
	t.Logf("after Reset: cos(move, −g) = %.9f", c)
	if c < 1-1e-6 {
		t.Errorf("after Reset the move is not along −g: cos = %.9f", c)
	}
	if reset.Evals() < before+2 {
		t.Errorf("after Reset the step used %d evaluations, want the start re-evaluated plus a line search", reset.Evals()-before)
	}
	// The same step without Reset must not be steepest descent, or the check above proves nothing.
	quadDiag(xk, g)
	x0 = append(x0[:0], xk...)
	if _, err := kept.Step(xk, quadDiag); err != nil {
		t.Fatal(err)
	}
	if c := cosine(x0, xk, g); c > 0.999 {
		t.Errorf("without Reset the move is along −g too (cos = %.9f): the test cannot tell", c)
	}
}

// roundedBowl is Σ (x_i − 0.3)² with the target 0.3 in float64, which no float32 reaches: near
// the minimum the gradient never vanishes and no line search finds a decrease.
func roundedBowl(x, grad []float32) (float64, error) {
	var f float64
	for i, v := range x {
		d := float64(v) - 0.3
		f += d * d
		grad[i] = float32(2 * d)
	}
	return f, nil
}

// Once no step decreases f, stepping again must not burn a line search's evaluations every time.
func TestLBFGSStall(t *testing.T) {
	x := []float32{0, 1, 0.5, 0.9}
	o := NewLBFGS(len(x), Box{0, 1}, 5)
	for range 30 {
		if _, err := o.Step(x, roundedBowl); err != nil {
			t.Fatal(err)
		}
	}
	settled := o.Evals()
	for range 30 {
		if _, err := o.Step(x, roundedBowl); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d evaluations in 30 steps, %d in the next 30", settled, o.Evals()-settled)
	if o.Evals() != settled {
		t.Errorf("a stalled optimizer evaluated %d more times", o.Evals()-settled)
	}
	for i, v := range x {
		if math.Abs(float64(v)-0.3) > 1e-7 {
			t.Errorf("x[%d] = %v, want 0.3", i, v)
		}
	}
}
