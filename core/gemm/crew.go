package gemm

import (
	"runtime"
	"sync/atomic"
	"time"
)

// job is one Tasks call: n tasks taken in order by nw workers.
type job struct {
	gen   uint64 // the crew's count of calls, this one's
	n, nw int
	body  func(worker, i int)
	next  atomic.Int64
	// left counts the crew's workers still at it; the caller returns when it reaches 0.
	left atomic.Int32
}

// work runs the tasks worker w takes until none is left.
func (j *job) work(w int) {
	for i := int(j.next.Add(1)) - 1; i < j.n; i = int(j.next.Add(1)) - 1 {
		j.body(w, i)
	}
}

// crewSpin is how long a worker, and a caller waiting for the last tasks, poll before they
// sleep: past it (the program between evaluations, or idle) a worker gives its core back. At
// 64 px, where the calls are shortest, 50 µs, 200 µs and 1 ms gave two threads 1.83×, 1.88× and
// 1.89× one on the development machine (best of three, two runs each).
const crewSpin = time.Millisecond

// crew is the goroutines that take Tasks' work beside the caller, kept between calls so that a
// call does not wait for a thread to wake. A worker polls for the next job for crewSpin, then
// sleeps until a caller wakes it. The crew serves one call at a time.
type crew struct {
	busy atomic.Bool // a call holds the crew
	// cur is the job of the call holding the crew, nil between calls (so that nothing keeps
	// what the last job's tasks referred to); gen counts the calls.
	cur     atomic.Pointer[job]
	gen     uint64
	workers []*crewWorker // worker w is workers[w-1]; grown by the call holding the crew
	// waiting is set by a caller that sleeps until the job's last worker is done (finished).
	waiting  atomic.Bool
	finished chan struct{}
}

type crewWorker struct {
	asleep atomic.Bool
	wake   chan struct{}
}

var theCrew = crew{finished: make(chan struct{}, 1)}

// run runs j on the caller and nw−1 workers of the crew and reports whether it did: false when
// the crew is serving another call.
func (c *crew) run(j *job) bool {
	if !c.busy.CompareAndSwap(false, true) {
		return false
	}
	defer c.busy.Store(false)
	for len(c.workers) < j.nw-1 {
		wk := &crewWorker{wake: make(chan struct{}, 1)}
		c.workers = append(c.workers, wk)
		go c.serve(len(c.workers), wk)
	}
	c.gen++
	j.gen = c.gen
	j.left.Store(int32(j.nw - 1))
	c.cur.Store(j)
	defer c.cur.Store(nil)
	for _, wk := range c.workers[:j.nw-1] {
		if wk.asleep.CompareAndSwap(true, false) {
			wk.wake <- struct{}{}
		}
	}
	j.work(0)
	// The last tasks: poll, then sleep until the last worker says it is done. A worker that
	// finds waiting set takes it (the swap) and sends one token, which is then received here.
	for deadline := time.Now().Add(crewSpin); j.left.Load() > 0; {
		if time.Now().After(deadline) {
			c.waiting.Store(true)
			if j.left.Load() > 0 || !c.waiting.CompareAndSwap(true, false) {
				<-c.finished
			}
			break
		}
		spinPause()
	}
	return true
}

// serve is worker w's life: wait for a job, take its tasks if it is one of the job's workers,
// wait again.
func (c *crew) serve(w int, me *crewWorker) {
	var last uint64
	for {
		j := c.await(me, last)
		last = j.gen
		if w >= j.nw {
			continue
		}
		j.work(w)
		if j.left.Add(-1) == 0 && c.waiting.CompareAndSwap(true, false) {
			c.finished <- struct{}{}
		}
	}
}

// await returns the crew's job once there is one later than call last: polling for crewSpin,
// then asleep. A caller that finds asleep set takes it (the swap) and sends one token; a worker
// that finds its own swap lost receives that token before it goes on, so no token is left over
// for the next sleep.
func (c *crew) await(me *crewWorker, last uint64) *job {
	for deadline := time.Now().Add(crewSpin); ; {
		if j := c.cur.Load(); j != nil && j.gen != last {
			return j
		}
		if time.Now().After(deadline) {
			break
		}
		spinPause()
	}
	for {
		me.asleep.Store(true)
		if j := c.cur.Load(); j != nil && j.gen != last {
			if !me.asleep.CompareAndSwap(true, false) {
				<-me.wake
			}
			return j
		}
		<-me.wake
		if j := c.cur.Load(); j != nil && j.gen != last {
			return j
		}
	}
}

// spinPause is one turn of a polling loop: it lets other goroutines run, so that a poller never
// holds up the Go scheduler (a collection waits for every goroutine to stop).
func spinPause() { runtime.Gosched() }
