package gemm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRadixSortColumn: where there is a sort kernel (wasm), it gives the permutation and the
// values of sorting the keys (order-preserving bits, index) as integers, for both digit sizes,
// on columns whose values are random, special (NaN, ±0, ±Inf, subnormal), all equal (no pass
// moves anything) or close together (the high digits shared, their passes skipped).
func TestRadixSortColumn(t *testing.T) {
	if !RadixSortColumn(make([]float32, 1), make([]int32, 1), make([]float32, 1), make([]uint64, 1), make([]uint64, 1), make([]int32, CountsLen(8)), 8) {
		t.Skip("no sort kernel on this platform (kernel: " + Kernel() + ")")
	}
	rng := rand.New(rand.NewPCG(15, 16))
	value := edgeValues[float32](rng)
	kinds := map[string]func(i int) float32{
		"random":  func(int) float32 { return value() },
		"equal":   func(int) float32 { return 0.25 },
		"close":   func(int) float32 { return 1 + float32(rng.IntN(64))/1024 },
		"integer": func(int) float32 { return float32(rng.IntN(5) - 2) },
	}
	for name, kind := range kinds {
		for _, n := range []int{1, 2, 3, 127, 128, 300, 4095, 4096, 5000} {
			for _, bits := range []int{8, 11} {
				col := make([]float32, n)
				for i := range col {
					col[i] = kind(i)
				}
				want := make([]uint64, n)
				for i, v := range col {
					b := math.Float32bits(v)
					if b>>31 == 1 {
						b = ^b
					} else {
						b |= 1 << 31
					}
					want[i] = uint64(b)<<32 | uint64(i)
				}
				slices.Sort(want)
				before := slices.Clone(col)
				order, sorted := make([]int32, n), make([]float32, n)
				RadixSortColumn(col, order, sorted, make([]uint64, n), make([]uint64, n), make([]int32, CountsLen(bits)), bits)
				for r, k := range want {
					i := int32(uint32(k))
					if order[r] != i || math.Float32bits(sorted[r]) != math.Float32bits(col[i]) {
						t.Fatalf("%s, n=%d, %d-bit digits: rank %d is index %d (%v), want %d (%v)", name, n, bits, r, order[r], sorted[r], i, col[i])
					}
				}
				for i := range col {
					if math.Float32bits(col[i]) != math.Float32bits(before[i]) {
						t.Fatalf("%s, n=%d: the column changed at %d", name, n, i)
					}
				}
			}
		}
	}
}
