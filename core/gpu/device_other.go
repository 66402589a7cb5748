//go:build !(js && wasm)

package gpu

import (
	"fmt"
	"time"
)

// Device is a WebGPU device; outside the browser (and Node under js/wasm) there is none, and
// Open reports ErrUnavailable.
type Device struct{ kernelCache }

// Open reports ErrUnavailable: WebGPU is reached through the browser's JavaScript.
func Open() (*Device, error) {
	return nil, fmt.Errorf("%w: only the js/wasm build reaches WebGPU", ErrUnavailable)
}

func (d *Device) Adapter() string { return "" }
func (d *Device) Emulated() bool  { return false }
func (d *Device) Destroy()        {}

func (d *Device) pipeline(code, entry, label string) (int, error)       { return 0, ErrUnavailable }
func (d *Device) storage(sizes []int) (int, error)                      { return 0, ErrUnavailable }
func (d *Device) write(buffer int, data []float32) error                { return ErrUnavailable }
func (d *Device) program(steps []step, reads []read) (int, error)       { return 0, ErrUnavailable }
func (d *Device) run(program int, dst []float32) (time.Duration, error) { return 0, ErrUnavailable }
func (d *Device) release(ids []int)                                     {}
