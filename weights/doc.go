// Package weights reads and writes .q8 weight files: the convolution layers
// of a VGG-16 feature extractor with kernels quantised to int8 (or int4)
// per output channel, or kept as float32, the input preprocessing the
// network expects, and where the numbers came from. FORMAT.md in this
// directory describes the bytes.
//
// The package also builds an untrained VGG-16 from a seed ([Random]) whose
// numbers are the same on every platform, js/wasm included.
//
// Package weights/convert reads the published checkpoints (PyTorch,
// safetensors, ONNX) into a File.
//
// Kernels are OIHW (out, in, kh, kw), as PyTorch and ONNX store them.
package weights
