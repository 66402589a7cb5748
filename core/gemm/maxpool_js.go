//go:build js && wasm

package gemm

import (
	"syscall/js"
	"unsafe"
)

// The 2×2 max pool in the wasm kernel module (simd_js.go), a row of windows per call: a call
// from Go into the module costs several hundred nanoseconds (installReLU), more than the
// kernel takes on one 64-channel window.

// maxPairsKernel is maxPairs(out, r0, r1, w2, c): MaxPairs on float32 rows (c a multiple of 4).
// Each comparison is Max4's: m = x where x > m, else m (bitselect on f32x4.gt), so NaN and
// ties keep the running maximum.
func maxPairsKernel() wasmFunc {
	const (
		out, r0, r1, w2, c = 0, 1, 2, 3, 4
		cB, o, p, q        = 5, 6, 7, 8
		m, x               = 9, 10
	)
	var w code
	overWindows(&w, c, cB, w2, o, []int{out}, []int{r0, r1}, func() {
		offsets(&w, r0, r1, o, p, q)
		w.get(p)
		w.v128Load(0)
		w.set(m)
		for _, in := range []struct{ base, plusC int }{{p, 1}, {q, 0}, {q, 1}} {
			loadAt(&w, in.base, cB, in.plusC == 1)
			w.set(x)
			keepGreater(&w, x, m)
			w.set(m)
		}
		w.get(out)
		w.get(o)
		w.add()
		w.get(m)
		w.v128Store(0)
	})
	return wasmFunc{"maxPairs", 5, []byte{wI32, wI32, wI32, wI32, wV128, wV128}, w}
}

// routePairsKernel is routePairs(g, g0, g1, r0, r1, w2, c): RoutePairs on float32 rows (c a
// multiple of 4). The slot that takes the gradient is Max4's; the other three are stored back
// unchanged (a select, not an addition of zero, which would turn −0 into +0).
func routePairsKernel() wasmFunc {
	const (
		g, g0, g1, r0, r1, w2, c = 0, 1, 2, 3, 4, 5, 6
		cB, o, p, q, gp, gq      = 7, 8, 9, 10, 11, 12
		m, x, mb, md, me, gv, no = 13, 14, 15, 16, 17, 18, 19
	)
	var w code
	overWindows(&w, c, cB, w2, o, []int{g}, []int{g0, g1, r0, r1}, func() {
		offsets(&w, r0, r1, o, p, q)
		offsets(&w, g0, g1, o, gp, gq)
		w.get(p)
		w.v128Load(0)
		w.set(m)
		// mb, md, me: b, d, e exceed the maximum before them.
		for _, in := range []struct{ base, plusC, flag int }{{p, 1, mb}, {q, 0, md}, {q, 1, me}} {
			loadAt(&w, in.base, cB, in.plusC == 1)
			w.tee(x)
			w.get(m)
			w.f32x4Gt()
			w.set(in.flag)
			w.get(x)
			w.get(m)
			w.get(in.flag)
			w.v128BitSelect()
			w.set(m)
		}
		w.get(g)
		w.get(o)
		w.add()
		w.v128Load(0)
		w.set(gv)
		// Who takes the gradient: e if me; d if md ∧ ¬me; b if mb ∧ ¬(md ∨ me); a otherwise.
		w.get(md)
		w.get(me)
		w.v128Or()
		w.set(no) // no = md ∨ me: neither a nor b
		// route stores x + gv where the condition (pushed by cond) holds and x elsewhere; or, with
		// inverted, x where it holds and x + gv elsewhere.
		route := func(base int, plusC, inverted bool, cond func()) {
			addrAt(&w, base, cB, plusC)
			addrAt(&w, base, cB, plusC)
			w.v128Load(0)
			w.tee(x)
			if inverted {
				w.get(x)
			}
			w.get(gv)
			w.f32x4Add()
			if !inverted {
				w.get(x)
			}
			cond()
			w.v128BitSelect()
			w.v128Store(0)
		}
		route(gp, false, true, func() { w.get(mb); w.get(no); w.v128Or() })
		route(gp, true, false, func() { w.get(mb); w.get(no); w.v128AndNot() })
		route(gq, false, false, func() { w.get(md); w.get(me); w.v128AndNot() })
		route(gq, true, false, func() { w.get(me) })
	})
	locals := []byte{wI32, wI32, wI32, wI32, wI32, wI32}
	for range 7 {
		locals = append(locals, wV128)
	}
	return wasmFunc{"routePairs", 7, locals, w}
}

// addrAt pushes the address base, or base + cB with plusC (the window's second position).
func addrAt(w *code, base, cB int, plusC bool) {
	w.get(base)
	if plusC {
		w.get(cB)
		w.add()
	}
}

// loadAt pushes the vector at addrAt(base, cB, plusC).
func loadAt(w *code, base, cB int, plusC bool) {
	addrAt(w, base, cB, plusC)
	w.v128Load(0)
}

// keepGreater pushes x where x > m, else m (locals x and m): Max4's comparison.
func keepGreater(w *code, x, m int) {
	w.get(x)
	w.get(m)
	w.get(x)
	w.get(m)
	w.f32x4Gt()
	w.v128BitSelect()
}

// offsets sets p = r0 + o and q = r1 + o: the current window's first position in each of its two
// rows, at channel byte offset o.
func offsets(w *code, r0, r1, o, p, q int) {
	for _, pair := range [][2]int{{r0, p}, {r1, q}} {
		w.get(pair[0])
		w.get(o)
		w.add()
		w.set(pair[1])
	}
}

// overWindows emits a row kernel's loops: over its w2 windows and, in each, over the window's c
// channels (cB = 4·c bytes, set here) a vector at a time, o the byte offset; body is one
// vector's work. After each window the outputs (one position a window) advance by cB and the
// inputs (two positions) by 2·cB.
func overWindows(w *code, c, cB, w2, o int, outs, ins []int, body func()) {
	w.get(c)
	w.i32(2)
	w.shl()
	w.set(cB)
	w.block()
	w.loop() // over windows
	w.get(w2)
	w.eqz()
	w.brIf(1)
	w.i32(0)
	w.set(o)
	w.loop() // over the window's channels
	body()
	w.addTo(o, func() { w.i32(16) })
	w.get(o)
	w.get(cB)
	w.ltU()
	w.brIf(0)
	w.end()
	for _, l := range outs {
		w.addTo(l, func() { w.get(cB) })
	}
	for _, l := range ins {
		w.addTo(l, func() { w.get(cB); w.i32(1); w.shl() })
	}
	w.addTo(w2, func() { w.i32(-1) })
	w.br(0)
	w.end()
	w.end()
}

// installMaxPool routes MaxPairs and RoutePairs to the module's kernels (exports, from
// instantiate).
func installMaxPool(exports js.Value) {
	maxPairs, routePairs := exports.Get("maxPairs"), exports.Get("routePairs")
	maxPairsNow = func(out, r0, r1 unsafe.Pointer, w2, c int) {
		maxPairs.Invoke(uintptr(out), uintptr(r0), uintptr(r1), w2, c)
	}
	routePairsNow = func(g, g0, g1, r0, r1 unsafe.Pointer, w2, c int) {
		routePairs.Invoke(uintptr(g), uintptr(g0), uintptr(g1), uintptr(r0), uintptr(r1), w2, c)
	}
}
