package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// writeReport writes quality.md (one table per size: every texture in both configurations)
// and quality.json (the same numbers, the configurations and the textures).
func (q *quality) writeReport(stdout io.Writer, lookup func(int, string, int) *result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# texsynth quality: old and new default\n\n")
	fmt.Fprintf(&b, "Written by `go run ./tools/quality` (`make quality`) on %s, %s/%s, %d CPUs, in %.0f s.\n",
		time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Since(q.started).Seconds())
	fmt.Fprintf(&b, "Every number compares the output with the exemplar as the run saw it (`core/metrics`, lower is closer; seam ≈ 1 tiles).\n\n")
	for _, cf := range q.configs {
		fmt.Fprintf(&b, "- **%s**: %s, %d iterations; weights: %s\n", cf.Label, cf.Changes, cf.Settings.Iters, cf.Weights)
	}
	for _, size := range q.cfg.sizes {
		fmt.Fprintf(&b, "\n## %d px\n\n![%d px](quality-%dpx.png)\n\n", size, size, size)
		fmt.Fprintf(&b, "| texture | configuration | colour | spectrum | orientation fine | orientation coarse | seam | copy | evals | seconds |\n")
		fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
		for _, t := range q.textures {
			for c, cf := range q.configs {
				r := lookup(size, t.Name, c)
				if r.Err != "" {
					fmt.Fprintf(&b, "| %s | %s | failed: %s | | | | | | | |\n", t.Name, cf.Label, strings.ReplaceAll(r.Err, "|", "/"))
					continue
				}
				st := r.Stats
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %d | %.0f |\n", t.Name, cf.Label,
					num(st.Colour, 4), num(st.Spectrum, 3), num(st.OrientFine, 3), num(st.OrientCoarse, 3), num(st.Seam, 2), num(st.Copy, 2), r.Evals, r.Seconds)
			}
		}
	}
	md := filepath.Join(q.cfg.out, "quality.md")
	if err := os.WriteFile(md, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintln(stdout, md)

	type entry struct {
		Size    int       `json:"size"`
		Results []*result `json:"results"`
	}
	doc := struct {
		Configurations []*configuration `json:"configurations"`
		Textures       []texture        `json:"textures"`
		Sizes          []entry          `json:"sizes"`
	}{Configurations: q.configs, Textures: q.textures}
	for _, size := range q.cfg.sizes {
		e := entry{Size: size}
		for _, t := range q.textures {
			for c := range q.configs {
				e.Results = append(e.Results, lookup(size, t.Name, c))
			}
		}
		doc.Sizes = append(doc.Sizes, e)
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(q.cfg.out, "quality.json")
	if err := os.WriteFile(path, append(js, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	return nil
}

func num(v float64, prec int) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.*f", prec, v)
}
