package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/texsynth/texsynth/core/metrics"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/presets"
	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/weights"
)

// result is one cell's outcome.
type result struct {
	Question string         `json:"question"`
	Label    string         `json:"label"`
	Exemplar string         `json:"exemplar"` // file name
	Settings synth.Settings `json:"settings"`
	Loss     float64        `json:"loss"`
	Evals    int            `json:"evals"`
	Seconds  float64        `json:"seconds"`
	Stats    metrics.Stats  `json:"stats"`
	Err      string         `json:"error,omitempty"`
	SameAs   string         `json:"same_as,omitempty"` // the cell this one's numbers were computed for
	Image    *picture.RGB   `json:"-"`
	Ref      *picture.RGB   `json:"-"` // the exemplar as the cell saw it
	cell     presets.Cell
}

// reference is a picture measured against the exemplar without synthesis: the exemplar itself
// and the start image, to read the cells' numbers against.
type reference struct {
	Label string        `json:"label"`
	Stats metrics.Stats `json:"stats"`
}

// exemplars loads each picture once.
type exemplars struct {
	mu    sync.Mutex
	cache map[string]*picture.RGB
}

func (e *exemplars) load(path string) (*picture.RGB, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if m, ok := e.cache[path]; ok {
		return m, nil
	}
	m, _, err := picture.Load(path, picture.MaxSide)
	if err != nil {
		return nil, err
	}
	if e.cache == nil {
		e.cache = map[string]*picture.RGB{}
	}
	e.cache[path] = m
	return m, nil
}

// runner runs cells.
type runner struct {
	cfg     config
	w       *weights.File
	ex      exemplars
	log     io.Writer
	logMu   sync.Mutex
	done    int
	total   int
	started time.Time
}

func newRunner(c config, log io.Writer) (*runner, error) {
	var w *weights.File
	var err error
	if c.weightsPath != "" {
		if w, err = weights.ReadFile(c.weightsPath); err == nil {
			err = w.CheckVGG()
		}
	} else {
		w, err = weights.Random(0, "conv5_3")
	}
	if err != nil {
		return nil, err
	}
	return &runner{cfg: c, w: w, log: log, started: time.Now()}, nil
}

func (r *runner) exemplarPath(cell presets.Cell) string {
	if cell.Exemplar == "" {
		return r.cfg.in
	}
	return filepath.Join(r.cfg.textures, cell.Exemplar)
}

// runAll runs every cell of the questions with cfg.jobs workers; results keep the grid's order.
// A cell whose exemplar and settings equal an earlier one's (Q3's "all 13" is Q1's relative cell,
// Q7's single-scale cell is Q4's sliced Wasserstein) is run once and reported under both names.
func (r *runner) runAll(qs []presets.Question) [][]*result {
	out := make([][]*result, len(qs))
	type job struct{ q, c int }
	var unique []job
	first := map[string]int{} // key → index in unique
	dup := map[job]int{}      // cell → index in unique
	for i, q := range qs {
		out[i] = make([]*result, len(q.Cells))
		for c, cell := range q.Cells {
			k := r.key(cell)
			u, ok := first[k]
			if !ok {
				u = len(unique)
				first[k] = u
				unique = append(unique, job{i, c})
			}
			dup[job{i, c}] = u
		}
	}
	r.total = len(unique)
	res := make([]*result, len(unique))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range r.cfg.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				j := unique[u]
				res[u] = r.runCell(qs[j.q].ID, qs[j.q].Cells[j.c])
			}
		}()
	}
	for u := range unique {
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	for j, u := range dup {
		c := *res[u]
		c.Question, c.Label, c.cell = qs[j.q].ID, qs[j.q].Cells[j.c].Label, qs[j.q].Cells[j.c]
		if unique[u] != j {
			c.SameAs = fmt.Sprintf("%s %q", qs[unique[u].q].ID, qs[unique[u].q].Cells[unique[u].c].Label)
		}
		out[j.q][j.c] = &c
	}
	return out
}

// key identifies what a cell computes: its exemplar file and settings.
func (r *runner) key(cell presets.Cell) string {
	b, _ := json.Marshal(cell.Settings)
	return r.exemplarPath(cell) + "\x00" + string(b)
}

func (r *runner) runCell(qid string, cell presets.Cell) *result {
	s := cell.Settings
	res := &result{Question: qid, Label: cell.Label, Settings: s, cell: cell, Loss: math.NaN()}
	path := r.exemplarPath(cell)
	res.Exemplar = filepath.Base(path)
	start := time.Now()
	err := func() error {
		raw, err := r.ex.load(path)
		if err != nil {
			return err
		}
		res.Ref = synth.Exemplar(raw, s)
		m, err := synth.New(r.w, raw, s)
		if err != nil {
			return err
		}
		for !m.Done() {
			f, err := m.Step()
			if err != nil {
				res.Image = m.Image()
				return err
			}
			res.Loss = f.Loss
		}
		res.Evals = m.Evaluations()
		res.Image = m.Image()
		return nil
	}()
	res.Seconds = time.Since(start).Seconds()
	if err != nil {
		res.Err = err.Error()
	}
	if res.Image != nil && res.Ref != nil {
		res.Stats = metrics.Measure(res.Image, res.Ref)
	}
	r.logMu.Lock()
	r.done++
	fmt.Fprintf(r.log, "[%d/%d %4.0fs] %s %-32s loss %-11.4g evals %-4d %5.1fs  colour %.4f spectrum %.3f border %.4f seam %.2f copy %.2f %s\n",
		r.done, r.total, time.Since(r.started).Seconds(), qid, cell.Label, res.Loss, res.Evals, res.Seconds,
		res.Stats.Colour, res.Stats.Spectrum, res.Stats.Border, res.Stats.Seam, res.Stats.Copy, res.Err)
	r.logMu.Unlock()
	return res
}

// references measures, per exemplar a question uses, the exemplar itself and the start image.
func (r *runner) references(q presets.Question) []reference {
	var refs []reference
	seen := map[string]bool{}
	for _, cell := range q.Cells {
		path := r.exemplarPath(cell)
		side := cell.Settings.ExemplarSize
		if side == 0 {
			side = cell.Settings.Size
		}
		key := fmt.Sprintf("%s@%d", path, side)
		if seen[key] {
			continue
		}
		seen[key] = true
		raw, err := r.ex.load(path)
		if err != nil {
			continue
		}
		ex := synth.Exemplar(raw, cell.Settings)
		start, err := synth.StartImage(ex, ex.W, cell.Settings)
		if err != nil {
			continue
		}
		name := filepath.Base(path)
		refs = append(refs,
			reference{Label: fmt.Sprintf("exemplar %s (%d px)", name, ex.W), Stats: metrics.Measure(ex, ex)},
			reference{Label: fmt.Sprintf("start: mean colour + noise, vs %s", name), Stats: metrics.Measure(start, ex)},
		)
	}
	return refs
}

// experiments runs the selected questions and writes the sheets and the report.
func experiments(c config, stdout, stderr io.Writer) error {
	return runQuestions(c, selected(presets.All(c.size, c.iters), c.only), stdout, stderr)
}

// runQuestions runs the given grids and writes their sheets and the report into c.out.
func runQuestions(c config, qs []presets.Question, stdout, stderr io.Writer) error {
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	r, err := newRunner(c, stderr)
	if err != nil {
		return err
	}
	// Check every exemplar before the long work.
	for _, q := range qs {
		for _, cell := range q.Cells {
			if _, err := r.ex.load(r.exemplarPath(cell)); err != nil {
				return err
			}
		}
	}
	results := r.runAll(qs)
	rep := report{Config: c, Seconds: time.Since(r.started).Seconds()}
	for i, q := range qs {
		sec := section{Question: q, Results: results[i], Refs: r.references(q), Sheet: q.ID + "-" + q.Slug + ".png"}
		var exs []*picture.RGB
		var exNames []string
		for _, res := range results[i] {
			if res.Ref != nil && !containsName(exNames, res.Exemplar) {
				exs = append(exs, res.Ref)
				exNames = append(exNames, res.Exemplar)
			}
		}
		sheet := contactSheet(q, exs, exNames, results[i])
		if err := writeSheet(filepath.Join(c.out, sec.Sheet), sheet); err != nil {
			return err
		}
		fmt.Fprintln(stdout, filepath.Join(c.out, sec.Sheet))
		rep.Sections = append(rep.Sections, sec)
	}
	return rep.write(c.out, stdout)
}

func containsName(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}
