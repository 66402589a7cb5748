//go:build js && wasm

package gemm

import (
	"syscall/js"
	"unsafe"
)

// ReLU and Mask in the wasm kernel module (simd_js.go): a compare and a mask per four values,
// where Go's loops branch on every value's sign, a coin toss on a conv's outputs.

// reluKernel is relu(y, n): y[i] = y[i] ∧ ¬(y[i] < 0) for the n float32s at y (n a positive
// multiple of 4): all bits cleared, +0, where y < 0; NaN and −0 compare false and stay.
func reluKernel() wasmFunc {
	const (
		y, n   = 0, 1
		end, v = 2, 3
	)
	var w code
	endOf(&w, end, y, n)
	w.loop()
	w.get(y)
	w.get(y)
	w.v128Load(0)
	w.tee(v)
	w.get(v)
	w.v128Zero()
	w.f32x4Lt()
	w.v128AndNot()
	w.v128Store(0)
	w.addTo(y, func() { w.i32(16) })
	w.get(y)
	w.get(end)
	w.ltU()
	w.brIf(0)
	w.end()
	return wasmFunc{"relu", 2, []byte{wI32, wV128}, w}
}

// maskKernel is mask(g, y, n): g[i] = g[i] ∧ (y[i] > 0) for n float32s (n a positive multiple
// of 4): +0 where y is not positive, NaN included.
func maskKernel() wasmFunc {
	const (
		g, y, n = 0, 1, 2
		end     = 3
	)
	var w code
	endOf(&w, end, g, n)
	w.loop()
	w.get(g)
	w.get(g)
	w.v128Load(0)
	w.get(y)
	w.v128Load(0)
	w.v128Zero()
	w.f32x4Gt()
	w.v128And()
	w.v128Store(0)
	w.addTo(g, func() { w.i32(16) })
	w.addTo(y, func() { w.i32(16) })
	w.get(g)
	w.get(end)
	w.ltU()
	w.brIf(0)
	w.end()
	return wasmFunc{"mask", 3, []byte{wI32}, w}
}

// endOf emits end = p + 4·n, the address after n float32s from p.
func endOf(w *code, end, p, n int) {
	w.get(p)
	w.get(n)
	w.i32(2)
	w.shl()
	w.add()
	w.set(end)
}

// installReLU routes ReLU and Mask to the module's kernels (exports, from instantiate). A call
// from Go into the module costs several hundred nanoseconds (one into an empty JavaScript
// function: 365 ns under Node), so the engine calls them on whole rows of a map, never on one
// position's channels alone.
func installReLU(exports js.Value) {
	relu, mask := exports.Get("relu"), exports.Get("mask")
	reluNow = func(y unsafe.Pointer, n int) { relu.Invoke(uintptr(y), n) }
	maskNow = func(g, y unsafe.Pointer, n int) { mask.Invoke(uintptr(g), uintptr(y), n) }
}
