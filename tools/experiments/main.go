// Command experiments runs the seed write-up's questions (Q1–Q6) and the ones beyond it (Q7) as
// grids of syntheses, and writes one labelled contact sheet per question and a report with every
// cell's settings, final loss, time and VGG-independent texture statistics (core/metrics).
//
//	go run ./tools/experiments -in IMG [-size 48] [-iters 40] [-only q1,q4] [-j 2] -out DIR
//	go run ./tools/experiments -presets-json FILE [-size 64] [-iters 100]
//
// The grids are core/presets. Cells that name a sample (a non-texture image, a regular texture)
// read it from -textures, by default the directory of -in.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/texsynth/texsynth/core/presets"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	in, textures, out, only, presetsJSON, weightsPath string
	size, iters, jobs                                 int
}

func run(args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "experiments:", err)
		return 2
	}
	if c.presetsJSON != "" {
		if err := writePresets(c.presetsJSON, c.size, c.iters); err != nil {
			fmt.Fprintln(stderr, "experiments:", err)
			return 1
		}
		fmt.Fprintln(stdout, c.presetsJSON)
		if c.in == "" {
			return 0
		}
	}
	if err := experiments(c, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "experiments:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("experiments", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.in, "in", "", "the texture exemplar (the grids' main picture)")
	fs.StringVar(&c.textures, "textures", "", "directory of the samples some cells use ("+presets.NonTexture+", "+presets.Regular+"); default: the directory of -in")
	fs.StringVar(&c.out, "out", "", "output directory for the sheets and report.md/report.html/results.json")
	fs.StringVar(&c.only, "only", "", "comma list of questions to run (q1 … q7); default all")
	fs.StringVar(&c.presetsJSON, "presets-json", "", "write the presets (every question's cells) as JSON to this file")
	fs.StringVar(&c.weightsPath, "weights", "", "weights file (.q8); default the built-in untrained VGG-16 (seed 0)")
	fs.IntVar(&c.size, "size", 48, "output side of every cell in pixels (the larger-output cells use twice this)")
	fs.IntVar(&c.iters, "iters", 40, "optimiser iterations per cell")
	fs.IntVar(&c.jobs, "j", 1, "cells run at the same time")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q (see -h)", fs.Arg(0))
	case c.presetsJSON == "" && c.in == "":
		return c, errors.New("-in is required: the exemplar, e.g. -in ../shared/textures/ulyanov_red-peppers256.jpg")
	case c.in != "" && c.out == "":
		return c, errors.New("-out is required: the directory for the sheets and the report")
	case c.size < 16 || c.size > 512:
		return c, fmt.Errorf("-size %d: use 16 to 512", c.size)
	case c.iters < 1:
		return c, fmt.Errorf("-iters %d: use 1 or more", c.iters)
	case c.jobs < 1:
		return c, fmt.Errorf("-j %d: use 1 or more", c.jobs)
	}
	if c.textures == "" && c.in != "" {
		c.textures = filepath.Dir(c.in)
	}
	if c.only != "" {
		ids := presets.IDs()
		for _, id := range strings.Split(c.only, ",") {
			if !slices.Contains(ids, strings.TrimSpace(strings.ToLower(id))) {
				return c, fmt.Errorf("-only: unknown question %q; use %s", id, strings.Join(ids, ","))
			}
		}
	}
	return c, nil
}

// selected returns the questions -only asks for, in order.
func selected(qs []presets.Question, only string) []presets.Question {
	if only == "" {
		return qs
	}
	want := map[string]bool{}
	for _, id := range strings.Split(only, ",") {
		want[strings.TrimSpace(strings.ToLower(id))] = true
	}
	var out []presets.Question
	for _, q := range qs {
		if want[q.ID] {
			out = append(out, q)
		}
	}
	return out
}

// writePresets writes every question's cells as JSON, for the page.
func writePresets(path string, size, iters int) error {
	doc := struct {
		Comment   string             `json:"comment"`
		Size      int                `json:"size"`
		Iters     int                `json:"iters"`
		Questions []presets.Question `json:"questions"`
	}{
		Comment: "texsynth experiment presets (core/presets): each question's cells as synth.Settings; " +
			"exemplar \"\" means the user's picture, otherwise a sample file name; preset is the cell to offer.",
		Size: size, Iters: iters, Questions: presets.All(size, iters),
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
