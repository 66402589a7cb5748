//go:build !js

package main

import (
	"syscall"
	"time"
)

// cpuTime is the process's user CPU time so far, summed over threads.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano())
}
