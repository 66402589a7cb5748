package gemm

import (
	"runtime"
	"sync"
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
//
// The other workers are the crew's (crew.go), which poll for the next call for a while: an
// evaluation makes about a hundred calls, and a goroutine started for each began about 0.1 ms
// late on the development machine (a sleeping thread woken through the kernel), 10 ms of a 47 ms
// evaluation at 64 px summed over its calls. A call made while the crew is busy (a task that
// calls Tasks, or two callers at once) starts goroutines of its own instead.
func Tasks(n int, body func(worker, i int)) {
	nw := min(Workers(), n)
	if nw <= 1 {
		for i := range n {
			body(0, i)
		}
		return
	}
	j := &job{n: n, nw: nw, body: body}
	if theCrew.run(j) {
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < nw; w++ {
		wg.Go(func() { j.work(w) })
	}
	j.work(0)
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
