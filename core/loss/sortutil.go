package loss

import (
	"cmp"
	"math"
	"slices"
	"unsafe"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
)

// sorter sorts runs of values and reports the permutation it chose, reusing its scratch across
// calls: sort takes a strided run (emd-seed's rows), sortColumn a contiguous one (sortedMatch's
// columns, gathered first) and also returns the values in order. For 32-bit T each value and its index are packed into one uint64 (order-preserving bits
// of the value above, the index below) and sorted as integers (radixSort); 64-bit values do not
// fit beside an index and go through (value, index) pairs and slices.SortFunc, which is slower
// but only serves gradient checks.
type sorter[T feature.Float] struct {
	narrow bool
	keys   []uint64
	tmp    []uint64
	pairs  []pair[T]
	order  []int32
	// sorted receives sortColumn's values in ascending order.
	sorted []T
	// counts is the sort kernel's digit counts (kernel).
	counts []int32
}

// pair is a value and where it came from.
type pair[T feature.Float] struct {
	v T
	i int32
}

func newSorter[T feature.Float]() sorter[T] {
	// A type switch cannot see through ~float32 to a named type; the size can.
	return sorter[T]{narrow: unsafe.Sizeof(T(0)) == 4}
}

func (s *sorter[T]) grow(n int) {
	if cap(s.order) >= n {
		return
	}
	s.order = make([]int32, n)
	s.sorted = make([]T, n)
	if s.narrow {
		s.keys = make([]uint64, n)
		s.tmp = make([]uint64, n)
	} else {
		s.pairs = make([]pair[T], n)
	}
}

// sort sorts vals[off+i*stride] for i < n ascending and returns order, where order[r] is the i
// of the r-th smallest. The returned slice is the sorter's scratch, valid until the next call.
func (s *sorter[T]) sort(vals []T, n, stride, off int) []int32 {
	s.grow(n)
	order := s.order[:n]
	if !s.narrow {
		pairs := s.pairs[:n]
		for i := range pairs {
			pairs[i] = pair[T]{vals[off+i*stride], int32(i)}
		}
		sortPairs(pairs)
		for r, p := range pairs {
			order[r] = p.i
		}
		return order
	}
	keys := s.keys[:n]
	for i := range keys {
		keys[i] = uint64(orderedBits(float32(vals[off+i*stride])))<<32 | uint64(i)
	}
	radixSort(keys, s.tmp[:n])
	for r, k := range keys {
		order[r] = int32(uint32(k))
	}
	return order
}

// sortColumn sorts col ascending without changing it: order[r] is the index in col of the r-th
// smallest value and sorted[r] that value. It gives the order sort gives, but builds the keys in
// the pass that counts the digits and returns the values so that callers read them in order
// rather than through order. Both slices are the sorter's scratch, valid until the next call.
func (s *sorter[T]) sortColumn(col []T) (order []int32, sorted []T) {
	n := len(col)
	s.grow(n)
	order, sorted = s.order[:n], s.sorted[:n]
	if !s.narrow {
		pairs := s.pairs[:n]
		for i, v := range col {
			pairs[i] = pair[T]{v, int32(i)}
		}
		sortPairs(pairs)
		for r, p := range pairs {
			order[r] = p.i
			sorted[r] = p.v
		}
		return order, sorted
	}
	keys := s.keys[:n]
	if n >= smallRadixThreshold && s.kernel(col, order, sorted) {
		return order, sorted
	}
	switch {
	case n < smallRadixThreshold:
		for i, v := range col {
			keys[i] = uint64(orderedBits(float32(v)))<<32 | uint64(i)
		}
		slices.Sort(keys)
	case n < radixThreshold:
		var counts byteCounts
		byteKeys(keys, col, &counts)
		keys = bytePasses(keys, s.tmp[:n], &counts, order, sorted)
	default:
		var counts digitCounts
		digitKeys(keys, col, &counts)
		keys = digitPasses(keys, s.tmp[:n], &counts, order, sorted)
	}
	if keys == nil {
		return order, sorted // the radix sort's last pass wrote them
	}
	// The value comes back from its bits: no second, scattered read of col.
	order, sorted = order[:len(keys)], sorted[:len(keys)]
	for r, k := range keys {
		order[r] = int32(uint32(k))
		sorted[r] = keyValue[T](k)
	}
	return order, sorted
}

// kernel sorts col (n ≥ smallRadixThreshold float32s) with gemm.RadixSortColumn, the passes of
// digitPasses and bytePasses where a kernel runs them (wasm), and reports whether it did.
func (s *sorter[T]) kernel(col []T, order []int32, sorted []T) bool {
	bits := digitBits(len(col))
	if cap(s.counts) < gemm.CountsLen(bits) {
		s.counts = make([]int32, max(gemm.CountsLen(8), gemm.CountsLen(11)))
	}
	return gemm.RadixSortColumn(f32(col), order, f32(sorted), s.keys, s.tmp, s.counts, bits)
}

// digitBits is the digit the radix sort of n keys uses: bytes below radixThreshold, 11 bits from
// there (radixSort).
func digitBits(n int) int {
	if n < radixThreshold {
		return 8
	}
	return 11
}

// digitKeys sets keys[i] to the ordered bits of col[i] above i and counts the bits' digits.
func digitKeys[T feature.Float](keys []uint64, col []T, c *digitCounts) {
	keys = keys[:len(col)]
	for i, v := range col {
		b := orderedBits(float32(v))
		keys[i] = uint64(b)<<32 | uint64(i)
		c.add(b)
	}
}

// byteKeys is digitKeys counting bytes.
func byteKeys[T feature.Float](keys []uint64, col []T, c *byteCounts) {
	keys = keys[:len(col)]
	for i, v := range col {
		b := orderedBits(float32(v))
		keys[i] = uint64(b)<<32 | uint64(i)
		c.add(b)
	}
}

// offsets turns digit counts into where each digit's first key goes.
func offsets(c []int32) {
	var sum int32
	for d, m := range c {
		c[d] = sum
		sum += m
	}
}

// sortPairs is the 64-bit path: by value only, so ties come out in pdqsort's order.
func sortPairs[T feature.Float](pairs []pair[T]) {
	slices.SortFunc(pairs, func(a, b pair[T]) int { return cmp.Compare(a.v, b.v) })
}

// smallRadixThreshold is the length below which radixSort leaves the work to slices.Sort: the
// radix passes' fixed cost (clearing and summing 4×256 counts) is not repaid on fewer keys.
// pdqsort's comparisons on random projections mispredict about every other branch, so the byte
// radix sort takes over early: measured on 256 keys (BenchmarkSortColumn), it is 3.2× faster
// natively (2.9 µs against 9.2 µs) and 1.4× in Go's wasm code; the two tie at 128 keys natively.
const smallRadixThreshold = 128

// radixThreshold is the length from which radixSort uses three 11-bit digits rather than four
// bytes: one pass fewer, which pays once the keys outnumber the 2048 buckets enough (measured:
// natively from 2048 keys, in wasm the two tie at 4096 and bytes win below).
const radixThreshold = 4096

// radixSort sorts keys ascending by their upper 32 bits, keeping the order of keys with equal upper
// halves (LSD radix sort, stable); tmp is scratch of the same length. When the lower halves are
// the keys' indices in ascending order, as sorter makes them, the result equals slices.Sort's.
// This is what keeps the sorted losses cheap: on 16384 keys it is about 6× faster than pdqsort
// natively (7× in wasm), and sw sorts every column of every layer every iteration.
func radixSort(keys, tmp []uint64) {
	n := len(keys)
	var sorted []uint64
	switch {
	case n < smallRadixThreshold:
		slices.Sort(keys)
		return
	case n < radixThreshold:
		var counts byteCounts
		for _, k := range keys {
			counts.add(uint32(k >> 32))
		}
		sorted = bytePasses[float32](keys, tmp[:n], &counts, nil, nil)
	default:
		var counts digitCounts
		for _, k := range keys {
			counts.add(uint32(k >> 32))
		}
		sorted = digitPasses[float32](keys, tmp[:n], &counts, nil, nil)
	}
	if &sorted[0] != &keys[0] {
		copy(keys, sorted)
	}
}

// digitCounts counts, for each of the three digits of the upper 32 bits (11, 11 and 10 bits, low
// to high), how many keys have each value.
type digitCounts [3][1 << 11]int32

func (c *digitCounts) add(b uint32) {
	c[0][b&(1<<11-1)]++
	c[1][(b>>11)&(1<<11-1)]++
	c[2][b>>22]++
}

// byteCounts is digitCounts for the four bytes.
type byteCounts [4][1 << 8]int32

func (c *byteCounts) add(b uint32) {
	c[0][b&0xff]++
	c[1][(b>>8)&0xff]++
	c[2][(b>>16)&0xff]++
	c[3][b>>24]++
}

// digitPasses runs radixSort's passes on 11-bit digits given their counts, moving the keys
// between keys and tmp. With order nil it returns the one that holds them sorted. Otherwise the
// last pass, instead of moving a key to rank r, writes its index to order[r] and its value to
// sorted[r] (what sortColumn returns), and it returns nil; unless every pass was skipped (all keys
// equal above), when it returns keys.
func digitPasses[T feature.Float](keys, tmp []uint64, counts *digitCounts, order []int32, sorted []T) []uint64 {
	n := int32(len(keys))
	last := -1
	for pass := range counts {
		if counts[pass][(keys[0]>>(32+11*uint(pass)))&(1<<11-1)] != n {
			last = pass
		}
	}
	src, dst := keys, tmp
	for pass := 0; pass <= last; pass++ {
		shift := 32 + 11*uint(pass)
		c := &counts[pass]
		if c[(src[0]>>shift)&(1<<11-1)] == n {
			continue // every key has this digit: the pass would copy the order unchanged
		}
		offsets(c[:])
		if pass == last && order != nil {
			order, sorted = order[:len(src)], sorted[:len(src)]
			to, vals := unsafe.Pointer(unsafe.SliceData(order)), unsafe.Pointer(unsafe.SliceData(sorted))
			for _, k := range src {
				r := uintptr(c[(k>>shift)&(1<<11-1)])
				*(*int32)(unsafe.Add(to, r*4)) = int32(uint32(k))
				*(*T)(unsafe.Add(vals, r*unsafe.Sizeof(sorted[0]))) = keyValue[T](k)
				c[(k>>shift)&(1<<11-1)]++
			}
			return nil
		}
		// Every c[d] stays below len(dst): the counts are those of these keys. Without the bounds
		// check Go's wasm code runs this loop about twice as fast.
		to := unsafe.Pointer(unsafe.SliceData(dst))
		for _, k := range src {
			d := (k >> shift) & (1<<11 - 1)
			*(*uint64)(unsafe.Add(to, uintptr(c[d])*8)) = k
			c[d]++
		}
		src, dst = dst, src
	}
	return src
}

// bytePasses is digitPasses on bytes.
func bytePasses[T feature.Float](keys, tmp []uint64, counts *byteCounts, order []int32, sorted []T) []uint64 {
	n := int32(len(keys))
	last := -1
	for pass := range counts {
		if counts[pass][(keys[0]>>(32+8*uint(pass)))&0xff] != n {
			last = pass
		}
	}
	src, dst := keys, tmp
	for pass := 0; pass <= last; pass++ {
		shift := 32 + 8*uint(pass)
		c := &counts[pass]
		if c[(src[0]>>shift)&0xff] == n {
			continue
		}
		offsets(c[:])
		if pass == last && order != nil {
			order, sorted = order[:len(src)], sorted[:len(src)]
			to, vals := unsafe.Pointer(unsafe.SliceData(order)), unsafe.Pointer(unsafe.SliceData(sorted))
			for _, k := range src {
				r := uintptr(c[(k>>shift)&0xff])
				*(*int32)(unsafe.Add(to, r*4)) = int32(uint32(k))
				*(*T)(unsafe.Add(vals, r*unsafe.Sizeof(sorted[0]))) = keyValue[T](k)
				c[(k>>shift)&0xff]++
			}
			return nil
		}
		to := unsafe.Pointer(unsafe.SliceData(dst))
		for _, k := range src {
			d := (k >> shift) & 0xff
			*(*uint64)(unsafe.Add(to, uintptr(c[d])*8)) = k
			c[d]++
		}
		src, dst = dst, src
	}
	return src
}

// keyValue is the float32 whose ordered bits are the key's upper half.
func keyValue[T feature.Float](k uint64) T {
	return T(math.Float32frombits(valueBits(uint32(k >> 32))))
}

// orderedBits maps a float32 to a uint32 whose unsigned order is the float's numeric order:
// negative floats have their bits flipped (larger magnitude sorts lower), positive ones get the
// sign bit set (above every negative). It has no branch: the sign of projections is a coin toss,
// which a branch would mispredict half the time.
func orderedBits(f float32) uint32 {
	b := math.Float32bits(f)
	neg := uint32(int32(b) >> 31) // all ones for a negative float
	return b ^ (neg | 1<<31)
}

// valueBits inverts orderedBits.
func valueBits(u uint32) uint32 {
	pos := uint32(int32(u) >> 31) // all ones for what was a positive float
	return u ^ (^pos | 1<<31)
}

// resample writes into dst the len(dst) quantiles of the ascending values src by linear
// interpolation: quantile i of n sits at position (i+0.5)·len(src)/n − 0.5 in src, clamped to its
// ends. This lets an exemplar of one size be the target of an output of another; with equal
// sizes it is a copy.
func resample[T feature.Float](dst, src []T) {
	n, ne := len(dst), len(src)
	if n == ne {
		copy(dst, src)
		return
	}
	for i := range dst {
		pos := (float64(i)+0.5)*float64(ne)/float64(n) - 0.5
		if pos <= 0 {
			dst[i] = src[0]
			continue
		}
		if pos >= float64(ne-1) {
			dst[i] = src[ne-1]
			continue
		}
		lo := int(pos)
		frac := pos - float64(lo)
		dst[i] = T((1-frac)*float64(src[lo]) + frac*float64(src[lo+1]))
	}
}
