//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"syscall/js"
	"time"

	"github.com/texsynth/texsynth/core/gemm"
	"github.com/texsynth/texsynth/core/gpu"
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// The benchmark page (site/bench.html, through site/bench-worker.js) times one synthesis
// evaluation — the default network (untrained VGG-16 to relu4_3, ten taps, zero padding),
// forward, sw loss, image gradient — on each engine, at the sizes a person picks:
//
//	texsynthBench.run(size, engine "webgpu" | "wasm", evaluations) → Promise of
//	  {engine, size, adapter, emulated, times: [ms…], forward, backward, loss: [ms…],
//	   value, agreement: {with, sw, gram, gramGradient} | null}
//
// The first evaluation of each (engine, size) is not timed: it compiles and allocates, and it
// evaluates the gram loss instead. Both engines evaluate the same start image against the same
// exemplar, so the second engine to run at a size also reports how far its results are from the
// first's (relative): the sw loss, the gram loss and the gram loss's image gradient. (Not sw's
// gradient: sorting makes it jump where two projections nearly tie, so float32 rounding alone
// moves it by up to 1e-2.)
func init() {
	api := js.Global().Get("Object").New()
	api.Set("run", js.FuncOf(func(_ js.Value, args []js.Value) any {
		return promise(func() (any, error) {
			if len(args) < 3 {
				return nil, errors.New("run(size, engine, evaluations)")
			}
			return benchRun(args[0].Int(), args[1].String(), args[2].Int())
		})
	}))
	js.Global().Set("texsynthBench", api)
}

// promise runs f on a goroutine of its own (the GPU engine waits on JavaScript promises, which
// a callback from JavaScript must never do) and settles a JavaScript promise with its result.
func promise(f func() (any, error)) js.Value {
	return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			defer func() {
				if p := recover(); p != nil {
					reject.Invoke(js.Global().Get("Error").New(fmt.Sprint("internal error: ", p)))
				}
			}()
			v, err := f()
			if err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	}))
}

var bench struct {
	w      *weights.File
	dev    *gpu.Device
	devErr error
	first  map[int]benchResult // per size: the first engine's evaluation
}

type benchResult struct {
	engine   string
	sw, gram float64
	gramGrad []float32
}

func benchRun(size int, engine string, evals int) (map[string]any, error) {
	if size < 16 || size > 1024 || evals < 1 || evals > 100 {
		return nil, fmt.Errorf("size %d (16–1024) or evaluations %d (1–100) out of range", size, evals)
	}
	if bench.w == nil {
		w, err := weights.Random(0, vgg.VGG16.Deepest(vgg.VGG16.Default()))
		if err != nil {
			return nil, err
		}
		bench.w, bench.first = w, map[int]benchResult{}
	}
	taps := vgg.VGG16.Default()
	out := map[string]any{"engine": engine, "size": size}
	var net vgg.Network[float32]
	var timing func() gpu.Timing
	switch engine {
	case "wasm":
		fast, err := vgg.NewFast[float32](bench.w, taps, vgg.PadZero)
		if err != nil {
			return nil, err
		}
		net = fast
		out["adapter"], out["emulated"] = "wasm: "+gemm.Kernel(), false
		out["threads"] = gemm.Pooled()
	case "webgpu":
		if bench.dev == nil && bench.devErr == nil {
			bench.dev, bench.devErr = gpu.Open()
		}
		if bench.devErr != nil {
			return nil, bench.devErr
		}
		g, err := gpu.New(bench.dev, vgg.VGG16.Stages(), bench.w, taps, string(vgg.PadZero))
		if err != nil {
			return nil, err
		}
		defer g.Close()
		net, timing = g, g.LastTiming
		out["adapter"], out["emulated"] = bench.dev.Adapter(), bench.dev.Emulated()
	default:
		return nil, fmt.Errorf("unknown engine %q: webgpu or wasm", engine)
	}
	defer runtime.GC() // the next size's buffers replace this one's

	exF, err := net.Forward(stripes(size), size, size)
	if err != nil {
		return nil, err
	}
	uniform := make([]float64, len(taps))
	for i := range uniform {
		uniform[i] = 1
	}
	sw, err := loss.New[float32](loss.Options{Kind: "sw", Seed: 1}, exF, uniform)
	if err != nil {
		return nil, err
	}
	gram, err := loss.New[float32](loss.Options{Kind: "gram"}, exF, uniform)
	if err != nil {
		return nil, err
	}
	img := noise(size, 2)
	grad := make([]float32, len(img))
	set := gram
	var value float64
	var times, losses, forward, backward []any
	this := benchResult{engine: engine}
	for i := range evals + 1 { // the first compiles and allocates: not timed
		start := time.Now()
		feats, err := net.Forward(img, size, size)
		if err != nil {
			return nil, err
		}
		lossStart := time.Now()
		v, up, err := set.Eval(feats)
		if err != nil {
			return nil, err
		}
		lossTime := time.Since(lossStart)
		if err := net.Backward(up, grad); err != nil {
			return nil, err
		}
		value = v
		if i == 0 {
			this.gram, this.gramGrad, set = value, append([]float32(nil), grad...), sw
			continue
		}
		this.sw = value
		times = append(times, ms(time.Since(start)))
		losses = append(losses, ms(lossTime))
		if timing != nil {
			t := timing()
			forward, backward = append(forward, ms(t.Forward)), append(backward, ms(t.Backward))
		}
	}
	out["times"], out["loss"], out["value"] = times, losses, value
	if timing != nil {
		out["forward"], out["backward"] = forward, backward
	}
	out["agreement"] = nil
	if first, ok := bench.first[size]; ok && first.engine != engine {
		out["agreement"] = map[string]any{
			"with":         first.engine,
			"sw":           math.Abs(this.sw-first.sw) / math.Abs(first.sw),
			"gram":         math.Abs(this.gram-first.gram) / math.Abs(first.gram),
			"gramGradient": relErr(this.gramGrad, first.gramGrad),
		}
	} else {
		bench.first[size] = this
	}
	return out, nil
}

// stripes is the exemplar: diagonal colour stripes, a texture whose statistics are far from the
// noise the synthesis starts from (as a picture's are), so the losses' gradients are well
// conditioned and the engines' agreement is measured on them, not on rounding.
func stripes(size int) []float32 {
	img := make([]float32, size*size*3)
	for i := range size {
		for j := range size {
			for c := range 3 {
				img[(i*size+j)*3+c] = float32(0.5 + 0.4*math.Sin(float64(i+2*j)*0.7+float64(c)*2))
			}
		}
	}
	return img
}

// noise is a size×size RGB image of uniform noise from a seed.
func noise(size int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	img := make([]float32, size*size*3)
	for i := range img {
		img[i] = rng.Float32()
	}
	return img
}

func relErr(got, want []float32) float64 {
	num, den := 0.0, 0.0
	for i := range want {
		d := float64(got[i]) - float64(want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	return math.Sqrt(num / max(den, 1e-300))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
