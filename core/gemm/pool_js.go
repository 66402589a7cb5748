//go:build js && wasm

package gemm

import (
	"fmt"
	"runtime"
	"syscall/js"
	"time"
)

// The page's worker pool (wasm/pool.js): when the page is cross-origin isolated, the worker that
// runs this program instantiates it on a shared WebAssembly.Memory (wasm/shared-memory.js),
// starts Web Workers, and hands the pool over as globalThis.texsynthPool before the program
// starts. Each pool thread instantiates the SIMD kernels on this program's memory, so a large
// product, or a large batch of transform steps, is computed in place: the product's rows, or
// the batch's vector columns, are split between the workers and this thread, and this thread
// waits (Atomics.wait) until they are done, so the call is as synchronous as the local kernel's
// and nothing else in the program runs meanwhile. Each row of C is computed by the same kernel
// in the same order whichever thread runs it, and each element of a transformed vector by the
// same steps, so pooled and single-threaded results are bit-identical.

// poolMin is the smallest product (in multiply-adds) handed to the pool, and mixMin the smallest
// batch of steps (steps × vector length): below them, waking the workers costs more than the
// second thread saves (docs/performance.md).
const (
	poolMin = 1 << 17
	mixMin  = 1 << 16
)

// unpooled and unpooledSteps are the kernels on this thread alone, kept for the tests.
var (
	unpooled      func(c []float32, m int, a []float32, lda int, b *Packed[float32], tap int) bool
	unpooledSteps func(ops []int32, n int)
)

// installPool starts the pool, if there is one, with the kernels compiled for the shared memory
// (shared: this program's memory is one), and routes large products and batches to it; it
// returns what to add to the kernel's name: nothing when the pool runs or there is none (Pooled
// says how many threads), why not when it failed.
func installPool(shared, fma bool) string {
	p := js.Global().Get("texsynthPool")
	if p.IsUndefined() || p.IsNull() {
		return ""
	}
	if !shared {
		return ", 1 thread (the Go program's memory is not shared)"
	}
	threads, err := startPool(p, fma)
	if err != nil {
		return ", 1 thread (" + err.Error() + ")"
	}
	if threads <= 1 {
		return ""
	}
	local, localSteps := productF32, stepsF32
	unpooled, unpooledSteps = local, localSteps
	gemm, mix := p.Get("gemm"), p.Get("mix")
	productF32 = func(c []float32, m int, a []float32, lda int, b *Packed[float32], tap int) bool {
		if m*b.K*b.N < poolMin || m < 2*blockRows || !takes(c, m, a, lda, b) {
			return local(c, m, a, lda, b, tap)
		}
		gemm.Invoke(addr(c), m, addr(a), lda, addr(b.Data[tap*b.K*b.N:]), b.K, b.N)
		runtime.KeepAlive(c)
		runtime.KeepAlive(a)
		runtime.KeepAlive(b)
		return true
	}
	stepsF32 = func(ops []int32, n int) {
		if steps := len(ops) / 4; steps*n < mixMin || n < 8*threads {
			localSteps(ops, n)
			return
		}
		mix.Invoke(addr(ops), len(ops)/4, 4*n)
		runtime.KeepAlive(ops)
	}
	matchPool, matchThreads = p.Get("match"), min(threads, matchMaxThreads)
	pooled = threads
	return ""
}

// startPool gives the pool the kernel module and returns how many threads share a call.
func startPool(p js.Value, fma bool) (threads int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the worker pool did not start: %v", r)
		}
	}()
	return p.Call("start", kernelModule(true, fma)).Int(), nil
}

// AwaitPool waits up to timeout for every thread of the worker pool to have the kernels, and
// reports whether they do (true without a pool). The kernels reach the pool's workers only when
// this program lets the JavaScript event loop run (a browser or Node holds the messages till
// then), which a program computing from its start never does: each wait here (time.Sleep) lets it
// run. Until then every call runs on this thread alone.
func AwaitPool(timeout time.Duration) bool {
	if pooled <= 1 {
		return true
	}
	p := js.Global().Get("texsynthPool")
	for start := time.Now(); !p.Get("started").Bool(); time.Sleep(time.Millisecond) {
		if time.Since(start) > timeout {
			return false
		}
	}
	return true
}
