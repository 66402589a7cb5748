package gemm

import "unsafe"

// The sliced losses sort every projection of every layer each iteration (core/loss), with an
// LSD radix sort on (order-preserving bits of the value, index) keys. Go's wasm code runs its
// loops several times slower than native code does; the wasm build hands whole columns to a
// kernel in its module (sort_js.go) that runs the same passes.

// columnSortNow, when set (sort_js.go), is RadixSortColumn's kernel.
var columnSortNow func(col, keys, tmp, counts, order, sorted unsafe.Pointer, n, digitBits int)

// RadixSortColumn sorts col ascending without changing it, where there is a kernel for it, and
// reports whether it did: order[r] is the index of the r-th smallest value and sorted[r] that
// value (its bits: NaN and −0 as they were). The order is that of the keys
// orderedBits(v)<<32 | index sorted as integers: an LSD radix sort, stable, on digitBits-bit
// digits (8: four passes; 11: three, of 11, 11 and 10 bits) of the upper half, skipping the
// passes whose digit all keys share (core/loss: sortutil.go, the reference for it). keys and tmp
// (len(col) each) and counts (CountsLen(digitBits)) are scratch.
func RadixSortColumn(col []float32, order []int32, sorted []float32, keys, tmp []uint64, counts []int32, digitBits int) bool {
	n := len(col)
	if columnSortNow == nil || n == 0 || (digitBits != 8 && digitBits != 11) {
		return false
	}
	order, sorted, keys, tmp = order[:n], sorted[:n], keys[:n], tmp[:n]
	counts = counts[:CountsLen(digitBits)]
	columnSortNow(unsafe.Pointer(&col[0]), unsafe.Pointer(&keys[0]), unsafe.Pointer(&tmp[0]), unsafe.Pointer(&counts[0]),
		unsafe.Pointer(&order[0]), unsafe.Pointer(&sorted[0]), n, digitBits)
	return true
}

// CountsLen is the length of RadixSortColumn's counts for digits of digitBits bits: a table of
// 2^digitBits counts per pass.
func CountsLen(digitBits int) int { return sortPasses(digitBits) << digitBits }

// sortPasses is how many digits of digitBits bits cover 32.
func sortPasses(digitBits int) int { return (32 + digitBits - 1) / digitBits }
