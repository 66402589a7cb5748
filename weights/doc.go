// Package weights reads and writes .q8 weight files: the convolution layers
// of a VGG-16 or VGG-19 feature extractor with kernels quantised to int8 (or
// int4) per output channel, or kept as float32, the input preprocessing the
// network expects, and where the numbers came from. FORMAT.md in this
// directory describes the bytes. The layer lists of both networks (VGG16,
// VGG19) are here too; which one a file holds is read from its layer names
// (File.Layout).
//
// The package also builds untrained networks from a seed ([Random] for
// VGG-16, [RandomVGG19]) whose numbers are the same on every platform,
// js/wasm included.
//
// Package weights/convert reads the published checkpoints (PyTorch,
// safetensors, ONNX) into a File.
//
// Kernels are OIHW (out, in, kh, kw), as PyTorch and ONNX store them.
package weights
