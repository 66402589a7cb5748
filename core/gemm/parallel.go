package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is how many goroutines share a product (and, for the network and the losses, other
// parallel work): GOMAXPROCS natively, one under js/wasm, where goroutines only take turns.
func Workers() int {
	if runtime.GOOS == "js" {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// Tasks runs body(worker, i) for every i in [0, n), on up to Workers() goroutines (the calling
// one among them) that each take the next undone i; worker in [0, Workers()) names the goroutine,
// so that body can use that worker's scratch. It returns when every task is done.
//
// Nothing a task computes may depend on which worker runs it or in what order: that is what
// keeps every result of the core the same whatever GOMAXPROCS is. With one worker (wasm, or
// GOMAXPROCS=1) the tasks run in order on the caller and nothing is allocated.
func Tasks(n int, body func(worker, i int)) {
	nw := min(Workers(), n)
	if nw <= 1 {
		for i := range n {
			body(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	work := func(w int) {
		for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
			body(w, i)
		}
	}
	for w := 1; w < nw; w++ {
		wg.Go(func() { work(w) })
	}
	work(0)
	wg.Wait()
}

// Ranges runs body(worker, lo, hi) over consecutive ranges that cover [0, n), each of about
// grain items (the last may be shorter), as Tasks does.
func Ranges(n, grain int, body func(worker, lo, hi int)) {
	grain = max(grain, 1)
	Tasks((n+grain-1)/grain, func(w, i int) { body(w, i*grain, min((i+1)*grain, n)) })
}

// Grain returns a range length for n items that gives each worker about four ranges (so that
// an unequal share evens out), and never below least.
func Grain(n, least int) int {
	return max(least, (n+4*Workers()-1)/(4*Workers()))
}
