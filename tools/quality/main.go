// Command quality compares two configurations of texsynth — the old default (the settings
// before the pretrained network, on the untrained VGG-16) and the new one (the current defaults
// on the built-in pretrained VGG-19, or a settings file and weights given) — on the shared textures, at 128 px and optionally 256 px, and writes a contact sheet per size
// (exemplar | old default | new default | new default tiled 2×2), a markdown table of the
// core/metrics statistics per texture (colour, spectrum, orientation, seam, copy) and the same
// numbers as JSON.
//
//	go run ./tools/quality -textures ../shared/textures [-new-settings FILE.json] [-new-weights FILE.q8|NAME]
//	    [-sizes 128,256] [-iters N] [-only peppers,brick] [-j 2] -out docs/images
//
// The settings file holds synth.Settings fields as JSON ({"Layers": "conv1_1,…", "Levels": 1});
// fields it leaves out keep the defaults, and Size is each run's size.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/texsynth/texsynth/tools/internal/builtin"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	textures, out, newSettings, newWeights, only string
	sizes                                        []int
	iters, jobs                                  int
}

func run(args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "quality:", err)
		return 2
	}
	q, err := newQuality(c, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "quality:", err)
		return 2
	}
	if err := q.runAll(stdout); err != nil {
		fmt.Fprintln(stderr, "quality:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("quality", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.textures, "textures", "../shared/textures", "directory of the shared textures (SOURCES.md there)")
	fs.StringVar(&c.out, "out", "", "directory for quality-<size>px.png, quality.md and quality.json (required)")
	fs.StringVar(&c.newSettings, "new-settings", "", "JSON file of synth.Settings fields for the new default; fields left out keep the defaults")
	fs.StringVar(&c.newWeights, "new-weights", builtin.PretrainedVGG19, "the new default's network: a weights file (.q8) or a built-in name ("+strings.Join(builtin.Names(), ", ")+")")
	fs.StringVar(&c.only, "only", "", "comma list of textures to run ("+strings.Join(textureNames(), ",")+"); default all")
	sizes := fs.String("sizes", "128", "comma list of output sides in px, e.g. 128,256 (256 px takes about 4× as long)")
	fs.IntVar(&c.iters, "iters", 0, "optimiser iterations of every run; 0 keeps each configuration's own")
	fs.IntVar(&c.jobs, "j", 1, "runs at the same time")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	case c.out == "":
		return c, errors.New("-out is required: the directory for the sheets and the table, e.g. -out docs/images")
	case c.iters < 0:
		return c, fmt.Errorf("-iters %d: use 1 or more, or 0 for each configuration's own", c.iters)
	case c.jobs < 1:
		return c, fmt.Errorf("-j %d: use 1 or more", c.jobs)
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 16 || n > 1024 {
			return c, fmt.Errorf("-sizes: %q is not a side from 16 to 1024 px", s)
		}
		if !slices.Contains(c.sizes, n) {
			c.sizes = append(c.sizes, n)
		}
	}
	if c.only != "" {
		for _, name := range strings.Split(c.only, ",") {
			if _, ok := textureByName(strings.TrimSpace(name)); !ok {
				return c, fmt.Errorf("-only: unknown texture %q; use %s", name, strings.Join(textureNames(), ","))
			}
		}
	}
	return c, nil
}
