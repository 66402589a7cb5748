package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
)

// TestReLUAndMask: ReLU and Mask (the vector kernels where there are some, with the Go loop for
// the tail) give the bits of the plain float64 definitions — 0 where x < 0, and g kept only
// where y > 0 — on every length up to a few vectors, with NaN, ±0 and ±Inf among the values.
func TestReLUAndMask(t *testing.T) {
	checkReLUAndMask[float32](t)
	checkReLUAndMask[float64](t)
}

func checkReLUAndMask[T feature.Float](t *testing.T) {
	value := edgeValues[T](rand.New(rand.NewPCG(7, 8)))
	for _, n := range append([]int{0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 64, 1000}, 2, 5, 8, 9) {
		x, g, y := make([]T, n+3), make([]T, n+3), make([]T, n+3)
		for i := range x {
			x[i], g[i], y[i] = value(), value(), value()
		}
		wantX, wantG := make([]T, len(x)), make([]T, len(g))
		for i := range x {
			wantX[i], wantG[i] = x[i], g[i]
			if i < n && float64(x[i]) < 0 {
				wantX[i] = 0
			}
			if i < n && !(float64(y[i]) > 0) {
				wantG[i] = 0
			}
		}
		ReLU(x[:n])
		Mask(g[:n], y)
		for i := range x {
			if bits(x[i]) != bits(wantX[i]) {
				t.Fatalf("%T, n=%d: ReLU gave x[%d] = %v, want %v", x[0], n, i, x[i], wantX[i])
			}
			if bits(g[i]) != bits(wantG[i]) {
				t.Fatalf("%T, n=%d: Mask gave g[%d] = %v (y = %v), want %v", g[0], n, i, g[i], y[i], wantG[i])
			}
		}
	}
}

// bits is v's bit pattern, so that NaN and −0 compare as themselves.
func bits[T feature.Float](v T) uint64 {
	if f, ok := any(v).(float32); ok {
		return uint64(math.Float32bits(f))
	}
	return math.Float64bits(float64(v))
}

// edgeValues returns a source of test values: normal ones, and in a third of the draws NaN,
// ±0, ±Inf, ±1 (ties) or a subnormal.
func edgeValues[T feature.Float](rng *rand.Rand) func() T {
	special := []float64{math.NaN(), math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1), 1, 1, -1, 1e-40, -1e-40}
	return func() T {
		if rng.IntN(3) == 0 {
			return T(special[rng.IntN(len(special))])
		}
		return T(rng.NormFloat64())
	}
}
