//go:build js

package main

import "syscall/js"

// poolTimes is what the worker pool (wasm/pool.js, globalThis.texsynthPool) has counted so far:
// products and transform batches taken and the milliseconds they took (all threads at once),
// the calls shared and the stalls; zero without a pool.
func poolTimes() poolStat {
	p := js.Global().Get("texsynthPool")
	if p.IsUndefined() || p.IsNull() {
		return poolStat{}
	}
	return poolStat{p.Get("calls").Int(), p.Get("mixes").Int(), p.Get("productMs").Float(), p.Get("mixMs").Float(),
		p.Get("shared").Int(), p.Get("stalls").Int()}
}
