// Package gpu runs the VGG feature extractor's forward pass and image gradient on WebGPU, in the
// browser (and in Node through Dawn, for the tests): every 3×3 convolution with its bias and
// ReLU, the 2×2 max pools, the padding modes and the adjoints of all of them are WGSL compute
// shaders (wgsl/), and the features and gradients stay on the GPU from layer to layer. Only the
// tap features the loss needs cross to the host, and ∂loss/∂features comes back.
//
// The device itself is a small JavaScript module, wasm/gpu.js, which this package calls through
// syscall/js as core/gemm calls its SIMD module; elsewhere Open reports ErrUnavailable. A Net
// takes the network as data (the stages in order and a weights file), so any VGG-like stack of
// 3×3 convolutions and 2×2 pools runs on it.
package gpu

import (
	"errors"
	"strings"
)

// ErrUnavailable is wrapped by Open's error when there is no WebGPU to use: not a browser (or
// Node without wasm/gpu-node.mjs), no adapter, no device. The caller runs the wasm kernels.
var ErrUnavailable = errors.New("gpu: WebGPU is not available")

// ErrDevice is wrapped by every error the GPU reports after Open: a lost device, out of memory,
// an image too large for its buffers, a refused shader. The Net is unusable afterwards; the
// caller falls back to the wasm kernels and re-runs the evaluation there.
var ErrDevice = errors.New("gpu: the WebGPU device failed")

// Stage is one step of the network: a 3×3 convolution with ReLU (its weights are the layer of
// that name), or a 2×2, stride-2 max pool.
type Stage struct {
	Name string
	Pool bool
}

// Stages turns the network's stage names in order (core/vgg's Taps()) into stages: the pools are
// the names that begin with "pool".
func Stages(names []string) []Stage {
	s := make([]Stage, len(names))
	for i, n := range names {
		s[i] = Stage{Name: n, Pool: strings.HasPrefix(n, "pool")}
	}
	return s
}
