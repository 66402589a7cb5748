package loss

import (
	"cmp"
	"math"
	"slices"
	"unsafe"
)

// sorter sorts strided runs of values and reports the permutation it chose, reusing its scratch
// across calls. For 32-bit T each value and its index are packed into one uint64 (order-preserving
// bits of the value above, the index below) and sorted as integers (radixSort); 64-bit values do
// not fit beside an index and go through (value, index) pairs and slices.SortFunc, which is slower
// but only serves gradient checks.
type sorter[T Float] struct {
	narrow bool
	keys   []uint64
	tmp    []uint64
	pairs  []pair[T]
	order  []int32
}

// pair is a value and where it came from.
type pair[T Float] struct {
	v T
	i int32
}

func newSorter[T Float]() sorter[T] {
	// A type switch cannot see through ~float32 to a named type; the size can.
	return sorter[T]{narrow: unsafe.Sizeof(T(0)) == 4}
}

// sort sorts vals[off+i*stride] for i < n ascending and returns order, where order[r] is the i
// of the r-th smallest. The returned slice is the sorter's scratch, valid until the next call.
func (s *sorter[T]) sort(vals []T, n, stride, off int) []int32 {
	if cap(s.order) < n {
		s.order = make([]int32, n)
		if s.narrow {
			s.keys = make([]uint64, n)
			s.tmp = make([]uint64, n)
		} else {
			s.pairs = make([]pair[T], n)
		}
	}
	order := s.order[:n]
	if s.narrow {
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
	pairs := s.pairs[:n]
	for i := range pairs {
		pairs[i] = pair[T]{vals[off+i*stride], int32(i)}
	}
	slices.SortFunc(pairs, func(a, b pair[T]) int { return cmp.Compare(a.v, b.v) })
	for r, p := range pairs {
		order[r] = p.i
	}
	return order
}

// radixThreshold is the length below which radixSort leaves the work to slices.Sort: its three
// passes over 2048 buckets cost more than a comparison sort below about a thousand keys.
const radixThreshold = 1024

// radixSort sorts keys ascending by their upper 32 bits, keeping the order of keys with equal upper
// halves (LSD radix sort, 11 bits a pass, stable); tmp is scratch of the same length. When the
// lower halves are the keys' indices in ascending order, as sorter makes them, the result equals
// slices.Sort's. This is what keeps the sorted losses cheap: on 16384 keys it is about 8× faster
// than pdqsort, and sw sorts every column of every layer every iteration.
func radixSort(keys, tmp []uint64) {
	n := len(keys)
	if n < radixThreshold {
		slices.Sort(keys)
		return
	}
	const bits, mask = 11, 1<<11 - 1
	// One pass counts all three digits (11, 11 and 10 bits).
	var counts [3][1 << bits]int32
	for _, k := range keys {
		counts[0][(k>>32)&mask]++
		counts[1][(k>>(32+bits))&mask]++
		counts[2][(k>>(32+2*bits))&mask]++
	}
	src, dst := keys, tmp[:n]
	for pass := range counts {
		shift := 32 + bits*uint(pass)
		c := &counts[pass]
		if c[(src[0]>>shift)&mask] == int32(n) {
			continue // every key has this digit: the pass would copy the order unchanged
		}
		var sum int32
		for d, m := range c {
			c[d] = sum
			sum += m
		}
		for _, k := range src {
			d := (k >> shift) & mask
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

// orderedBits maps a float32 to a uint32 whose unsigned order is the float's numeric order:
// negative floats have their bits flipped (larger magnitude sorts lower), positive ones get the
// sign bit set (above every negative).
func orderedBits(f float32) uint32 {
	b := math.Float32bits(f)
	if b>>31 != 0 {
		return ^b
	}
	return b | 1<<31
}

// resample writes into dst the len(dst) quantiles of the ascending values src by linear
// interpolation: quantile i of n sits at position (i+0.5)·len(src)/n − 0.5 in src, clamped to its
// ends. This lets an exemplar of one size be the target of an output of another; with equal
// sizes it is a copy.
func resample[T Float](dst, src []T) {
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
