package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"text/tabwriter"

	"github.com/texsynth/texsynth/internal/userfile"
	"github.com/texsynth/texsynth/weights"
	"github.com/texsynth/texsynth/weights/convert"
)

// runInspect runs "weights inspect [-ref CHECKPOINT] FILE".
func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("weights inspect", stderr)
	ref := fs.String("ref", "", "the original the file was converted from (a .pth, .safetensors or .onnx checkpoint, or a .q8 file, e.g. a -bits 32 one): print every layer's quantisation error against it")
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
	var refs [][]float32
	if *ref != "" {
		if refs, err = readReference(*ref); err != nil {
			fmt.Fprintf(stderr, "weights inspect: -ref: %v\n", err)
			return exitCode(err)
		}
	}
	size := int64(-1)
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	arch := architecture(f)
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
	if *ref != "" {
		fmt.Fprintf(tw, "reference\t%s\n", *ref)
	}
	if err := tw.Flush(); err != nil {
		return exitFail
	}
	if refs == nil {
		printLayers(stdout, f)
		return exitOK
	}
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "layer\tout x in x kh x kw\tbits\tweights\trel. L2 error\tworst channel")
	for i := range f.Layers {
		l := &f.Layers[i]
		if i >= len(refs) || len(refs[i]) != l.Size() {
			fmt.Fprintf(stderr, "weights inspect: -ref %s: layer %d (%s) has another shape in the reference\n", *ref, i, l.Name)
			return exitUsage
		}
		all, worst := relErrors(l, refs[i])
		fmt.Fprintf(tw, "%s\t%dx%dx%dx%d\t%d\t%d\t%.3g%%\t%.3g%%\n", l.Name, l.Out, l.In, l.KH, l.KW, l.Bits, l.Size(), 100*all, 100*worst)
	}
	tw.Flush()
	return exitOK
}

// readReference returns the float32 kernels, in layer order, of a
// checkpoint or a .q8 file.
func readReference(path string) ([][]float32, error) {
	data, err := userfile.Read(path, convert.MaxFileSize)
	if err != nil {
		return nil, err
	}
	var out [][]float32
	if bytes.HasPrefix(data, []byte("\x89TQ8")) {
		f, err := weights.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for i := range f.Layers {
			out = append(out, f.Layers[i].Kernel())
		}
		return out, nil
	}
	s, err := convert.ReadData(path, data)
	if err != nil {
		return nil, err
	}
	for _, c := range s.Convs {
		out = append(out, c.Kernel)
	}
	return out, nil
}

// architecture describes which network f's layers begin: VGG-16 or VGG-19
// (their first seven layers are alike), or why neither.
func architecture(f *weights.File) string {
	var first error
	for _, a := range convert.Architectures {
		err := a.CheckFile(f)
		if err == nil {
			return a.Name + ", " + f.Layers[0].Name + " to " + f.Layers[len(f.Layers)-1].Name
		}
		first = cmp.Or(first, err)
	}
	return fmt.Sprintf("not a VGG-16 or VGG-19 prefix (%v)", first)
}

// relErrors returns ‖K − R‖/‖R‖ for the layer's dequantised kernel K and
// the reference R, over the whole kernel and for the worst output channel.
func relErrors(l *weights.Layer, ref []float32) (all, worst float64) {
	k := l.Kernel()
	per := l.In * l.KH * l.KW
	var num, den float64
	for o := range l.Out {
		var cn, cd float64
		for i := o * per; i < (o+1)*per; i++ {
			d := float64(k[i]) - float64(ref[i])
			cn += d * d
			cd += float64(ref[i]) * float64(ref[i])
		}
		num += cn
		den += cd
		if cd > 0 {
			worst = max(worst, math.Sqrt(cn/cd))
		}
	}
	if den == 0 {
		return 0, worst
	}
	return math.Sqrt(num / den), worst
}
