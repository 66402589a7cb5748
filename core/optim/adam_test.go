package optim

import (
	"math"
	"testing"
)

func TestAdamRosenbrock(t *testing.T) {
	for _, n := range []int{2, 10} {
		x := rosenbrockStart(n)
		o := NewAdam(n, Box{-5, 5}, 0.05)
		steps, f := 0, math.Inf(1)
		for steps < 5000 && f >= 1e-3 {
			var err error
			if f, err = o.Step(x, rosenbrock); err != nil {
				t.Fatal(err)
			}
			steps++
		}
		t.Logf("n=%d: f=%.3g after %d steps, %d evaluations", n, f, steps, o.Evals())
		if f >= 1e-3 {
			t.Errorf("n=%d: f=%g after %d steps, want < 1e-3", n, f, steps)
		}
	}
}

// Adam's first update after Reset moves every coordinate by lr against its gradient's sign (the
// bias-corrected m/√v is g/|g|); with the moments kept, it does not.
func TestAdamReset(t *testing.T) {
	const lr = 0.01
	x := []float32{0.5, -0.25, 1, -1, 2}
	o := NewAdam(len(x), Box{-10, 10}, lr)
	for range 5 {
		if _, err := o.Step(x, quadDiag); err != nil {
			t.Fatal(err)
		}
	}
	g := make([]float32, len(x))
	stepSizes := func() (lo, hi float64) {
		quadDiag(x, g)
		x0 := append([]float32(nil), x...)
		if _, err := o.Step(x, quadDiag); err != nil {
			t.Fatal(err)
		}
		lo = math.Inf(1)
		for i := range x {
			move := (float64(x0[i]) - float64(x[i])) * math.Copysign(1, float64(g[i]))
			lo, hi = min(lo, move), max(hi, move)
		}
		return lo, hi
	}
	if lo, hi := stepSizes(); lo > lr*0.99 && hi < lr*1.01 {
		t.Fatalf("without Reset every move is lr already (%g to %g): the test cannot tell", lo, hi)
	}
	o.Reset()
	lo, hi := stepSizes()
	if math.Abs(lo-lr) > 1e-6 || math.Abs(hi-lr) > 1e-6 {
		t.Errorf("first move after Reset from %g to %g against the gradient, want %g", lo, hi, lr)
	}
}
