// Package floats holds small helpers the core's tests use to compare float32 results with
// float64 references.
package floats

import "math"

// RelErr is the relative error ‖got − want‖ / ‖want‖ (Euclidean norms; the denominator is kept
// above 1e-300). got must be at least as long as want.
func RelErr(got, want []float64) float64 {
	num, den := 0.0, 0.0
	for i := range want {
		d := got[i] - want[i]
		num += d * d
		den += want[i] * want[i]
	}
	return math.Sqrt(num / max(den, 1e-300))
}

// Widen converts v to float64.
func Widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// ToF32 converts v to float32, rounding each value to nearest.
func ToF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
