package gemm

import (
	"math"
	"unsafe"

	"github.com/texsynth/texsynth/core/feature"
)

// Steps does the Winograd transforms' steps "dst = k·x" or "dst += k·x" on whole vectors (a
// tile's channels, or the packed planes of the kernels): at once, in Go or with AVX2 (stepNow),
// or, in wasm (stepsF32: SIMD128), recorded and run in one batch per stage, since a call from Go
// into that kernel costs about as much as a few hundred multiply-adds. Call Flush before reading
// what the steps wrote; they run in the order they were given either way.
type Steps[T feature.Float] struct {
	Zero []T     // zeros, at least as long as any dst
	ops  []int32 // recorded steps: dst address, x address, k's bits, 1 to add
	n    int     // the vectors' length in the recorded steps
	// xs and ks are combine's terms for combineNow, kept here: arrays on the stack would move
	// to the heap at every call, since a call through a function value lets them escape.
	xs [maxTerms]unsafe.Pointer
	ks [maxTerms]float32
}

// stepsF32, when set, runs recorded steps on vectors of n float32s (a multiple of 4). stepNow,
// when set, runs one step on float32 vectors at once, or reports false for a length it does
// not take. combineNow, when set, runs a whole combination at once: dst = ks[0]·xs[0], then
// dst += ks[t]·xs[t] for t = 1 … terms−1, each value in that order (the bits of those steps
// one by one) but in one pass over dst, for n a positive multiple of 16 and 1 ≤ terms ≤
// maxTerms.
var (
	stepsF32   func(ops []int32, n int)
	stepNow    func(dst, x unsafe.Pointer, n int, k float32, first bool) bool
	combineNow func(dst unsafe.Pointer, xs *unsafe.Pointer, ks *float32, terms, n int)
)

// maxTerms is the most non-zero coefficients combineNow takes (a kernel transform's nine taps).
const maxTerms = 9

// Mix sets dst = k·x (first) or adds k·x to it.
func (mx *Steps[T]) Mix(dst []T, k T, x []T, first bool) {
	if mx.batches(len(dst)) {
		add := int32(1)
		if first {
			add = 0
		}
		mx.record(addr(dst), addr(x[:len(dst)]), k, add)
		mx.n = len(dst)
		return
	}
	if stepNow != nil && unsafe.Sizeof(T(0)) == 4 && len(dst) > 0 {
		x = x[:len(dst)]
		if stepNow(unsafe.Pointer(&dst[0]), unsafe.Pointer(&x[0]), len(dst), float32(k), first) {
			return
		}
	}
	mx.Flush()
	mixIn(dst, k, x, first)
}

// batches says whether a step on vectors of n elements goes into the batch: float32 vectors
// whose length is a multiple of 4 and the batch's.
func (mx *Steps[T]) batches(n int) bool {
	return stepsF32 != nil && unsafe.Sizeof(T(0)) == 4 && n%4 == 0 && n > 0 && (mx.n == 0 || mx.n == n)
}

// addr is a slice's address in linear memory (in wasm, Go pointers are offsets into it).
func addr[T any](s []T) int32 { return int32(uintptr(unsafe.Pointer(unsafe.SliceData(s)))) }

// Flush runs the recorded steps; call it before reading what they wrote.
func (mx *Steps[T]) Flush() {
	if len(mx.ops) > 0 {
		stepsF32(mx.ops, mx.n)
		mx.ops = mx.ops[:0]
	}
	mx.n = 0
}

// Combine sets dst = Σ_r coef[r] · src[r·stride + s] (whole channel vectors), skipping zeros:
// with stride 1 and s = row0, a combination of the consecutive rows src[row0], src[row0+1], ….
func (mx *Steps[T]) Combine(dst []T, coef []T, src [][]T, s, stride int) {
	if mx.batches(len(dst)) { // the hot path in wasm: record without a call per step
		d, add := addr(dst), int32(0)
		for r, k := range coef {
			if k != 0 {
				mx.record(d, addr(src[r*stride+s][:len(dst)]), k, add)
				add = 1
			}
		}
		mx.finish(dst, add)
		return
	}
	if combineNow != nil && unsafe.Sizeof(T(0)) == 4 && len(dst)%16 == 0 && len(dst) > 0 && mx.combine(dst, coef, src, s, stride) {
		return
	}
	first := true
	for r, k := range coef {
		if k == 0 {
			continue
		}
		x := src[r*stride+s][:len(dst)]
		mx.Mix(dst, k, x, first)
		first = false
	}
	if first {
		mx.Mix(dst, 0, mx.Zero[:len(dst)], true)
	}
}

// combine hands Combine's steps to combineNow, or reports false, having done nothing, when they
// do not fit it: more than maxTerms, or a row that is dst itself (the steps one by one would
// read what the first wrote).
func (mx *Steps[T]) combine(dst []T, coef []T, src [][]T, s, stride int) bool {
	xs, ks := &mx.xs, &mx.ks
	terms := 0
	for r, k := range coef {
		if k == 0 {
			continue
		}
		x := src[r*stride+s][:len(dst)]
		if terms == maxTerms || &x[0] == &dst[0] {
			return false
		}
		xs[terms], ks[terms] = unsafe.Pointer(&x[0]), float32(k)
		terms++
	}
	if terms == 0 {
		clear(dst) // what the steps give: 0·zeros
		return true
	}
	combineNow(unsafe.Pointer(&dst[0]), &xs[0], &ks[0], terms, len(dst))
	return true
}

// record appends one step to the batch: dst (+)= k·x at the given addresses.
func (mx *Steps[T]) record(dst, x int32, k T, add int32) {
	mx.ops = append(mx.ops, dst, x, int32(math.Float32bits(float32(k))), add)
}

// finish ends a recorded combination: a dst no step wrote (all coefficients zero) is zeroed.
func (mx *Steps[T]) finish(dst []T, add int32) {
	if add == 0 {
		mx.record(addr(dst), addr(mx.Zero[:len(dst)]), 0, 0)
	}
	mx.n = len(dst)
}

// mixIn sets dst = k·x (first) or adds k·x to it, with the transforms' common coefficients 1 and
// −1 as plain copies and additions.
func mixIn[T feature.Float](dst []T, k T, x []T, first bool) {
	switch {
	case first && k == 1:
		copy(dst, x)
	case first:
		for c, v := range x {
			dst[c] = k * v
		}
	case k == 1:
		for c, v := range x {
			dst[c] += v
		}
	case k == -1:
		for c, v := range x {
			dst[c] -= v
		}
	default:
		for c, v := range x {
			dst[c] += k * v
		}
	}
}
