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
	in := fs.String("in", "", "checkpoint to read: a VGG-16 or VGG-19 as a PyTorch .pth (torch.save state dict), .safetensors, .onnx, or a TF.js layers model's model.json with its shards beside it (required)")
	out := fs.String("out", "", "file to write, e.g. weights/vgg16.q8 (required)")
	upto := fs.String("upto", "", "last layer to keep, e.g. conv4_3 (default every layer the checkpoint holds)")
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
	case *upto != "" && !convert.IsLayer(*upto):
		fmt.Fprintf(stderr, "%s: -upto %q is not a VGG-16 or VGG-19 layer; want one of %s\n", name, *upto, convert.LayerNames())
		return exitUsage
	case *bits != 8 && *bits != 4 && *bits != 32:
		fmt.Fprintf(stderr, "%s: -bits %d; want 8, 4 or 32\n", name, *bits)
		return exitUsage
	}
	src, err := convert.ReadFile(*in)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitCode(err)
	}
	o := convert.Options{Upto: *upto, Bits: *bits, Name: convert.SourceName(*in)}
	f, err := src.File(o)
	if err != nil {
		// The options ask for what this checkpoint does not hold (a layer past
		// its end, a VGG-19 layer of a VGG-16).
		fmt.Fprintf(stderr, "%s: %s: %v\n", name, *in, err)
		return exitUsage
	}
	if notice := src.Notice(o); notice != "" {
		fmt.Fprintf(stderr, "%s: notice: %s: %s\n", name, *in, notice)
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
