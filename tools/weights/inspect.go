package main

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/texsynth/texsynth/weights"
)

// runInspect runs "weights inspect FILE".
func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("weights inspect", stderr)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "weights inspect: want one file, got %d arguments; e.g. weights inspect weights/vgg16-random.q8\n", fs.NArg())
		return exitUsage
	}
	path := fs.Arg(0)
	f, err := weights.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "weights inspect: %v\n", err)
		return exitCode(err)
	}
	size := int64(-1)
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	var arch string
	if err := f.CheckVGG16(); err != nil {
		arch = fmt.Sprintf("not a VGG-16 prefix (%v)", err)
	} else {
		arch = "VGG-16, " + f.Layers[0].Name + " to " + f.Layers[len(f.Layers)-1].Name
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s\n", path)
	fmt.Fprintf(tw, "size\t%d bytes\n", size)
	fmt.Fprintf(tw, "format\t.q8 version %d\n", weights.Version)
	fmt.Fprintf(tw, "provenance\t%s\n", f.Provenance)
	p := f.Pre
	fmt.Fprintf(tw, "preprocess\t%s, (x*%g - mean) / std, mean %v, std %v\n", p.Order, p.Scale, p.Mean, p.Std)
	fmt.Fprintf(tw, "architecture\t%s\n", arch)
	fmt.Fprintf(tw, "weights\t%d in %d layers\n", weightCount(f), len(f.Layers))
	fmt.Fprintf(tw, "sha256\t%s\n", f.Checksum())
	if err := tw.Flush(); err != nil {
		return exitFail
	}
	printLayers(stdout, f)
	return exitOK
}
