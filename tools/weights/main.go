// Command weights writes and inspects .q8 weight files (see
// weights/FORMAT.md).
//
// Usage:
//
//	weights random [-seed N] [-upto LAYER] [-bits 8|4|32] -out FILE
//	weights convert -in CHECKPOINT -out FILE [-upto LAYER] [-bits 8|4|32]
//	weights inspect [-ref CHECKPOINT] FILE
//	weights features -image IMG [-size N] REF FILE...
//
// random writes an untrained VGG-16 (He-normal kernels from the seed,
// quantised to int8), layers conv1_1 to -upto (default all thirteen).
// "weights -random [-seed N] [-upto LAYER] -out FILE" is the same.
// convert reads a published VGG-16 or VGG-19 checkpoint (PyTorch .pth,
// .safetensors, .onnx, or a TF.js layers model's model.json with its shards;
// batch norm folded) and writes its convolution layers, quantised; a TF.js
// model missing later shards converts up to its last complete layer, with a
// notice.
// inspect prints a file's layers, shapes, bits, size, provenance and
// checksum, and with -ref the quantisation error of every layer against the
// checkpoint it came from (or another .q8 file). features prints the
// relative error of each FILE's VGG-16 features against REF's at every
// tap, on one image: what quantisation costs where the losses look.
//
// Exit status: 0 on success, 2 for bad usage or a bad or missing input
// file, 1 for any other failure.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/texsynth/texsynth/weights"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // something went wrong that the user could not have avoided
	exitUsage = 2 // bad usage, or a bad or missing input file
)

// A command is one subcommand. Adding one (convert, say) means a file with
// its run function and a line in commands.
type command struct {
	name     string
	synopsis string // arguments, shown in the usage message
	run      func(args []string, stdout, stderr io.Writer) int
}

var commands = []command{
	{"random", "[-seed N] [-upto LAYER] [-bits 8|4|32] -out FILE", runRandom},
	{"convert", "-in CHECKPOINT -out FILE [-upto LAYER] [-bits 8|4|32]", runConvert},
	{"inspect", "[-ref CHECKPOINT] FILE", runInspect},
	{"features", "-image IMG [-size N] REF FILE...", runFeatures},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args (without the program name) and returns
// the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "weights: no command given")
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") {
		// The flag form, "weights -random -seed 0 -out FILE".
		return runRandomFlags(args, stdout, stderr)
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "weights: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage:")
	for _, c := range commands {
		fmt.Fprintf(w, "\tweights %s %s\n", c.name, c.synopsis)
	}
	fmt.Fprintln(w, "\tweights -random [-seed N] [-upto LAYER] -out FILE  (same as random)")
	fmt.Fprintln(w, "run \"weights COMMAND -h\" for a command's flags")
}

// exitCode maps an error to the exit code: the user's input (a bad or
// missing file, a directory that does not exist, a device or a file too
// large to be read) is 2, anything else 1.
func exitCode(err error) int {
	if errors.Is(err, weights.ErrFormat) || errors.Is(err, fs.ErrNotExist) ||
		errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrInvalid) {
		return exitUsage
	}
	return exitFail
}

// newFlagSet returns a flag set that reports errors to stderr and leaves
// exiting to run.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args into fs. If the command should stop there, it returns
// the exit code and false: 0 after -h, 2 after a bad flag (the flag package
// has printed what was wrong and the flags there are).
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}
