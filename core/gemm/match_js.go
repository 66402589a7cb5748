//go:build js && wasm

package gemm

import (
	"runtime"
	"syscall/js"
	"unsafe"
)

// matchRecord is a ColumnMatch as the kernel reads it (addresses in linear memory), at a fixed
// address: the kernel's parameters are i32s, and the pool's workers read the same record.
type matchRecord struct {
	vals, out, n, k, targets int32
	bits                     int32 // the sort's digits: 8 or 11 bits (sortKernel)
	exemplar                 int32
	ratios, sums             int32 // ratios 0: none
	_                        int32
	coef                     float64
}

// matchScratch is one thread's working memory for the kernel: up to MatchBlock gathered
// columns, each matchPad values longer than a column (n is often a power of two, and columns
// a power of two apart would share cache sets), and the sort's keys, counts and results.
type matchScratch struct {
	cols, sorted []float32
	keys, tmp    []uint64
	counts       []int32
	order        []int32
}

const matchPad = 16

// matchMaxThreads is the most threads that take a call's blocks: each holds its own scratch,
// 23 MiB at 512 px (n = 262 144), which must stay within the page's memory; the products still go
// to every thread.
const matchMaxThreads = 4

// matchMin is the smallest call (n·k values) shared with the pool: the blocks of a smaller one
// take less time than waking the workers.
const matchMin = 1 << 14

var (
	matchRec   matchRecord
	matchBufs  []matchScratch
	matchTable []int32 // six addresses per thread: cols, keys, tmp, counts, order, sorted
	// matchPool is the pool's match (pool.js) and matchThreads the threads that take blocks;
	// matchPool is undefined without a pool.
	matchPool    js.Value
	matchThreads = 1
)

// installMatch routes MatchColumns to the module's kernel (exports, from instantiate).
func installMatch(exports js.Value) {
	kernel := exports.Get("match")
	columnMatchNow = func(j *ColumnMatch) {
		r := &matchRec
		*r = matchRecord{vals: addr(j.Vals), n: int32(j.N), k: int32(j.K), targets: addr(j.Targets), bits: int32(j.DigitBits)}
		if j.Exemplar {
			r.exemplar = 1
		} else {
			r.out, r.sums, r.coef = addr(j.Out), addr(j.Sums), j.Coef
			if j.Ratios != nil {
				r.ratios = addr(j.Ratios)
			}
		}
		blocks := j.K / MatchBlock
		threads := 1
		if !matchPool.IsUndefined() && j.N*j.K >= matchMin && blocks > 1 {
			threads = matchThreads
		}
		growMatch(threads, j.N)
		rec := int32(uintptr(unsafe.Pointer(r)))
		if threads > 1 {
			matchPool.Invoke(rec, blocks, addr(matchTable), threads, j.N)
		} else {
			kernel.Invoke(rec, 0, blocks, addr(matchTable))
		}
		runtime.KeepAlive(j)
	}
}

// growMatch makes sure the first threads scratches hold columns of n values, and notes their
// addresses in matchTable.
func growMatch(threads, n int) {
	for len(matchBufs) < threads {
		matchBufs = append(matchBufs, matchScratch{counts: make([]int32, max(CountsLen(8), CountsLen(11)))})
		matchTable = append(matchTable, make([]int32, 6)...)
	}
	for t := range threads {
		s := &matchBufs[t]
		if cap(s.order) >= n {
			continue
		}
		*s = matchScratch{
			cols: make([]float32, MatchBlock*(n+matchPad)), sorted: make([]float32, n),
			keys: make([]uint64, n), tmp: make([]uint64, n), counts: s.counts, order: make([]int32, n),
		}
		copy(matchTable[6*t:], []int32{addr(s.cols), addr(s.keys), addr(s.tmp), addr(s.counts), addr(s.order), addr(s.sorted)})
	}
}

// matchKernel is match(job, b0, b1, scratch): blocks b0 … b1−1 of the matchRecord at job with the
// matchScratch whose addresses are at scratch; sort8 and sort11 are the module's indices of the
// sort kernels (sortKernel), which it calls on each column.
func matchKernel(sort8, sort11 int) wasmFunc {
	const (
		job, b0, b1, scr                                = 0, 1, 2, 3
		vals, out, n, k, tgt, bits, exemplar, ratios    = 4, 5, 6, 7, 8, 9, 10, 11
		sums, cols, keys, tmp, counts, order, sorted    = 12, 13, 14, 15, 16, 17, 18
		b, j, stride, rowB, p, q, e, col, tc, at, lastI = 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29
		coef, sum, s, d, cf, ratio                      = 30, 31, 32, 33, 34, 35
	)
	var w code
	for l, off := range []int{0, 4, 8, 12, 16, 20, 24, 28, 32} { // vals … sums
		w.get(job)
		w.i32Load(off)
		w.set(vals + l)
	}
	w.get(job)
	w.f64Load(40)
	w.set(coef)
	for l := range 6 { // cols … sorted
		w.get(scr)
		w.i32Load(4 * l)
		w.set(cols + l)
	}
	w.get(n) // stride: bytes from one gathered column to the next
	w.i32(matchPad)
	w.add()
	w.i32(2)
	w.shl()
	w.set(stride)
	w.get(k) // rowB: bytes from one row of Vals to the next
	w.i32(2)
	w.shl()
	w.set(rowB)
	// plusColumn adds a column's bytes (n four-byte values) to the address on the stack.
	plusColumn := func() {
		w.get(n)
		w.i32(2)
		w.shl()
		w.add()
	}
	// rows emits, for p over the block's start in each row of Vals or Out (from local from) and q
	// over the rows of cols, body(col) with col at the row's value in the block's first column.
	rows := func(from int, body func()) {
		w.get(from)
		w.get(b)
		w.i32(6) // 16 float32s a block
		w.shl()
		w.add()
		w.set(p)
		w.get(cols)
		w.tee(q)
		plusColumn()
		w.set(e)
		w.loop()
		body()
		w.addTo(p, func() { w.get(rowB) })
		w.addTo(q, func() { w.i32(4) })
		w.loopWhileBelow(q, e)
	}
	// moveBlock copies the block between the matrix at local base and cols: into cols (gather)
	// or back.
	moveBlock := func(base int, gather bool) {
		rows(base, func() {
			w.get(q)
			w.set(col)
			for jj := range MatchBlock {
				if gather {
					w.get(col)
					w.get(p)
					w.f32Load(4 * jj)
					w.f32Store(0)
				} else {
					w.get(p)
					w.get(col)
					w.f32Load(0)
					w.f32Store(4 * jj)
				}
				if jj < MatchBlock-1 {
					w.addTo(col, func() { w.get(stride) })
				}
			}
		})
	}
	sortArgs := func() {
		for _, l := range []int{col, n, keys, tmp, counts, order, sorted} {
			w.get(l)
		}
	}

	w.get(b0)
	w.set(b)
	w.block()
	w.loop() // over blocks
	w.get(b)
	w.get(b1)
	w.geS()
	w.brIf(1)
	// Gather the block's columns, column j at cols + j·stride.
	moveBlock(vals, true)
	w.f64Zero()
	w.set(sum)
	w.i32(0)
	w.set(j)
	w.loop() // over the block's columns
	w.get(cols)
	w.get(j)
	w.get(stride)
	w.mul()
	w.add()
	w.set(col)
	w.get(bits)
	w.i32(8)
	w.eq()
	w.ifThen()
	sortArgs()
	w.call(sort8)
	w.elseDo()
	sortArgs()
	w.call(sort11)
	w.end()
	// tc: the column's targets, Targets + (16·b + j)·n floats.
	w.get(b)
	w.i32(4)
	w.shl()
	w.get(j)
	w.add()
	w.get(n)
	w.mul()
	w.i32(2)
	w.shl()
	w.get(tgt)
	w.add()
	w.set(tc)
	w.get(sorted)
	w.set(p)
	w.get(tc)
	w.set(q)
	w.get(exemplar)
	w.ifThen()
	// The column sorted, as it is, into its targets.
	w.get(tc)
	plusColumn()
	w.set(e)
	w.loop()
	w.get(q)
	w.get(p)
	w.i32Load(0)
	w.i32Store(0)
	w.addTo(p, func() { w.i32(4) })
	w.addTo(q, func() { w.i32(4) })
	w.loopWhileBelow(q, e)
	w.elseDo()
	// cf and the running sum s: the column's own ratio times coef and a sum from zero, or coef
	// and the block's running sum.
	w.get(ratios)
	w.ifThen()
	w.get(ratios)
	w.get(b)
	w.i32(4)
	w.shl()
	w.get(j)
	w.add()
	w.i32(3)
	w.shl()
	w.add()
	w.f64Load(0)
	w.set(ratio)
	w.get(coef)
	w.get(ratio)
	w.f64Mul()
	w.set(cf)
	w.f64Zero()
	w.set(s)
	w.elseDo()
	w.get(coef)
	w.set(cf)
	w.get(sum)
	w.set(s)
	w.end()
	// d = sorted[r] − target[r]; s += d²; col[order[r]] = cf·d.
	w.get(order)
	w.tee(at)
	plusColumn()
	w.set(lastI)
	w.loop()
	w.get(p)
	w.f32Load(0)
	w.promote()
	w.get(q)
	w.f32Load(0)
	w.promote()
	w.f64Sub()
	w.set(d)
	w.get(s)
	w.get(d)
	w.get(d)
	w.f64Mul()
	w.f64Add()
	w.set(s)
	w.get(col)
	w.get(at)
	w.i32Load(0)
	w.i32(2)
	w.shl()
	w.add()
	w.get(cf)
	w.get(d)
	w.f64Mul()
	w.demote()
	w.f32Store(0)
	w.addTo(p, func() { w.i32(4) })
	w.addTo(q, func() { w.i32(4) })
	w.addTo(at, func() { w.i32(4) })
	w.loopWhileBelow(at, lastI)
	w.get(ratios)
	w.ifThen()
	w.get(sum)
	w.get(ratio)
	w.get(s)
	w.f64Mul()
	w.f64Add()
	w.set(sum)
	w.elseDo()
	w.get(s)
	w.set(sum)
	w.end()
	w.end() // exemplar or not
	w.addTo(j, func() { w.i32(1) })
	w.get(j)
	w.i32(MatchBlock)
	w.ltS()
	w.brIf(0)
	w.end() // columns
	w.get(exemplar)
	w.eqz()
	w.ifThen()
	// Scatter the block's gradients into Out, and its sum into Sums[b].
	moveBlock(out, false)
	w.get(sums)
	w.get(b)
	w.i32(3)
	w.shl()
	w.add()
	w.get(sum)
	w.f64Store(0)
	w.end()
	w.addTo(b, func() { w.i32(1) })
	w.br(0)
	w.end()
	w.end() // blocks
	locals := make([]byte, 0, ratio-vals+1)
	for range coef - vals {
		locals = append(locals, wI32)
	}
	for range ratio - coef + 1 {
		locals = append(locals, wF64)
	}
	return wasmFunc{"match", 4, locals, w}
}
