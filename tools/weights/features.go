package main

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// runFeatures runs "weights features -image IMG [-size N] REF FILE…": the
// relative error of the features at every tap (ReLU outputs conv1_1 …) of
// each FILE against REF's, on one image. With REF a -bits 32 file, that is
// what quantisation costs where the losses look.
func runFeatures(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("weights features", stderr)
	image := fs.String("image", "", "sample image (required), e.g. ../shared/textures/brick.png")
	size := fs.Int("size", 64, "side the image is centre-cropped and resized to")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	const name = "weights features"
	if *image == "" || fs.NArg() < 2 || *size < 16 {
		fmt.Fprintf(stderr, "%s: want -image IMG, a reference file and at least one file to compare, and -size ≥ 16; e.g. %s -image brick.png ref32.q8 int8.q8\n", name, name)
		return exitUsage
	}
	pic, _, err := picture.Load(*image, 0)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitUsage
	}
	side := min(pic.W, pic.H)
	pic = picture.Resize(picture.CenterCrop(pic, side, side), *size, *size)

	files := make([]*weights.File, fs.NArg())
	depth := len(weights.VGG19)
	for i, path := range fs.Args() {
		if files[i], err = weights.ReadFile(path); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitCode(err)
		}
		depth = min(depth, len(files[i].Layers))
	}
	taps := vgg.ArchOf(files[0]).Convs()[:depth]
	feats := make([][][]float32, len(files))
	for i, f := range files {
		net, err := vgg.NewFast[float32](f, taps, vgg.PadZero)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s: %v\n", name, fs.Arg(i), err)
			return exitCode(err)
		}
		maps, err := net.Forward(pic.Pix, *size, *size)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitFail
		}
		for _, m := range maps {
			feats[i] = append(feats[i], m.Data)
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "tap\t")
	for _, p := range fs.Args()[1:] {
		fmt.Fprintf(tw, "%s\t", p)
	}
	fmt.Fprintln(tw)
	for t, tap := range taps {
		fmt.Fprintf(tw, "%s\t", tap)
		ref := feats[0][t]
		for i := 1; i < len(files); i++ {
			var num, den float64
			for j, r := range ref {
				d := float64(feats[i][t][j]) - float64(r)
				num += d * d
				den += float64(r) * float64(r)
			}
			fmt.Fprintf(tw, "%.3g%%\t", 100*math.Sqrt(num/max(den, 1e-300)))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	return exitOK
}
