//go:build js && wasm

package gemm

import (
	"math"
	"strconv"
	"syscall/js"
	"unsafe"
)

// sortKernel is sortN(col, n, keys, tmp, counts, order, sorted), N = bits: RadixSortColumn on
// n ≥ 1 float32s with digits of bits bits. The passes are unrolled (their shifts constants);
// the pass that is last by the counts writes order and sorted, not keys.
func sortKernel(bits int) wasmFunc {
	const (
		col, n, keys, tmp, counts, order, sorted = 0, 1, 2, 3, 4, 5, 6
		i, b, src, dst, c, sum, m, r, last, b0   = 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
		a, end                                   = 17, 18
		k                                        = 19
	)
	passes := sortPasses(bits)
	mask := int32(1)<<bits - 1
	rowBytes := 4 << bits // one pass's counts, in bytes; pass p's start at counts + p·rowBytes
	var w code
	// orderedBits of the float32 at the address on the stack, into local l.
	ordered := func(l int) {
		w.i32Load(0)
		w.tee(l)
		w.get(l)
		w.i32(31)
		w.shrS()
		w.i32(math.MinInt32)
		w.or()
		w.xor()
		w.set(l)
	}
	// The address of pass p's count for the digit of the bits on the stack (the pass's offset
	// is left to the load's or store's memarg).
	countAddr := func(p int) {
		if p > 0 {
			w.i32(int32(p * bits))
			w.shrU()
		}
		w.i32(mask)
		w.and()
		w.i32(2)
		w.shl()
		w.get(counts)
		w.add()
	}
	// loop over the keys of local from (a, up to end), k holding each; body emits the work.
	overKeys := func(from int, body func()) {
		w.get(from)
		w.set(a)
		w.get(from)
		w.get(n)
		w.i32(3)
		w.shl()
		w.add()
		w.set(end)
		w.loop()
		w.get(a)
		w.i64Load(0)
		w.set(k)
		body()
		w.addTo(a, func() { w.i32(8) })
		w.get(a)
		w.get(end)
		w.ltU()
		w.brIf(0)
		w.end()
	}
	// rank: r = pass p's count for k's digit, which then counts one more.
	rank := func(p int) {
		w.get(k)
		w.i64(int64(32 + p*bits))
		w.i64ShrU()
		w.wrap()
		countAddr(0)
		w.tee(c)
		w.i32Load(p * rowBytes)
		w.set(r)
		w.get(c)
		w.get(r)
		w.i32(1)
		w.add()
		w.i32Store(p * rowBytes)
	}
	// at pushes base + index·size for locals base and index.
	at := func(base, index, shift int) {
		w.get(base)
		w.get(index)
		w.i32(int32(shift))
		w.shl()
		w.add()
	}

	// upTo emits the loop i = 0 … n−1 around body.
	upTo := func(body func()) {
		w.i32(0)
		w.set(i)
		w.loop()
		body()
		w.addTo(i, func() { w.i32(1) })
		w.get(i)
		w.get(n)
		w.ltU()
		w.brIf(0)
		w.end()
	}

	// Clear the counts (whole vectors: rowBytes is a multiple of 16).
	w.get(counts)
	w.set(a)
	w.get(counts)
	w.i32(int32(passes * rowBytes))
	w.add()
	w.set(end)
	w.loop()
	w.get(a)
	w.v128Zero()
	w.v128Store(0)
	w.addTo(a, func() { w.i32(16) })
	w.get(a)
	w.get(end)
	w.ltU()
	w.brIf(0)
	w.end()

	// The keys, and every pass's digit counts.
	upTo(func() {
		at(col, i, 2)
		ordered(b)
		at(keys, i, 3)
		w.get(b)
		w.extendU()
		w.i64(32)
		w.i64Shl()
		w.get(i)
		w.extendU()
		w.i64Or()
		w.i64Store(0)
		for p := range passes {
			w.get(b)
			countAddr(p)
			w.tee(c)
			w.get(c)
			w.i32Load(p * rowBytes)
			w.i32(1)
			w.add()
			w.i32Store(p * rowBytes)
		}
	})

	// A pass whose digit every key shares (the first key's count is n) leaves the order as it
	// is; last is the last pass that does not.
	w.get(col)
	ordered(b0)
	w.i32(-1)
	w.set(last)
	shared := func(p int) { // pushes whether every key has the first key's digit in pass p
		w.get(b0)
		countAddr(p)
		w.i32Load(p * rowBytes)
		w.get(n)
		w.eq()
	}
	for p := range passes {
		shared(p)
		w.eqz()
		w.ifThen()
		w.i32(int32(p))
		w.set(last)
		w.end()
	}
	// No pass moves anything: the column is in order already.
	w.get(last)
	w.i32(-1)
	w.eq()
	w.ifThen()
	upTo(func() {
		at(order, i, 2)
		w.get(i)
		w.i32Store(0)
		at(sorted, i, 2)
		at(col, i, 2)
		w.i32Load(0)
		w.i32Store(0)
	})
	w.ret()
	w.end()

	w.get(keys)
	w.set(src)
	w.get(tmp)
	w.set(dst)
	for p := range passes {
		w.block()
		shared(p)
		w.brIf(0)
		// Counts to offsets: where each digit's first key goes.
		w.get(counts)
		w.i32(int32(p * rowBytes))
		w.add()
		w.tee(a)
		w.i32(int32(rowBytes))
		w.add()
		w.set(end)
		w.i32(0)
		w.set(sum)
		w.loop()
		w.get(a)
		w.i32Load(0)
		w.set(m)
		w.get(a)
		w.get(sum)
		w.i32Store(0)
		w.addTo(sum, func() { w.get(m) })
		w.addTo(a, func() { w.i32(4) })
		w.get(a)
		w.get(end)
		w.ltU()
		w.brIf(0)
		w.end()
		// The last pass writes each key's index and value at its rank.
		w.get(last)
		w.i32(int32(p))
		w.eq()
		w.ifThen()
		overKeys(src, func() {
			rank(p)
			at(order, r, 2)
			w.get(k)
			w.wrap()
			w.i32Store(0)
			at(sorted, r, 2)
			// valueBits(u) = u ^ (¬(u >> 31, signed) | 1<<31), u the key's upper half.
			w.get(k)
			w.i64(32)
			w.i64ShrU()
			w.wrap()
			w.tee(b)
			w.get(b)
			w.i32(31)
			w.shrS()
			w.i32(-1)
			w.xor()
			w.i32(math.MinInt32)
			w.or()
			w.xor()
			w.i32Store(0)
		})
		w.ret()
		w.end()
		overKeys(src, func() {
			rank(p)
			at(dst, r, 3)
			w.get(k)
			w.i64Store(0)
		})
		w.get(src)
		w.get(dst)
		w.set(src)
		w.set(dst)
		w.end()
	}
	locals := make([]byte, 0, 13)
	for range end - i + 1 {
		locals = append(locals, wI32)
	}
	locals = append(locals, wI64)
	return wasmFunc{sortName(bits), 7, locals, w}
}

func sortName(bits int) string { return "sort" + strconv.Itoa(bits) }

// installSort routes RadixSortColumn to the module's kernels (exports, from instantiate).
func installSort(exports js.Value) {
	sort8, sort11 := exports.Get(sortName(8)), exports.Get(sortName(11))
	columnSortNow = func(col, keys, tmp, counts, order, sorted unsafe.Pointer, n, digitBits int) {
		kernel := sort11
		if digitBits == 8 {
			kernel = sort8
		}
		kernel.Invoke(uintptr(col), n, uintptr(keys), uintptr(tmp), uintptr(counts), uintptr(order), uintptr(sorted))
	}
}
