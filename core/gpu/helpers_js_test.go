//go:build js && wasm

package gpu

import (
	"errors"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
)

// The tests need a WebGPU device: in make test, Node with wasm/gpu-node.mjs preloaded (Dawn on
// SwiftShader). TEXSYNTH_GPU=required (set there) makes a missing device a failure instead of a
// skip, so the tests cannot pass by not running.
var (
	shared     *Device
	sharedErr  error
	sharedOnce sync.Once
)

// device returns the device the tests share.
func device(t *testing.T) *Device {
	t.Helper()
	sharedOnce.Do(func() {
		shared, sharedErr = Open()
		if sharedErr == nil {
			t.Logf("adapter: %s (emulated: %v)", shared.Adapter(), shared.Emulated())
		}
	})
	if sharedErr != nil {
		if os.Getenv("TEXSYNTH_GPU") == "required" || !errors.Is(sharedErr, ErrUnavailable) {
			t.Fatalf("no WebGPU device: %v", sharedErr)
		}
		t.Skipf("no WebGPU device: %v", sharedErr)
	}
	return shared
}

// randoms are normal numbers that float32 holds exactly, so a result computed on the GPU from
// them can be compared with float64 loops over the very same inputs.
func randoms(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(float32(rng.NormFloat64()))
	}
	return v
}
