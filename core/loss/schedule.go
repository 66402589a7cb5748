package loss

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Schedule returns n layer weights, shallowest layer first, from a spec:
//   - "uniform": all 1;
//   - "linear:d": 1, 1+d, 1+2d, … (the seed's np.linspace weights, up to a common factor);
//   - "geometric:q": 1, q, q², … (the seed's np.logspace with base q);
//   - "w1,w2,...": exactly n explicit weights.
//
// Weights must be finite and non-negative, and not all zero. Errors wrap ErrSpec, say what was
// wrong and list what would work.
func Schedule(spec string, n int) ([]float64, error) {
	if n <= 0 {
		return nil, fmt.Errorf("%w: layer weights for %d layers: need at least one layer", ErrSpec, n)
	}
	bad := func(format string, args ...any) error {
		what := fmt.Sprintf(format, args...)
		return fmt.Errorf("%w: layer weights %q: %s; use \"uniform\", \"linear:d\" (1, 1+d, 1+2d, …), \"geometric:q\" (1, q, q², …) or a comma list of %d non-negative numbers", ErrSpec, spec, what, n)
	}
	s := strings.TrimSpace(spec)
	name, arg, hasArg := strings.Cut(s, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	arg = strings.TrimSpace(arg)

	w := make([]float64, n)
	switch {
	case name == "uniform" && !hasArg:
		for i := range w {
			w[i] = 1
		}
		return w, nil
	case name == "linear" || name == "geometric":
		if !hasArg || arg == "" {
			return nil, bad("%s needs a number after the colon", name)
		}
		x, err := strconv.ParseFloat(arg, 64)
		if err != nil {
			return nil, bad("%q is not a number", arg)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, bad("%s must be finite", arg)
		}
		for i := range w {
			if name == "linear" {
				w[i] = 1 + float64(i)*x
			} else {
				w[i] = math.Pow(x, float64(i))
			}
		}
	case hasArg:
		return nil, bad("unknown form %q", name)
	default:
		parts := strings.Split(s, ",")
		if len(parts) == 1 {
			// One word that is not a number is most likely a misspelt form, not a list.
			if _, err := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64); err != nil {
				return nil, bad("unknown form %q", s)
			}
		}
		if len(parts) != n {
			return nil, bad("%d weights for %d layers", len(parts), n)
		}
		for i, p := range parts {
			p = strings.TrimSpace(p)
			x, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return nil, bad("weight %d, %q, is not a number", i+1, p)
			}
			w[i] = x
		}
	}
	for i, x := range w {
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			return nil, bad("layer %d's weight is %v; weights must be finite", i+1, x)
		case x < 0:
			return nil, bad("layer %d's weight is %v; weights must not be negative", i+1, x)
		}
	}
	for _, x := range w {
		if x != 0 {
			return w, nil
		}
	}
	return nil, bad("all weights are zero")
}
