// Command texsynth synthesises a texture from an exemplar picture.
//
//	go run ./tools/texsynth -in IMG -out OUT.png [-size 128] [-iters 100] [-loss sw] …
//
// Exit codes: 0 ok, 2 usage or input errors, 1 internal failure.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/texsynth/texsynth/core/input"
	"github.com/texsynth/texsynth/core/synth"
	_ "github.com/texsynth/texsynth/core/vgg/reference" // links -conv stock
	"github.com/texsynth/texsynth/tools/internal/builtin"
	"github.com/texsynth/texsynth/weights/pretrained"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a mistake in the command line itself; it is of the input kind.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func (e usageError) Is(target error) bool { return target == input.Err }

// run is the whole command, separated from main so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil && cfg.licences {
		fmt.Fprint(stdout, pretrained.Licences())
		return 0
	}
	if err == nil {
		err = synthesize(cfg, stdout, stderr)
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "texsynth:", err)
	if isInputError(err) {
		return 2
	}
	return 1
}

// isInputError tells errors caused by what the user gave (exit 2) from internal failures (exit
// 1): the core's input kind (core/input), which usageError is of too.
func isInputError(err error) bool { return errors.Is(err, input.Err) }

// config is the parsed command line.
type config struct {
	in, out, weightsPath, frames string
	every                        int
	settings                     synth.Settings
	progress                     string // auto, bar, lines
	licences                     bool
}

// usage heads -h: what the command does and whose network it runs by default.
func usage(fs *flag.FlagSet, out io.Writer) func() {
	return func() {
		fmt.Fprintf(out, `texsynth: a new texture like the exemplar picture, grown from noise (Gatys et al. 2015).

  texsynth -in EXEMPLAR -out TEXTURE.png [flags]

The default network (-weights %s) is the pretrained ImageNet VGG-19, conv1_1 … conv3_4,
built in: %s
-licences prints this attribution and the full licence notice that travels with the weights.

Flags:
`, builtin.PretrainedVGG19, pretrained.Attribution)
		fs.PrintDefaults()
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	s := synth.Defaults()
	fs := flag.NewFlagSet("texsynth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.in, "in", "", "exemplar image (PNG, JPEG, GIF, WebP, BMP, TIFF); required")
	fs.StringVar(&c.out, "out", "", "output PNG path; required")
	s.AddFlags(fs) // every setting, read as the page reads it (synth.Fields, Settings.SetText)
	fs.StringVar(&c.weightsPath, "weights", builtin.PretrainedVGG19, "the network: "+builtin.PretrainedVGG19+" (built in: ImageNet VGG-19 to conv3_4, CC BY 4.0), "+
		builtin.UntrainedVGG16+" (built in: VGG-16 from seed 0, untrained), or a .q8 weights file of VGG-16 or VGG-19")
	fs.StringVar(&c.frames, "frames", "", "directory to write every -every-th iteration as PNG")
	fs.IntVar(&c.every, "every", 10, "with -frames: write every N iterations")
	fs.StringVar(&c.progress, "progress", "auto", "auto (a bar on a terminal), bar, or lines")
	fs.BoolVar(&c.licences, "licences", false, "print the built-in weights' attribution and licences, and exit")
	fs.Usage = usage(fs, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, usageError{err.Error() + " (see -h)"}
	}
	if c.licences {
		return c, nil
	}
	switch {
	case fs.NArg() > 0:
		return c, usageError{fmt.Sprintf("unexpected argument %q: every option is a flag, e.g. -in %s", fs.Arg(0), fs.Arg(0))}
	case c.in == "":
		return c, usageError{"-in is required: the exemplar picture, e.g. -in brick.png"}
	case c.out == "":
		return c, usageError{"-out is required: where to write the texture, e.g. -out texture.png"}
	case c.every < 1:
		return c, usageError{fmt.Sprintf("-every %d: use 1 or more", c.every)}
	}
	switch c.progress {
	case "auto", "bar", "lines":
	default:
		return c, usageError{fmt.Sprintf("-progress %q: use auto, bar or lines", c.progress)}
	}
	c.settings = s
	return c, nil
}
