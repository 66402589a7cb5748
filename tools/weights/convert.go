package main

import (
	"fmt"
	"io"
	"os"

	"github.com/texsynth/texsynth/weights"
	"github.com/texsynth/texsynth/weights/convert"
)

// runConvert runs "weights convert -in CHECKPOINT -out FILE [-upto LAYER] [-bits 8|4|32]".
func runConvert(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("weights convert", stderr)
	in := fs.String("in", "", "checkpoint to read: a PyTorch .pth (torch.save state dict), .safetensors or .onnx VGG-16 (required)")
	out := fs.String("out", "", "file to write, e.g. weights/vgg16.q8 (required)")
	upto := fs.String("upto", "", "last layer to keep, e.g. conv4_3 (default all thirteen, to conv5_3)")
	bits := fs.Int("bits", 8, "bits per weight: 8, 4 (half the size, less precise) or 32 (float32, unquantised)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	const name = "weights convert"
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected argument %q; e.g. %s -in vgg16-397923af.pth -out weights/vgg16.q8\n", name, fs.Arg(0), name)
		return exitUsage
	case *in == "" || *out == "":
		fmt.Fprintf(stderr, "%s: -in CHECKPOINT and -out FILE are required, e.g. %s -in vgg16-397923af.pth -out weights/vgg16.q8\n", name, name)
		return exitUsage
	case *upto != "" && !isVGG16Layer(*upto):
		fmt.Fprintf(stderr, "%s: -upto %q is not a VGG-16 layer; want one of %s\n", name, *upto, layerNames())
		return exitUsage
	case *bits != 8 && *bits != 4 && *bits != 32:
		fmt.Fprintf(stderr, "%s: -bits %d; want 8, 4 or 32\n", name, *bits)
		return exitUsage
	}
	f, err := convert.Convert(*in, convert.Options{Upto: *upto, Bits: *bits})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitCode(err)
	}
	if err := weights.WriteFile(*out, f); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitCode(err)
	}
	size := int64(-1)
	if st, err := os.Stat(*out); err == nil {
		size = st.Size()
	}
	printLayers(stdout, f)
	fmt.Fprintf(stdout, "wrote %s: %d layers, %d weights, %d bytes\n", *out, len(f.Layers), weightCount(f), size)
	fmt.Fprintf(stdout, "provenance %s\n", f.Provenance)
	fmt.Fprintf(stdout, "sha256 %s\n", f.Checksum())
	return exitOK
}
