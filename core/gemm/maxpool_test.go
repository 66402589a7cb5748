package gemm

import (
	"math/rand/v2"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
)

// TestMax4AndRoute4: Max4 and Route4 (the vector kernels where there are some, the Go loop for
// the tail) give the bits of the plain float64 definition — the first of the four values that no
// later one exceeds, and the gradient added to that one's slot only — on every length up to a
// few vectors, with ties, NaN and ±0 among the values and −0 among the gradients.
func TestMax4AndRoute4(t *testing.T) {
	checkMax4AndRoute4[float32](t)
	checkMax4AndRoute4[float64](t)
}

func checkMax4AndRoute4[T feature.Float](t *testing.T) {
	value := edgeValues[T](rand.New(rand.NewPCG(11, 12)))
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 64, 100} {
		var in, grads [4][]T
		for q := range in {
			in[q], grads[q] = make([]T, n), make([]T, n)
			for k := range n {
				in[q][k], grads[q][k] = value(), value()
			}
		}
		g := make([]T, n)
		for k := range g {
			g[k] = value()
		}
		wantMax := make([]T, n)
		var wantGrads [4][]T
		for q := range wantGrads {
			wantGrads[q] = append([]T(nil), grads[q]...)
		}
		for k := range n {
			best := 0
			for q := 1; q < 4; q++ {
				if float64(in[q][k]) > float64(in[best][k]) {
					best = q
				}
			}
			wantMax[k] = in[best][k]
			wantGrads[best][k] = T(float64(wantGrads[best][k]) + float64(g[k]))
		}
		out := make([]T, n)
		Max4(out, in[0], in[1], in[2], in[3])
		Route4(g, grads[0], grads[1], grads[2], grads[3], in[0], in[1], in[2], in[3])
		for k := range n {
			if bits(out[k]) != bits(wantMax[k]) {
				t.Fatalf("%T, n=%d: Max4 gave %v at %d, want %v (inputs %v %v %v %v)", out[0], n, out[k], k, wantMax[k], in[0][k], in[1][k], in[2][k], in[3][k])
			}
			for q := range grads {
				if bits(grads[q][k]) != bits(wantGrads[q][k]) {
					t.Fatalf("%T, n=%d: Route4 left %v in slot %d at %d, want %v (inputs %v %v %v %v, gradient %v)", out[0], n, grads[q][k], q, k, wantGrads[q][k], in[0][k], in[1][k], in[2][k], in[3][k], g[k])
				}
			}
		}
	}
}
