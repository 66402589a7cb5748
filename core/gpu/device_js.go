//go:build js && wasm

package gpu

import (
	"fmt"
	"runtime"
	"syscall/js"
	"time"
	"unsafe"
)

// Device is a WebGPU device opened through wasm/gpu.js (globalThis.texsynthGPU).
type Device struct {
	kernelCache
	v        js.Value
	name     string
	emulated bool
	maxBytes int // the largest buffer a shader may bind
}

// Open asks the browser (or Node, through wasm/gpu-node.mjs) for a WebGPU device. It needs
// wasm/gpu.js loaded and the Go program's memory handed over as globalThis.texsynthMemory, as
// wasm/worker.js and wasm/memory.cjs do. It blocks until the device is there, so it must run on a
// goroutine of its own, not in a callback from JavaScript (which would stall the event loop that
// delivers the answer).
func Open() (*Device, error) {
	api := js.Global().Get("texsynthGPU")
	if api.Type() != js.TypeObject {
		return nil, fmt.Errorf("%w: wasm/gpu.js is not loaded", ErrUnavailable)
	}
	v, err := await(func() js.Value { return api.Call("open") })
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	info, limits := v.Get("info"), v.Get("limits")
	return &Device{
		v:        v,
		name:     info.Get("name").String(),
		emulated: info.Get("emulated").Bool(),
		maxBytes: min(limits.Get("maxStorageBufferBindingSize").Int(), limits.Get("maxBufferSize").Int()),
	}, nil
}

// Adapter names the adapter, as the browser describes it.
func (d *Device) Adapter() string { return d.name }

// Emulated tells whether the adapter is a CPU implementation of WebGPU (SwiftShader, lavapipe,
// llvmpipe, a fallback adapter): correct, but no faster than the wasm kernels.
func (d *Device) Emulated() bool { return d.emulated }

// Destroy ends the device; every later use of it reports ErrDevice. (The tests use it to stand
// for a lost device.)
func (d *Device) Destroy() { d.call("destroy") }

func (d *Device) pipeline(code, entry, label string) (int, error) {
	v, err := await(func() js.Value { return d.v.Call("pipeline", code, entry, label) })
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrDevice, err)
	}
	return v.Int(), nil
}

func (d *Device) storage(sizes []int) (int, error) {
	list := make([]any, len(sizes))
	for i, s := range sizes {
		if s > d.maxBytes {
			return 0, fmt.Errorf("%w: a buffer of %d MiB exceeds this GPU's %d MiB", ErrDevice, s>>20, d.maxBytes>>20)
		}
		list[i] = s
	}
	v, err := await(func() js.Value { return d.v.Call("storage", list) })
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrDevice, err)
	}
	return v.Int(), nil
}

func (d *Device) write(buffer int, data []float32) error {
	if len(data) == 0 {
		return nil
	}
	err := d.call("write", buffer, 0, addr(data), 4*len(data))
	runtime.KeepAlive(data)
	return err
}

func (d *Device) program(steps []step, reads []read) (int, error) {
	uint8Array := js.Global().Get("Uint8Array")
	list := make([]any, len(steps))
	for i, s := range steps {
		if s.copy != nil {
			c := make([]any, len(s.copy))
			for j, x := range s.copy {
				c[j] = x
			}
			list[i] = map[string]any{"copy": c}
			continue
		}
		raw := make([]byte, 4*len(s.params))
		for j, p := range s.params {
			raw[4*j], raw[4*j+1], raw[4*j+2], raw[4*j+3] = byte(p), byte(p>>8), byte(p>>16), byte(p>>24)
		}
		params := uint8Array.New(len(raw))
		js.CopyBytesToJS(params, raw)
		entries := make([]any, len(s.entries))
		for j, e := range s.entries {
			entries[j] = []any{e[0], e[1]}
		}
		list[i] = map[string]any{"pipeline": s.pipeline, "entries": entries, "params": params,
			"groups": []any{s.groups[0], s.groups[1]}}
	}
	rs := make([]any, len(reads))
	for i, r := range reads {
		rs[i] = []any{r.buffer, 4 * r.offset, 4 * r.count}
	}
	v, err := await(func() js.Value { return d.v.Call("program", list, rs) })
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrDevice, err)
	}
	return v.Int(), nil
}

// run submits a program and waits until its reads are in dst (as many floats as they hold);
// it returns the time from the submission to the results being in dst.
func (d *Device) run(program int, dst []float32) (time.Duration, error) {
	var p uintptr
	if len(dst) > 0 {
		p = uintptr(addr(dst))
	}
	ms, err := await(func() js.Value { return d.v.Call("run", program, p) })
	runtime.KeepAlive(dst)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrDevice, err)
	}
	return time.Duration(ms.Float() * float64(time.Millisecond)), nil
}

func (d *Device) release(ids []int) {
	list := make([]any, len(ids))
	for i, id := range ids {
		list[i] = id
	}
	d.call("release", list)
}

// call runs a synchronous method, turning a JavaScript exception into ErrDevice.
func (d *Device) call(method string, args ...any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrDevice, r)
		}
	}()
	d.v.Call(method, args...)
	return nil
}

// await calls start (a JavaScript call returning a promise) and blocks the goroutine until the
// promise settles; a rejection, or an exception thrown by start, is the error.
func await(start func() js.Value) (v js.Value, err error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	var p js.Value
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		p = start()
	}()
	if err != nil {
		return js.Undefined(), err
	}
	ok := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settled{v: arg(args)}
		return nil
	})
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := arg(args)
		msg := e.String()
		if e.Type() == js.TypeObject && e.Get("message").Type() == js.TypeString {
			msg = e.Get("message").String()
		}
		ch <- settled{err: fmt.Errorf("%s", msg)}
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	p.Call("then", ok, fail)
	s := <-ch
	return s.v, s.err
}

func arg(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

// addr is a slice's address in the wasm linear memory, which wasm/gpu.js reads and writes.
func addr(s []float32) int { return int(uintptr(unsafe.Pointer(unsafe.SliceData(s)))) }
