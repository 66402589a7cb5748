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

// TestMaxPairsAndRoutePairs: a row of windows at a time (the wasm kernels take a whole row in one
// call) gives the bits of the float64 definition of every window, and leaves the gradients
// beyond the row's pairs alone.
func TestMaxPairsAndRoutePairs(t *testing.T) {
	checkPairs[float32](t)
	checkPairs[float64](t)
}

func checkPairs[T feature.Float](t *testing.T) {
	value := edgeValues[T](rand.New(rand.NewPCG(13, 14)))
	fill := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = value()
		}
		return s
	}
	for _, c := range []int{3, 4, 8, 12, 64} {
		for _, w2 := range []int{1, 2, 5} {
			n := w2 * c
			r0, r1, g := fill(2*n+c), fill(2*n+c), fill(n)
			g0, g1 := fill(2*n+c), fill(2*n+c)
			want0, want1 := append([]T(nil), g0...), append([]T(nil), g1...)
			wantMax := make([]T, n)
			for j := range w2 {
				for k := range c {
					p := 2*j*c + k
					in := [4]*T{&r0[p], &r0[p+c], &r1[p], &r1[p+c]}
					slots := [4]*T{&want0[p], &want0[p+c], &want1[p], &want1[p+c]}
					best := 0
					for q := 1; q < 4; q++ {
						if float64(*in[q]) > float64(*in[best]) {
							best = q
						}
					}
					wantMax[j*c+k] = *in[best]
					*slots[best] = T(float64(*slots[best]) + float64(g[j*c+k]))
				}
			}
			out := make([]T, n)
			MaxPairs(out, r0, r1, c)
			RoutePairs(g, g0, g1, r0, r1, c)
			for i := range out {
				if bits(out[i]) != bits(wantMax[i]) {
					t.Fatalf("%T, c=%d, %d windows: MaxPairs gave %v at %d, want %v", out[0], c, w2, out[i], i, wantMax[i])
				}
			}
			for i := range g0 {
				if bits(g0[i]) != bits(want0[i]) || bits(g1[i]) != bits(want1[i]) {
					t.Fatalf("%T, c=%d, %d windows: RoutePairs left %v, %v at %d, want %v, %v", out[0], c, w2, g0[i], g1[i], i, want0[i], want1[i])
				}
			}
		}
	}
}
