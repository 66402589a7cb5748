//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/texsynth/texsynth/core/gemm"
	"github.com/texsynth/texsynth/core/gpu"
	"github.com/texsynth/texsynth/core/input"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// The engine a run's network runs on: the person's GPU through WebGPU (core/gpu), or the wasm
// SIMD kernels (core/vgg's fast engine). The worker asks engineFor which one a run gets, then
// starts it with start (the wasm kernels: synchronous, as always) or startGPU, and steps it with
// step or stepGPU: a GPU evaluation waits on JavaScript promises, which Go can only do on a
// goroutine of its own, never inside a call from JavaScript, so the GPU functions return a
// promise of what the synchronous ones return.
//
// A GPU run's network is a gpu.Fallback: when the device fails (lost, out of memory, a refused
// shader) the run goes on with the wasm kernels from where it was, and the next frame says so.

// convWebGPU is the GPU engine as a value of Settings.Conv, in this program only: the worker
// sets it when engineFor chose WebGPU (the page's setting is engine, engineSetting).
const convWebGPU vgg.Conv = "webgpu"

func init() { vgg.Register(convWebGPU, buildGPU) }

var gpuState struct {
	dev     *gpu.Device
	probed  bool   // probeGPU has answered
	missing error  // why there is no adapter (probeGPU's error)
	failed  string // the last device failure in this worker, said to auto's choice
}

var (
	gpuNet  *gpu.Fallback // the GPU run's network, closed when its run is dropped
	gpuFell string        // the reason of a fallback the next frame has not yet told
	async   int           // GPU functions running on their goroutines (exportAsync)
)

// errSync is a GPU run reached through a synchronous call, which would wait on JavaScript
// forever: a mistake of the worker's.
var errSync = errors.New("a run on WebGPU starts and steps through startGPU and stepGPU")

// device returns the open device, asking for one if there is none (the first run, or after a
// failure). It waits on JavaScript: call it on a goroutine.
func device() (*gpu.Device, error) {
	if gpuState.dev == nil {
		d, err := gpu.Open()
		gpuState.probed = true
		if err != nil {
			gpuState.missing = err
			return nil, err
		}
		gpuState.dev, gpuState.missing = d, nil
	}
	return gpuState.dev, nil
}

// probeGPU() → promise of {adapter, emulated} or {error}: opens the device the runs will use.
// The worker asks once, before it says it is ready, so that engineFor knows.
func probeGPU(args []js.Value) (map[string]any, error) {
	d, err := device()
	if err != nil {
		return map[string]any{"error": input.Message(err)}, nil
	}
	return map[string]any{"adapter": d.Adapter(), "emulated": d.Emulated()}, nil
}

// engineFor(setting) → {engine: "webgpu" | "wasm", adapter, emulated, kernel, why}: the engine a
// run with the engine setting gets. auto takes the GPU when there is an adapter that is not a CPU
// emulation of WebGPU (SwiftShader, lavapipe: correct, but slower than the wasm kernels) and no
// GPU has failed in this worker; webgpu takes it whatever it is, and is refused without one.
func engineFor(args []js.Value) (map[string]any, error) {
	setting := "auto"
	if len(args) > 0 && args[0].Type() == js.TypeString && args[0].String() != "" {
		setting = args[0].String()
	}
	engine, why, err := chooseEngine(setting)
	if err != nil {
		return nil, err
	}
	return engineInfo(engine, why), nil
}

// chooseEngine resolves an engine setting (already checked by checkEngine) to webgpu or wasm,
// and says why auto chose wasm.
func chooseEngine(setting string) (engine, why string, err error) {
	if err := checkEngine(setting); err != nil {
		return "", "", err
	}
	d := gpuState.dev
	switch {
	case setting == "wasm":
		return "wasm", "asked for", nil
	case setting == "webgpu":
		return "webgpu", "asked for", nil
	case gpuState.failed != "":
		return "wasm", "the GPU failed earlier: " + gpuState.failed, nil
	case d == nil:
		return "wasm", "no WebGPU" + missingWhy(), nil
	case d.Emulated():
		return "wasm", "the WebGPU adapter (" + d.Adapter() + ") is a CPU emulation, slower than the wasm kernels", nil
	}
	return "webgpu", "the GPU", nil
}

func missingWhy() string {
	if gpuState.missing == nil {
		return ""
	}
	return ": " + input.Message(gpuState.missing)
}

// engineInfo describes an engine for the page.
func engineInfo(engine, why string) map[string]any {
	info := map[string]any{"engine": engine, "why": why, "kernel": gemm.Kernel()}
	if d := gpuState.dev; engine == "webgpu" && d != nil {
		info["adapter"], info["emulated"] = d.Adapter(), d.Emulated()
	}
	return info
}

// buildGPU is the webgpu engine's vgg.Builder: the network on the device, wrapped to fall back
// to the wasm kernels. A device that fails while the network is built falls back at once.
func buildGPU(w *weights.File, taps []string, pad vgg.Pad) (vgg.Network[float32], error) {
	if async == 0 {
		return nil, errSync
	}
	closeGPUNet()
	fast := func() (vgg.Network[float32], error) { return vgg.NewFast[float32](w, taps, pad) }
	d, err := device()
	if err != nil {
		return nil, fmt.Errorf("%w: engine webgpu: %v; use auto or wasm", input.Err, input.Message(err))
	}
	net, err := gpu.New(d, vgg.ArchOf(w).Stages(), w, taps, string(pad))
	if errors.Is(err, gpu.ErrDevice) {
		gpuFailed(err)
		return fast()
	}
	if err != nil {
		return nil, err
	}
	gpuNet = gpu.NewFallback(net, fast, gpuFailed)
	return gpuNet, nil
}

// gpuFailed is told of a device failure: the run goes on with the wasm kernels; the device is
// dropped (a later webgpu run asks for a new one), and auto no longer chooses the GPU.
func gpuFailed(reason error) {
	gpuFell = input.Message(reason)
	gpuState.failed = gpuFell
	// The page's notice keeps the reason's first words; the browser's whole text goes to the
	// console for whoever debugs the GPU.
	js.Global().Get("console").Call("warn", "texsynth: the GPU failed: "+reason.Error())
	if gpuState.dev != nil {
		gpuState.dev.Destroy()
		gpuState.dev = nil
	}
}

// closeGPUNet frees the GPU buffers of the run being dropped.
func closeGPUNet() {
	if gpuNet != nil {
		gpuNet.Close()
		gpuNet = nil
	}
}

// startGPU is start for a run whose settings name the webgpu engine: a promise of start's result,
// with the engine it got (the wasm kernels if the device failed as the network was built).
func startGPU(args []js.Value) (map[string]any, error) {
	gpuFell = ""
	r, err := start(args)
	if err != nil {
		return nil, err
	}
	r["engine"] = runEngine()
	if gpuFell != "" {
		r["fallback"], gpuFell = gpuFell, ""
	}
	return r, nil
}

// stepGPU is step for a GPU run: a promise of the frame, which carries fallback (why) and
// engine when the device failed during this step.
func stepGPU(args []js.Value) (map[string]any, error) {
	f, err := step(args)
	if err != nil {
		return nil, err
	}
	if gpuFell != "" {
		f["fallback"], gpuFell = gpuFell, ""
		f["engine"] = runEngine()
	}
	return f, nil
}

// runEngine describes the engine the GPU run's network is on now.
func runEngine() map[string]any {
	if gpuNet == nil || gpuNet.Reason() != nil {
		return engineInfo("wasm", "the GPU failed: "+gpuState.failed)
	}
	return engineInfo("webgpu", "asked for")
}

// loseGPU destroys the device, as a lost one would be: for tests of the fallback. It does not
// wait for a step in progress (a real loss does not either).
func loseGPU(args []js.Value) (map[string]any, error) {
	if gpuState.dev == nil {
		return nil, errors.New("there is no GPU device to lose")
	}
	gpuState.dev.Destroy()
	return map[string]any{}, nil
}

// exportAsync installs f as obj[name], returning a promise (bench.go's promise: f runs on a
// goroutine of its own) of what export's function would return ({error, kind} for an error; a
// panic rejects it).
func exportAsync(obj js.Value, name string, f func(args []js.Value) (map[string]any, error)) {
	obj.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) any {
		args = append([]js.Value(nil), args...)
		return promise(func() (any, error) {
			async++
			defer func() { async-- }()
			r, err := f(args)
			if err != nil {
				return errorValue(err), nil
			}
			return r, nil
		})
	}))
}
