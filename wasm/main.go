//go:build js && wasm

// Command wasm is the synthesis core compiled for GOOS=js GOARCH=wasm. It runs inside a Web
// Worker (worker.js) and installs one object, globalThis.texsynthCore, whose functions the
// worker calls synchronously:
//
//	decode(bytes Uint8Array)                 → {width, height, rgba, notices} — as the CLI decodes
//	useRandomWeights(seed)                   → {provenance, checksum, builtin: true}
//	loadWeights(bytes Uint8Array)            → {provenance, checksum, layers}
//	usePretrainedWeights(bytes Uint8Array)   → {provenance, checksum, layers, pretrained: true}: the
//	                                           site's weights/vgg19-conv3_4.q8, refused unless its
//	                                           SHA-256 is the committed file's
//	keptRandomWeights()                      → {bytes, seed}: the built-in weights as a .q8 file, to keep
//	useKeptRandomWeights(bytes, seed)        → as useRandomWeights, from such a file
//	start(rgba, width, height, settings obj) → {layers, iters, size, weights}
//	step()                                   → {iter, iters, loss, seconds, evals, done, width, height, pixels}
//	stop()                                   → {}
//	presets(size, iters)                     → {questions: [...]} (core/presets, for the page's menu)
//	schema()                                 → {fields: [...]}: every setting's kind, bounds, options (describe.go)
//	describe(settings as text, exemplarSide) → {settings, errors, plan}: the core's parser and plan
//	more(n)                                  → {iter, iters}: n more iterations for the run that stopped or ended
//	prepared(rgba, width, height, settings)  → {width, height, rgba}: the exemplar as the run sees it
//	exit(code)                               → ends the Go program (tests of crash handling)
//	probeGPU()                               → promise of {adapter, emulated} or {error}: opens the WebGPU device
//	engineFor(setting)                       → {engine: "webgpu" | "wasm", adapter, emulated, kernel, why}
//	startGPU(…), stepGPU()                   → promises of start's and step's results, for a run on WebGPU
//	                                           (its frames carry fallback and engine if the GPU failed)
//	loseGPU()                                → destroys the WebGPU device, as a loss would (tests)
//	kernel                                   a string: the vector kernels in use (core/gemm.Kernel)
//	threads                                  how many threads share the products (core/gemm.Pooled)
//
// Every function returns either its result or {error: message, kind: "input" | "internal"};
// "input" means the user's picture, settings or weights file was at fault (the GPU functions:
// a promise of either). The control flow
// (pause, resume, stop, one step at a time) lives in worker.js; this side only holds state.
package main

import (
	"syscall/js"

	"github.com/texsynth/texsynth/core/gemm"
)

func main() {
	core := js.Global().Get("Object").New()
	export(core, "decode", decode)
	export(core, "useRandomWeights", useRandomWeights)
	export(core, "loadWeights", loadWeights)
	export(core, "usePretrainedWeights", usePretrainedWeights)
	export(core, "keptRandomWeights", keptRandomWeights)
	export(core, "useKeptRandomWeights", useKeptRandomWeights)
	export(core, "start", start)
	export(core, "step", step)
	export(core, "stop", stop)
	export(core, "presets", presetList)
	export(core, "schema", schemaWithEngine)
	export(core, "describe", describeWithEngine)
	export(core, "more", more)
	export(core, "prepared", prepared)
	export(core, "exit", exit)
	export(core, "engineFor", engineFor) // the GPU engine: engine.go
	exportAsync(core, "probeGPU", probeGPU)
	exportAsync(core, "startGPU", startGPU)
	exportAsync(core, "stepGPU", stepGPU)
	export(core, "loseGPU", loseGPU)
	core.Set("kernel", gemm.Kernel())  // which vector kernels run: the page shows it
	core.Set("threads", gemm.Pooled()) // how many threads share the products (the worker pool)

	js.Global().Set("texsynthCore", core)
	select {} // keep the program alive: the worker calls in
}
