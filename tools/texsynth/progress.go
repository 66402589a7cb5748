package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/texsynth/texsynth/core/synth"
)

// progress reports iterations: a bar with loss, s/iteration and ETA on a terminal, one plain
// line per iteration otherwise (logs, CI, pipes).
type progress struct {
	bar   *progressbar.ProgressBar
	out   io.Writer
	start time.Time
}

func newProgress(mode string, iters int, out io.Writer) *progress {
	p := &progress{out: out, start: time.Now()}
	f, isFile := out.(*os.File)
	if mode == "bar" || (mode == "auto" && isFile && term.IsTerminal(int(f.Fd()))) {
		p.bar = progressbar.NewOptions(iters,
			progressbar.OptionSetWriter(out),
			progressbar.OptionSetDescription("synthesising"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionFullWidth(),
		)
	}
	return p
}

func (p *progress) update(f synth.Frame) {
	elapsed := time.Since(p.start).Seconds()
	perIter := elapsed / float64(f.Iter)
	eta := time.Duration(perIter*float64(f.Iters-f.Iter)) * time.Second
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("loss %.4g  %.2f s/it", f.Loss, perIter))
		_ = p.bar.Set(f.Iter)
		return
	}
	fmt.Fprintf(p.out, "iteration %d/%d  loss %.6g  %.2f s/it  evals %d  ETA %s\n",
		f.Iter, f.Iters, f.Loss, perIter, f.Evals, eta.Round(time.Second))
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.out)
	}
}

func (p *progress) abort() {
	if p.bar != nil {
		fmt.Fprintln(p.out)
	}
}
