package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// withProcs runs f with GOMAXPROCS set to n.
func withProcs(t *testing.T, n int, f func()) {
	t.Helper()
	if runtime.GOOS == "js" {
		t.Skip("one worker in wasm")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	f()
}

// checkOnce calls Tasks(n) and fails unless every task ran exactly once on a worker in range.
func checkOnce(t *testing.T, n int) {
	runs := make([]atomic.Int32, n)
	var bad atomic.Int32
	nw := Workers()
	Tasks(n, func(w, i int) {
		if w < 0 || w >= nw {
			bad.Add(1)
		}
		runs[i].Add(1)
	})
	if bad.Load() > 0 {
		t.Errorf("Tasks(%d) at %d workers: %d tasks on a worker out of range", n, nw, bad.Load())
	}
	for i := range runs {
		if r := runs[i].Load(); r != 1 {
			t.Fatalf("Tasks(%d) at %d workers: task %d ran %d times", n, nw, i, r)
		}
	}
}

func TestTasksRunEachOnce(t *testing.T) {
	for _, procs := range []int{2, 3, 4, 2} {
		withProcs(t, procs, func() {
			for _, n := range []int{0, 1, 2, 3, 7, 100, 1000} {
				for range 20 {
					checkOnce(t, n)
				}
			}
		})
	}
}

// The crew serves one call at a time: calls from a task, and calls from several goroutines at
// once, take goroutines of their own, and every task still runs once.
func TestTasksNestedAndConcurrent(t *testing.T) {
	withProcs(t, 3, func() {
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for range 50 {
					checkOnce(t, 9)
					Tasks(4, func(_, _ int) { checkOnce(t, 5) })
				}
			})
		}
		wg.Wait()
	})
}

// The crew's workers take tasks: two tasks that each wait for the other to start can only end
// if two goroutines run them at once. Before every call the crew has had time to fall asleep,
// after the calls in between it has not; both must work.
func TestTasksRunTogether(t *testing.T) {
	withProcs(t, 2, func() {
		for round := range 6 {
			if round%3 == 0 {
				time.Sleep(3 * crewSpin)
			}
			var started atomic.Int32
			timedOut := atomic.Bool{}
			Tasks(2, func(_, _ int) {
				started.Add(1)
				for deadline := time.Now().Add(10 * time.Second); started.Load() < 2; {
					if time.Now().After(deadline) {
						timedOut.Store(true)
						return
					}
					runtime.Gosched()
				}
			})
			if timedOut.Load() {
				t.Fatalf("round %d: the second task never started while the first ran", round)
			}
		}
	})
}
