//go:build js

package main

import (
	"syscall/js"
	"time"
)

// cpuTime is the process's user CPU time so far (Node's process.cpuUsage).
func cpuTime() time.Duration {
	p := js.Global().Get("process")
	if p.IsUndefined() || p.Get("cpuUsage").IsUndefined() {
		return 0
	}
	return time.Duration(p.Call("cpuUsage").Get("user").Float()) * time.Microsecond
}
