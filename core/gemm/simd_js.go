//go:build js && wasm

package gemm

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall/js"
)

// The wasm build's vector kernel: a second, hand-assembled WebAssembly module using SIMD128
// (which Go's compiler never emits), instantiated on the Go program's own linear memory, so it
// reads Go's slices in place. The page's worker (wasm/worker.js) and the Node runner
// (wasm/memory.cjs) hand that memory over as globalThis.texsynthMemory before the Go program
// starts; without it, or with TEXSYNTH_SIMD=off, or on an engine without SIMD128, the portable
// Go kernel runs. Where that memory is shared (a SharedArrayBuffer: the worker pool's case,
// pool_js.go), the module imports it as shared, which an import of a shared memory must say.

func init() {
	kernel = installSIMD()
}

func installSIMD() string {
	if os.Getenv("TEXSYNTH_SIMD") == "off" {
		return "portable (TEXSYNTH_SIMD=off)"
	}
	mem := js.Global().Get("texsynthMemory")
	if mem.IsUndefined() || mem.IsNull() {
		return "portable (no globalThis.texsynthMemory: run through wasm/memory.cjs or worker.js)"
	}
	// Relaxed SIMD's fused multiply-add (Chromium ≥ 114; Node 20 lacks it) halves the
	// product's arithmetic; without it, a multiply and an add.
	// TEXSYNTH_SIMD=nofma keeps the multiply and add, to test that kernel where FMA exists.
	name := "wasm SIMD128 + relaxed FMA"
	shared := isShared(mem)
	kernels, err := instantiate(mem, shared, true)
	if os.Getenv("TEXSYNTH_SIMD") == "nofma" {
		err = errors.New("nofma")
	}
	if err != nil {
		name = "wasm SIMD128"
		kernels, err = instantiate(mem, shared, false)
	}
	if err != nil {
		return "portable (" + err.Error() + ")"
	}
	gemm, mix := kernels.Get("gemm"), kernels.Get("mix")
	stepsF32 = func(ops []int32, n int) {
		mix.Invoke(addr(ops), len(ops)/4, 0, 4*n)
		runtime.KeepAlive(ops)
	}
	productF32 = func(c []float32, m int, a []float32, lda int, b *Packed[float32], tap int) bool {
		if !takes(c, m, a, lda, b) {
			return false
		}
		gemm.Invoke(addr(c), m, addr(a), lda, addr(b.Data[tap*b.K*b.N:]), b.K, b.N)
		runtime.KeepAlive(c)
		runtime.KeepAlive(a)
		runtime.KeepAlive(b)
		return true
	}
	installReLU(kernels)
	installMaxPool(kernels)
	installSort(kernels)
	installMatch(kernels)
	return name + installPool(shared, name != "wasm SIMD128")
}

// isShared reports whether mem (a WebAssembly.Memory) is over a SharedArrayBuffer.
func isShared(mem js.Value) bool {
	sab := js.Global().Get("SharedArrayBuffer")
	return sab.Type() == js.TypeFunction && mem.Get("buffer").InstanceOf(sab)
}

// takes reports whether the SIMD product kernel takes the shape: whole panels only, and every
// element it reads or writes inside the slices (it does not check bounds).
func takes(c []float32, m int, a []float32, lda int, b *Packed[float32]) bool {
	n, k := b.N, b.K
	return n%nr == 0 && m > 0 && k > 0 && len(c) >= m*n && len(a) >= (m-1)*lda+k
}

// instantiate compiles the kernel module against mem (shared or not) and returns its exports; an
// engine without SIMD128 refuses it.
func instantiate(mem js.Value, shared, fma bool) (exports js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the SIMD kernel did not load: %v", r)
		}
	}()
	buf := kernelModule(shared, fma)
	wa := js.Global().Get("WebAssembly")
	mod := wa.Get("Module").New(buf)
	env := js.Global().Get("Object").New()
	env.Set("mem", mem)
	imports := js.Global().Get("Object").New()
	imports.Set("env", env)
	inst := wa.Get("Instance").New(mod, imports)
	return inst.Get("exports"), nil
}

// kernelModule is the kernels' module (gemm, mix, and the ReLU, pool, sort and matching kernels
// of relu_js.go, maxpool_js.go, sort_js.go and match_js.go) as a Uint8Array, importing a shared memory when
// shared is set.
func kernelModule(shared, fma bool) js.Value {
	funcs := []wasmFunc{gemmKernel(fma), mixKernel(), reluKernel(), maskKernel(), maxPairsKernel(), routePairsKernel(),
		sortKernel(8), sortKernel(11)}
	funcs = append(funcs, matchKernel(len(funcs)-2, len(funcs)-1)) // it calls the two sorts by index
	bytes := moduleOn(shared, funcs...)
	buf := js.Global().Get("Uint8Array").New(len(bytes))
	js.CopyBytesToJS(buf, bytes)
	return buf
}

// blockRows is the height of the kernel's register block.
const blockRows = 4

// gemmKernel is gemm(c, m, a, lda, b, k, n): for each 8-column panel of B (packed as in
// gemm.go, k rows of 8 floats), c[p, panel] += a[p·lda : p·lda+k] · panel for p in [0, m); c
// has n columns (a multiple of 8). Rows go blockRows (4) at a time through a 4×8 block (eight
// f32x4 accumulators, two B vectors and a splatted A value: V8 keeps all in x64's 16 vector
// registers), then one at a time; with fma each multiply-add is one relaxed_madd. A is read in
// place, rows lda apart, so it needs no packing.
func gemmKernel(fma bool) wasmFunc {
	const (
		c, m, a, lda, b, k, n                            = 0, 1, 2, 3, 4, 5, 6
		ldaB, ldcB, panelB, j, bp, cp, i, pa, cr, pb, kk = 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17
		pa0                                              = 18              // one row pointer per block row
		acc                                              = pa0 + blockRows // two accumulators per block row
		b0, b1, x                                        = acc + 2*blockRows, acc + 2*blockRows + 1, acc + 2*blockRows + 2
	)
	locals := []byte{}
	for range pa0 + blockRows - 7 {
		locals = append(locals, wI32)
	}
	for range 2*blockRows + 3 {
		locals = append(locals, wV128)
	}
	var w code
	shift := func(dst, src, by int) { w.get(src); w.i32(int32(by)); w.shl(); w.set(dst) }
	shift(ldaB, lda, 2)
	shift(ldcB, n, 2)
	shift(panelB, k, 5)
	w.get(n)
	w.i32(3)
	w.op(0x76) // i32.shr_u
	w.set(j)
	w.get(b)
	w.set(bp)
	w.get(c)
	w.set(cp)

	// rowBlock emits the loop over rows `rows` at a time while at least that many remain.
	rowBlock := func(rows int) {
		w.block()
		w.loop()
		w.get(m) // exit when m - i < rows
		w.get(i)
		w.sub()
		w.i32(int32(rows))
		w.ltS()
		w.brIf(1)
		for r := range 2 * rows {
			w.v128Zero()
			w.set(acc + r)
		}
		for r := range rows {
			w.get(pa)
			if r > 0 {
				w.get(ldaB)
				w.i32(int32(r))
				w.mul()
				w.add()
			}
			w.set(pa0 + r)
		}
		w.get(bp)
		w.set(pb)
		w.get(k)
		w.set(kk)
		w.loop() // over k
		w.get(pb)
		w.v128Load(0)
		w.set(b0)
		w.get(pb)
		w.v128Load(16)
		w.set(b1)
		for r := range rows {
			w.get(pa0 + r)
			w.loadSplat(0)
			w.set(x)
			for h, bv := range []int{b0, b1} {
				if fma {
					w.get(x)
					w.get(bv)
					w.get(acc + 2*r + h)
					w.simd(0x105) // f32x4.relaxed_madd: x·b + acc
				} else {
					w.get(acc + 2*r + h)
					w.get(x)
					w.get(bv)
					w.f32x4Mul()
					w.f32x4Add()
				}
				w.set(acc + 2*r + h)
			}
			w.addTo(pa0+r, func() { w.i32(4) })
		}
		w.addTo(pb, func() { w.i32(32) })
		w.get(kk)
		w.i32(1)
		w.sub()
		w.set(kk)
		w.get(kk)
		w.brIf(0)
		w.end()
		for r := range rows {
			for h := range 2 {
				// c[row r, half h] += acc
				w.get(cr)
				if r > 0 {
					w.get(ldcB)
					w.i32(int32(r))
					w.mul()
					w.add()
				}
				w.set(pb) // pb is free here: the row's address
				w.get(pb)
				w.get(pb)
				w.v128Load(16 * h)
				w.get(acc + 2*r + h)
				w.f32x4Add()
				w.v128Store(16 * h)
			}
		}
		w.addTo(i, func() { w.i32(int32(rows)) })
		w.addTo(pa, func() { w.get(ldaB); w.i32(int32(rows)); w.mul() })
		w.addTo(cr, func() { w.get(ldcB); w.i32(int32(rows)); w.mul() })
		w.br(0)
		w.end()
		w.end()
	}

	w.loop() // over panels
	w.i32(0)
	w.set(i)
	w.get(a)
	w.set(pa)
	w.get(cp)
	w.set(cr)
	rowBlock(blockRows)
	rowBlock(1)
	w.addTo(bp, func() { w.get(panelB) })
	w.addTo(cp, func() { w.i32(32) })
	w.get(j)
	w.i32(1)
	w.sub()
	w.set(j)
	w.get(j)
	w.brIf(0)
	w.end()
	return wasmFunc{"gemm", 7, locals, w}
}

// mixKernel is mix(ops, count, from, to): the steps Steps recorded (steps.go), four int32s
// each: dst and x addresses, k's float32 bits, and 0 for dst = k·x or 1 for dst += k·x, on the
// bytes from … to of every vector (multiples of 16; 0 and 4·n for the whole vectors of n
// float32s), in order. Every step works element by element, so the columns of a range depend on
// the same columns only: the worker pool splits a batch into ranges (pool_js.go).
//
// A combination (Steps.Combine: dst = k0·x0, then dst += k_t·x_t, up to mixTerms terms, no x_t
// after the first being dst itself) runs as one pass that keeps dst in a register through its
// terms: the multiply and adds of the steps one by one, in their order, so the same bits, with dst
// loaded and stored once instead of at every step, and the steps read once.
func mixKernel() wasmFunc {
	const (
		ops, count, from, to     = 0, 1, 2, 3
		dst, src, end, add, k    = 4, 5, 6, 7, 8
		terms, raw, q, o, length = 9, 10, 11, 12, 13
		xs                       = 14            // mixTerms x addresses
		ks                       = xs + mixTerms // mixTerms coefficients, splatted
	)
	locals := []byte{wI32, wI32, wI32, wI32, wV128, wI32, wI32, wI32, wI32, wI32}
	for range mixTerms {
		locals = append(locals, wI32)
	}
	for range mixTerms {
		locals = append(locals, wV128)
	}
	var w code
	w.get(to)
	w.get(from)
	w.sub()
	w.set(length)
	w.block()
	w.loop()
	w.get(count)
	w.eqz()
	w.brIf(1)
	w.get(ops)
	w.i32Load(0)
	w.tee(raw)
	w.set(dst)
	w.get(ops)
	w.i32Load(12)
	w.set(add)
	// terms: how many steps from this one make a combination (1: this step alone).
	w.i32(1)
	w.set(terms)
	w.get(add)
	w.eqz()
	w.ifThen()
	w.get(ops)
	w.i32(16)
	w.add()
	w.set(q)
	w.block()
	w.loop()
	w.get(terms)
	w.i32(mixTerms)
	w.geS()
	w.brIf(1)
	w.get(terms)
	w.get(count)
	w.geS()
	w.brIf(1)
	w.get(q)
	w.i32Load(0) // the same dst
	w.get(raw)
	w.ne()
	w.brIf(1)
	w.get(q)
	w.i32Load(12) // adding
	w.i32(1)
	w.ne()
	w.brIf(1)
	w.get(q)
	w.i32Load(4) // not reading dst
	w.get(raw)
	w.eq()
	w.brIf(1)
	w.addTo(terms, func() { w.i32(1) })
	w.addTo(q, func() { w.i32(16) })
	w.br(0)
	w.end()
	w.end()
	w.end()
	w.get(terms)
	w.i32(1)
	w.eq()
	w.ifThen()
	// One step.
	w.get(ops)
	w.i32Load(4)
	w.get(from)
	w.add()
	w.set(src)
	w.get(ops)
	w.f32Load(8)
	w.f32x4Splat()
	w.set(k)
	w.get(dst)
	w.get(to)
	w.add()
	w.set(end)
	w.get(dst)
	w.get(from)
	w.add()
	w.set(dst)
	w.get(add)
	w.ifThen()
	vectorLoop(&w, dst, src, end, k, true)
	w.elseDo()
	vectorLoop(&w, dst, src, end, k, false)
	w.end()
	w.elseDo()
	w.get(dst)
	w.get(from)
	w.add()
	w.set(dst)
	for t := 2; t <= mixTerms; t++ {
		w.get(terms)
		w.i32(int32(t))
		w.eq()
		w.ifThen()
		combineLoop(&w, t, ops, from, dst, o, length, xs, ks)
		w.end()
	}
	w.end()
	w.addTo(ops, func() { w.get(terms); w.i32(4); w.shl() })
	w.addTo(count, func() { w.i32(0); w.get(terms); w.sub() })
	w.br(0)
	w.end()
	w.end()
	return wasmFunc{"mix", 4, locals, w}
}

// mixTerms is the most steps mix runs as one combination: a row of Winograd F(4×4)'s Bᵀ has up to
// four non-zero coefficients and of Aᵀ five, plus the bias's step after an output.
const mixTerms = 6

// combineLoop emits the pass of a combination of t steps (the t recorded at ops, dst already
// offset by from): dst[…] = k0·x0[…] + k1·x1[…] + … four floats at a time over length bytes, with
// o the offset; xs and ks are the first of t locals each for the terms' addresses and coefficients.
func combineLoop(w *code, t, ops, from, dst, o, length, xs, ks int) {
	for u := range t {
		w.get(ops)
		w.i32Load(16*u + 4)
		w.get(from)
		w.add()
		w.set(xs + u)
		w.get(ops)
		w.f32Load(16*u + 8)
		w.f32x4Splat()
		w.set(ks + u)
	}
	w.i32(0)
	w.set(o)
	w.loop()
	w.get(dst)
	w.get(o)
	w.add()
	for u := range t {
		w.get(xs + u)
		w.get(o)
		w.add()
		w.v128Load(0)
		w.get(ks + u)
		w.f32x4Mul()
		if u > 0 {
			w.f32x4Add()
		}
	}
	w.v128Store(0)
	w.addTo(o, func() { w.i32(16) })
	w.get(o)
	w.get(length)
	w.ltU()
	w.brIf(0)
	w.end()
}

// vectorLoop emits dst[…] (+)= k·src[…] four floats at a time until dst reaches end.
func vectorLoop(w *code, dst, src, end, k int, add bool) {
	w.loop()
	w.get(dst)
	if add {
		w.get(dst)
		w.v128Load(0)
	}
	w.get(src)
	w.v128Load(0)
	w.get(k)
	w.f32x4Mul()
	if add {
		w.f32x4Add()
	}
	w.v128Store(0)
	w.addTo(dst, func() { w.i32(16) })
	w.addTo(src, func() { w.i32(16) })
	w.get(dst)
	w.get(end)
	w.ltU()
	w.brIf(0)
	w.end()
}
