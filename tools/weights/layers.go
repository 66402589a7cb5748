package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/texsynth/texsynth/weights"
)

// printLayers prints one line per layer: name, shape (out×in×kh×kw) and
// bits per weight.
func printLayers(w io.Writer, f *weights.File) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "layer\tout x in x kh x kw\tbits\tweights")
	for _, l := range f.Layers {
		fmt.Fprintf(tw, "%s\t%dx%dx%dx%d\t%d\t%d\n", l.Name, l.Out, l.In, l.KH, l.KW, l.Bits, l.Size())
	}
	tw.Flush()
}

// weightCount returns the number of kernel weights in f.
func weightCount(f *weights.File) int {
	n := 0
	for _, l := range f.Layers {
		n += l.Size()
	}
	return n
}
