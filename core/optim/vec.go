package optim

import "math"

// dot returns aᵀb accumulated in float64: the vectors are stored in float32, but sums over
// hundreds of thousands of pixels lose too much in float32 for the curvature tests to mean much.
func dot(a, b []float32) float64 {
	b = b[:len(a)]
	var s float64
	for i, v := range a {
		s += float64(v) * float64(b[i])
	}
	return s
}

// normInf returns max |a_i|.
func normInf(a []float32) float64 {
	var m float64
	for _, v := range a {
		m = max(m, math.Abs(float64(v)))
	}
	return m
}

// sameBits reports whether a and b hold bit-identical values; it tells whether the caller moved x
// between steps, which would make the cached value and gradient stale.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	b = b[:len(a)]
	for i, v := range a {
		if math.Float32bits(v) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}
