package optim

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// each runs fn on a fresh optimizer of both kinds for vectors of length n in box.
func each(t *testing.T, n int, box Box, fn func(t *testing.T, o Optimizer)) {
	t.Helper()
	t.Run("lbfgs", func(t *testing.T) { fn(t, NewLBFGS(n, box, 10)) })
	t.Run("adam", func(t *testing.T) { fn(t, NewAdam(n, box, 0.01)) })
}

func inBox(x []float32, b Box) bool {
	for _, v := range x {
		if !(v >= b.Lo && v <= b.Hi) {
			return false
		}
	}
	return true
}

func TestNew(t *testing.T) {
	box := Box{0, 1}
	if o, err := New("lbfgs", 3, box); err != nil {
		t.Error(err)
	} else if l, ok := o.(*LBFGS); !ok || l.history != DefaultHistory {
		t.Errorf(`New("lbfgs") = %T, want *LBFGS with history %d`, o, DefaultHistory)
	}
	if o, err := New("adam", 3, box); err != nil {
		t.Error(err)
	} else if a, ok := o.(*Adam); !ok || a.lr != DefaultAdamLR {
		t.Errorf(`New("adam") = %T, want *Adam with lr %g`, o, DefaultAdamLR)
	}
	o, err := New("sgd", 3, box)
	if err == nil || o != nil {
		t.Fatalf(`New("sgd") = %v, %v; want an error`, o, err)
	}
	for _, want := range []string{`"sgd"`, "lbfgs", "adam"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := New("adam", 3, Box{1, 0}); err == nil {
		t.Error("New accepted an empty box")
	}
}

func TestWrongLength(t *testing.T) {
	each(t, 3, Box{0, 1}, func(t *testing.T, o Optimizer) {
		if _, err := o.Step(make([]float32, 4), quadDiag); err == nil {
			t.Error("Step accepted x of the wrong length")
		}
	})
}

// The minimiser of the quadratic lies on the box's faces, the unconstrained one outside: both
// optimizers must reach the projected solution, and no evaluation may see x outside the box,
// even when the caller starts outside it.
func TestBoxQuadratic(t *testing.T) {
	for name, steps := range map[string]int{"lbfgs": 40, "adam": 1500} {
		t.Run(name, func(t *testing.T) {
			x := []float32{-3, 2, 0.5, 0.5, 7, 0.5}
			o, err := New(name, len(x), boxQuadBox)
			if err != nil {
				t.Fatal(err)
			}
			outside := 0
			f := func(x, grad []float32) (float64, error) {
				if !inBox(x, boxQuadBox) {
					outside++
				}
				return boxQuad{1}.eval(x, grad)
			}
			reached := -1
			for k := range steps {
				if _, err := o.Step(x, f); err != nil {
					t.Fatal(err)
				}
				if !inBox(x, boxQuadBox) {
					t.Fatalf("step %d left x outside the box: %v", k+1, x)
				}
				if reached < 0 && boxQuadDist(x) <= 1e-4 {
					reached = k + 1
				}
			}
			t.Logf("within 1e-4 after %d steps; after %d steps, %d evaluations: distance %.2g",
				reached, steps, o.Evals(), boxQuadDist(x))
			if outside > 0 {
				t.Errorf("%d evaluations saw x outside the box", outside)
			}
			if d := boxQuadDist(x); d > 1e-4 {
				t.Errorf("distance to the projected solution %g, x = %v", d, x)
			}
		})
	}
}

// corrupt wraps rosenbrock so that evaluation number bad (1-based) returns the wrong thing.
func corrupt(bad int, what string, calls *int) Func {
	return func(x, grad []float32) (float64, error) {
		*calls++
		v, err := rosenbrock(x, grad)
		if *calls != bad {
			return v, err
		}
		switch what {
		case "value NaN":
			v = math.NaN()
		case "value +Inf":
			v = math.Inf(1)
		case "gradient NaN":
			grad[len(grad)-1] = float32(math.NaN())
		case "gradient -Inf":
			grad[0] = float32(math.Inf(-1))
		case "error":
			return 0, errSentinel
		}
		return v, nil
	}
}

var errSentinel = errors.New("the caller's own error")

// A bad evaluation, wherever it falls in a step, must stop the step with the right error and
// leave x bit for bit where the step started; the optimizer must then carry on.
func TestBadEvaluation(t *testing.T) {
	cases := []struct {
		what string
		bad  int
	}{
		{"value NaN", 1}, {"value NaN", 6}, {"value +Inf", 3}, {"gradient NaN", 9},
		{"gradient -Inf", 2}, {"error", 1}, {"error", 7},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s at %d", c.what, c.bad), func(t *testing.T) {
			each(t, 2, Box{-5, 5}, func(t *testing.T, o Optimizer) {
				calls := 0
				f := corrupt(c.bad, c.what, &calls)
				x := rosenbrockStart(2)
				var err error
				for range 20 {
					before := append([]float32(nil), x...)
					if _, err = o.Step(x, f); err != nil {
						if !sameBits(x, before) {
							t.Errorf("x = %v after the error, want %v", x, before)
						}
						break
					}
				}
				switch {
				case err == nil:
					t.Fatalf("no error in 20 steps (%d evaluations)", calls)
				case c.what == "error":
					if err != errSentinel {
						t.Errorf("error %q, want the Func's own error as is", err)
					}
				case !errors.Is(err, ErrNotFinite):
					t.Errorf("error %q does not wrap ErrNotFinite", err)
				case !strings.Contains(err.Error(), strings.Fields(c.what)[0]) ||
					!strings.Contains(err.Error(), fmt.Sprintf("evaluation %d", c.bad)):
					t.Errorf("error %q does not say %s at evaluation %d", err, strings.Fields(c.what)[0], c.bad)
				}
				if o.Evals() != calls {
					t.Errorf("Evals() = %d, the Func was called %d times", o.Evals(), calls)
				}
				if _, err := o.Step(x, f); err != nil {
					t.Errorf("the step after the error failed too: %v", err)
				}
			})
		})
	}
}

func TestEvals(t *testing.T) {
	each(t, 10, Box{-5, 5}, func(t *testing.T, o Optimizer) {
		calls := 0
		f := func(x, grad []float32) (float64, error) {
			calls++
			return rosenbrock(x, grad)
		}
		x := rosenbrockStart(10)
		for k := range 30 {
			if k == 15 {
				o.Reset()
			}
			if _, err := o.Step(x, f); err != nil {
				t.Fatal(err)
			}
			if o.Evals() != calls {
				t.Fatalf("step %d: Evals() = %d, the Func was called %d times", k+1, o.Evals(), calls)
			}
		}
		t.Logf("%d evaluations in 30 steps", calls)
	})
}

// Three runs, the second on the same optimizer after Reset, must give bit-identical iterates.
func TestDeterministic(t *testing.T) {
	run := func(o Optimizer) [][]float32 {
		x := rosenbrockStart(10)
		var seq [][]float32
		for range 40 {
			if _, err := o.Step(x, rosenbrock); err != nil {
				t.Fatal(err)
			}
			seq = append(seq, append([]float32(nil), x...))
		}
		return seq
	}
	each(t, 10, Box{-5, 5}, func(t *testing.T, o Optimizer) {
		first := run(o)
		o.Reset()
		again := run(o)
		var fresh [][]float32
		switch o.(type) {
		case *LBFGS:
			fresh = run(NewLBFGS(10, Box{-5, 5}, 10))
		case *Adam:
			fresh = run(NewAdam(10, Box{-5, 5}, 0.01))
		}
		for k := range first {
			if !sameBits(first[k], again[k]) || !sameBits(first[k], fresh[k]) {
				t.Fatalf("step %d: %v, after Reset %v, fresh %v", k+1, first[k], again[k], fresh[k])
			}
		}
	})
}

func TestStepDoesNotAllocate(t *testing.T) {
	const n = 64
	target := make([]float32, n)
	for i := range target {
		target[i] = float32(i%7) / 5 // some outside [0,1], so bounds are active
	}
	f := func(x, grad []float32) (float64, error) {
		var v float64
		for i, xi := range x {
			d := float64(xi) - float64(target[i])
			w := float64(1 + i%5)
			v += w * d * d
			grad[i] = float32(2 * w * d)
		}
		return v, nil
	}
	start := make([]float32, n)
	for i := range start {
		start[i] = 0.5
	}
	each(t, n, Box{0, 1}, func(t *testing.T, o Optimizer) {
		x := append([]float32(nil), start...)
		for range 5 {
			if _, err := o.Step(x, f); err != nil {
				t.Fatal(err)
			}
		}
		// Moving x back to the start each time makes every run a full step: a fresh evaluation,
		// a direction from the history, a line search.
		allocs := testing.AllocsPerRun(50, func() {
			copy(x, start)
			if _, err := o.Step(x, f); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Step allocates %v times per call", allocs)
		}
	})
}
