//go:build js

package main

import "syscall/js"

// poolTimes is what the worker pool (wasm/pool.js, globalThis.texsynthPool) has counted so far:
// products, transform batches and matchings taken and the milliseconds they took (all threads at
// once), the calls shared and those run alone; zero without a pool.
func poolTimes() poolStat {
	p := js.Global().Get("texsynthPool")
	if p.IsUndefined() || p.IsNull() {
		return poolStat{}
	}
	return poolStat{p.Get("calls").Int(), p.Get("mixes").Int(), p.Get("matches").Int(),
		p.Get("productMs").Float(), p.Get("mixMs").Float(), p.Get("matchMs").Float(), p.Get("shared").Int(), p.Get("alone").Int()}
}
