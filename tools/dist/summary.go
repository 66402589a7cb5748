package main

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"text/tabwriter"
)

// summarize prints every file with its raw, gzip and brotli sizes, the totals, where the
// renamed files are named, and the wasm's download budget with the measured number.
func summarize(w io.Writer, d *dist, budget int64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\traw\tgzip\tbrotli\t")
	var raw, gz, br int64
	for _, f := range d.files {
		n := int64(len(f.data))
		raw += n
		gz += orRaw(f.gzip, n)
		br += orRaw(f.brotli, n)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", f.out, size(n), sizeOr(f.gzip), sizeOr(f.brotli))
	}
	fmt.Fprintf(tw, "total (%d files)\t%s\t%s\t%s\t\n", len(d.files), size(raw), size(gz), size(br))
	var shell, shellGz, shellBr int64
	for _, f := range d.files {
		if !laterWeights(f) {
			n := int64(len(f.data))
			shell, shellGz, shellBr = shell+n, shellGz+orRaw(f.gzip, n), shellBr+orRaw(f.brotli, n)
		}
	}
	fmt.Fprintf(tw, "first visit (with the default network)\t%s\t%s\t%s\t\n", size(shell), size(shellGz), size(shellBr))
	tw.Flush()
	fmt.Fprintln(w, "(– : no copy, as it would not be smaller or the format is compressed already; totals count the raw size there)")
	olds := make([]string, 0, len(d.renamed))
	for old := range d.renamed {
		olds = append(olds, old)
	}
	sort.Strings(olds)
	for _, old := range olds {
		new := d.renamed[old]
		where := "no file (reached through assets.js)"
		if in := d.namedIn[old]; len(in) > 0 {
			where = strings.Join(in, ", ")
		}
		fmt.Fprintf(w, "%s → %s, named in %s\n", old, new, where)
	}
	for _, f := range d.files {
		if path.Ext(f.name) != ".wasm" {
			continue
		}
		if f.brotli == 0 {
			fmt.Fprintf(w, "budget: %s ≤ %s brotli: NOT MEASURED (no brotli copy; run without -compress=false)\n", f.out, size(budget))
			continue
		}
		verdict := "PASS"
		if f.brotli > budget {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "budget: wasm ≤ %s brotli: %s is %s (%d bytes) brotli, %s gzip: %s\n",
			size(budget), f.out, size(f.brotli), f.brotli, size(f.gzip), verdict)
	}
}

func orRaw(compressed, raw int64) int64 {
	if compressed == 0 {
		return raw
	}
	return compressed
}

func sizeOr(n int64) string {
	if n == 0 {
		return "–"
	}
	return size(n)
}

// size is a byte count for people: B, kB or MB (powers of 1000, as the budget is stated).
func size(n int64) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.2f MB", float64(n)/1e6)
	case n >= 1_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
