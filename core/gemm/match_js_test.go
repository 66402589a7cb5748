//go:build js && wasm

package gemm

import (
	"cmp"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"syscall/js"
	"testing"
)

// TestMatchColumns checks the matching kernel against a plain float64 loop: each column sorted
// (ties by position, as a stable sort leaves them; −0 below +0), the exemplar's columns written
// sorted, and the matching's gradient and per-block sums, with and without per-column ratios, in
// place and not. With the worker pool (TEXSYNTH_POOL=N) it also checks that a large call is
// shared between threads and gives the bits of the same call on this thread alone.
func TestMatchColumns(t *testing.T) {
	if columnMatchNow == nil {
		t.Skipf("no matching kernel: %s", kernel)
	}
	rng := rand.New(rand.NewPCG(41, 42))
	value := func() float32 {
		switch rng.IntN(5) {
		case 0:
			return float32(math.Copysign(0, -1))
		case 1:
			return float32(rng.IntN(5)-2) * 0.5
		}
		return float32(rng.NormFloat64())
	}
	for si, s := range [][2]int{{1, 16}, {9, 32}, {200, 16}, {4095, 48}, {5000, 32}, {1024, 64}} {
		n, k := s[0], s[1]
		bits := []int{8, 11}[si%2] // either digit sorts any length
		if MatchColumns(&ColumnMatch{Vals: make([]float32, n*k), N: n, K: k, Targets: make([]float32, n*k), DigitBits: 10, Exemplar: true}) {
			t.Fatalf("%v: 10-bit digits taken", s)
		}
		ex, vals := make([]float32, n*k), make([]float32, n*k)
		for i := range ex {
			ex[i], vals[i] = value(), value()
		}
		targets := make([]float32, n*k)
		if !MatchColumns(&ColumnMatch{Vals: ex, N: n, K: k, Targets: targets, DigitBits: bits, Exemplar: true}) {
			t.Fatalf("%v: the kernel declined the exemplar", s)
		}
		order := func(m []float32, c int) []int {
			o := make([]int, n)
			for i := range o {
				o[i] = i
			}
			bits := func(i int) uint32 { // numeric order, −0 below +0
				b := math.Float32bits(m[i*k+c])
				if b>>31 != 0 {
					return ^b
				}
				return b | 1<<31
			}
			slices.SortStableFunc(o, func(a, b int) int { return cmp.Compare(bits(a), bits(b)) })
			return o
		}
		for c := range k {
			for r, i := range order(ex, c) {
				if math.Float32bits(targets[c*n+r]) != math.Float32bits(ex[i*k+c]) {
					t.Fatalf("%v: column %d sorted [%d] = %v, want %v", s, c, r, targets[c*n+r], ex[i*k+c])
				}
			}
		}
		ratios := make([]float64, k)
		for c := range ratios {
			ratios[c] = 0.5 + rng.Float64()
		}
		for _, withRatios := range []bool{false, true} {
			coef := 0.37
			want, wantSums := make([]float32, n*k), make([]float64, k/MatchBlock)
			for c := range k {
				cf, sum := coef, wantSums[c/MatchBlock]
				if withRatios {
					cf, sum = coef*ratios[c], 0
				}
				for r, i := range order(vals, c) {
					d := float64(vals[i*k+c]) - float64(targets[c*n+r])
					sum += d * d
					want[i*k+c] = float32(cf * d)
				}
				if withRatios {
					wantSums[c/MatchBlock] += ratios[c] * sum
				} else {
					wantSums[c/MatchBlock] = sum
				}
			}
			j := &ColumnMatch{Vals: vals, Out: make([]float32, n*k), N: n, K: k, Targets: targets, DigitBits: bits, Coef: coef,
				Sums: make([]float64, k/MatchBlock)}
			if withRatios {
				j.Ratios = ratios
			}
			check := func(how string, got []float32, sums []float64) {
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v ratios %v, %s: gradient [%d] = %v, want %v", s, withRatios, how, i, got[i], want[i])
					}
				}
				for b := range wantSums {
					if math.Float64bits(sums[b]) != math.Float64bits(wantSums[b]) {
						t.Fatalf("%v ratios %v, %s: block %d's sum %v, want %v", s, withRatios, how, b, sums[b], wantSums[b])
					}
				}
			}
			MatchColumns(j)
			check("apart", j.Out, j.Sums)
			inPlace := append([]float32(nil), vals...)
			jp := *j
			jp.Vals, jp.Out, jp.Sums = inPlace, inPlace, make([]float64, k/MatchBlock)
			MatchColumns(&jp)
			check("in place", inPlace, jp.Sums)
			if os.Getenv("TEXSYNTH_POOL") == "" {
				continue
			}
			pool := poolUnderTest(t)
			shared := sharedCalls(pool)
			MatchColumns(j)
			check("pooled", j.Out, j.Sums)
			if sent, wantSent := sharedCalls(pool) > shared, n*k >= matchMin && k > MatchBlock; sent != wantSent {
				t.Fatalf("%v: shared between threads: %v", s, sent)
			}
			saved := matchPool
			matchPool = js.Undefined()
			MatchColumns(j)
			matchPool = saved
			check("alone", j.Out, j.Sums)
		}
	}
}
