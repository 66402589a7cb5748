//go:build unix

package main

import "syscall"

// fileLimit is the process's limit of open files (Go raises the soft limit to the hard one at
// start).
func fileLimit() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur > 1<<20 {
		return 1 << 20
	}
	return int(r.Cur)
}
