//go:build js && wasm

package gemm

import (
	"fmt"
	"runtime"
	"syscall/js"
)

// The page's worker pool (wasm/pool.js): when the page is cross-origin isolated, the worker that
// runs this program creates Web Workers that share one WebAssembly.Memory (a SharedArrayBuffer)
// and hands the pool over as globalThis.texsynthPool before the program starts. Go's own memory
// cannot be shared, so a large product is copied in (A, C, and B unless the pool still holds
// this Packed's content), its rows split between the workers and this thread, and C copied
// back; this thread waits (Atomics.wait) until the workers are done, so the product is as
// synchronous as the local kernel's. Each row of C is computed by the same kernel in the same
// order whichever thread runs it, so pooled and single-threaded products are bit-identical.

// poolMin is the smallest product (in multiply-adds) handed to the pool: below it, waking the
// workers and the copies cost more than the second thread saves (docs/performance.md).
const poolMin = 1 << 19

// unpooled is the product on this thread alone, kept for the tests.
var unpooled func(c []float32, m int, a []float32, lda int, b *Packed[float32], tap int) bool

// installPool starts the pool, if there is one, with the product kernel compiled for its shared
// memory, and routes large products to it; it returns what to add to the kernel's name: nothing
// when the pool runs or there is none (Pooled says how many threads), why not when it failed.
func installPool(fma bool) string {
	p := js.Global().Get("texsynthPool")
	if p.IsUndefined() || p.IsNull() {
		return ""
	}
	threads, err := startPool(p, fma)
	if err != nil {
		return ", 1 thread (" + err.Error() + ")"
	}
	if threads <= 1 {
		return ""
	}
	local := productF32
	unpooled = local
	gemm := p.Get("gemm")
	productF32 = func(c []float32, m int, a []float32, lda int, b *Packed[float32], tap int) bool {
		if m*b.K*b.N < poolMin || m < 2*blockRows || !takes(c, m, a, lda, b) {
			return local(c, m, a, lda, b, tap)
		}
		done := gemm.Invoke(addr(c), m, addr(a), lda, addr(b.Data[tap*b.K*b.N:]), b.K, b.N, float64(b.identity())).Bool()
		runtime.KeepAlive(c)
		runtime.KeepAlive(a)
		runtime.KeepAlive(b)
		return done || local(c, m, a, lda, b, tap)
	}
	pooled = threads
	return ""
}

// startPool gives the pool the kernel module and returns how many threads share a product.
func startPool(p js.Value, fma bool) (threads int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the worker pool did not start: %v", r)
		}
	}()
	bytes := moduleOn(true, gemmKernel(fma))
	buf := js.Global().Get("Uint8Array").New(len(bytes))
	js.CopyBytesToJS(buf, bytes)
	return p.Call("start", buf).Int(), nil
}
