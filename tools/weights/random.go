package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/texsynth/texsynth/weights"
)

// randomFlags are the flags of "weights random".
type randomFlags struct {
	seed uint64
	upto string
	out  string
	bits int
}

func (r *randomFlags) define(fs *flag.FlagSet) {
	fs.Uint64Var(&r.seed, "seed", 0, "random seed; the same seed gives the same file on every platform")
	fs.StringVar(&r.upto, "upto", "", "last layer to include, e.g. conv4_3 (default all thirteen, to conv5_3)")
	fs.StringVar(&r.out, "out", "", "file to write, e.g. weights/vgg16-random.q8 (required)")
	fs.IntVar(&r.bits, "bits", 8, "bits per weight: 8, 4, or 32 (float32, unquantised)")
}

// runRandom runs "weights random ARGS".
func runRandom(args []string, stdout, stderr io.Writer) int {
	var r randomFlags
	fs := newFlagSet("weights random", stderr)
	r.define(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	return r.run(fs, stdout, stderr)
}

// runRandomFlags runs the flag form "weights -random ARGS", which must
// include -random.
func runRandomFlags(args []string, stdout, stderr io.Writer) int {
	var r randomFlags
	fs := newFlagSet("weights", stderr)
	random := fs.Bool("random", false, "write an untrained VGG-16 (same as the random command)")
	r.define(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if !*random {
		fmt.Fprintln(stderr, "weights: flags without a command; to write random weights use")
		fmt.Fprintln(stderr, "\tweights random -seed 0 -out weights/vgg16-random.q8")
		usage(stderr)
		return exitUsage
	}
	return r.run(fs, stdout, stderr)
}

func (r *randomFlags) run(fs *flag.FlagSet, stdout, stderr io.Writer) int {
	name := fs.Name()
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q; flags go before it, e.g. %s -seed 0 -out FILE\n", name, fs.Arg(0), name)
		return exitUsage
	}
	if r.out == "" {
		fmt.Fprintf(stderr, "%s: -out FILE is required, e.g. %s -seed 0 -out weights/vgg16-random.q8\n", name, name)
		return exitUsage
	}
	if r.upto != "" && !isVGG16Layer(r.upto) {
		fmt.Fprintf(stderr, "%s: -upto %q is not a VGG-16 layer; want one of %s\n", name, r.upto, layerNames())
		return exitUsage
	}
	if r.bits != 8 && r.bits != 4 && r.bits != 32 {
		fmt.Fprintf(stderr, "%s: -bits %d; want 8, 4 or 32\n", name, r.bits)
		return exitUsage
	}
	f, err := weights.RandomBits(r.seed, r.upto, r.bits)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitFail
	}
	if err := weights.WriteFile(r.out, f); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitCode(err)
	}
	size := int64(-1)
	if st, err := os.Stat(r.out); err == nil {
		size = st.Size()
	}
	printLayers(stdout, f)
	fmt.Fprintf(stdout, "wrote %s: %d layers, %d weights, %d bytes\n", r.out, len(f.Layers), weightCount(f), size)
	fmt.Fprintf(stdout, "sha256 %s\n", f.Checksum())
	return exitOK
}

func isVGG16Layer(name string) bool {
	for _, s := range weights.VGG16 {
		if s.Name == name {
			return true
		}
	}
	return false
}

func layerNames() string {
	var names []string
	for _, s := range weights.VGG16 {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}
