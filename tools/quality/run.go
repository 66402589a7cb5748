package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/metrics"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/tools/internal/builtin"
	"github.com/texsynth/texsynth/tools/internal/sheet"
	"github.com/texsynth/texsynth/weights"
)

// A configuration is one column of the sheet: settings (Size is each run's) and weights.
type configuration struct {
	Label    string         `json:"label"`
	Settings synth.Settings `json:"settings"`
	Changes  string         `json:"changes"` // the settings that differ from synth.Defaults
	Weights  string         `json:"weights"` // their provenance
	w        *weights.File
}

// readSettings reads a JSON object of synth.Settings fields over the defaults.
func readSettings(path string) (synth.Settings, error) {
	s := synth.Defaults()
	data, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("%s: %v (want a JSON object of synth.Settings fields, e.g. {\"Layers\": \"conv1_1,conv2_1\", \"Levels\": 1})", path, err)
	}
	return s, nil
}

// changes lists the fields of s that differ from the defaults, "Field=value; …".
func changes(s synth.Settings) string {
	d := synth.Defaults()
	vs, vd := reflect.ValueOf(s), reflect.ValueOf(d)
	var out []string
	for i := range vs.NumField() {
		name := vs.Type().Field(i).Name
		if name == "Size" || name == "Iters" {
			continue // the tool's own
		}
		if a, b := vs.Field(i).Interface(), vd.Field(i).Interface(); a != b {
			out = append(out, fmt.Sprintf("%s=%v", name, a))
		}
	}
	if len(out) == 0 {
		return "the defaults"
	}
	return strings.Join(out, "; ")
}

// jsonFloat is a float64 that JSON writes as null when it is not finite.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

// A result is one run: a texture at a size in a configuration.
type result struct {
	Texture string        `json:"texture"`
	Size    int           `json:"size"`
	Config  string        `json:"config"`
	Evals   int           `json:"evals"`
	Loss    jsonFloat     `json:"loss"` // the last evaluation's; null if there was none
	Seconds float64       `json:"seconds"`
	Stats   metrics.Stats `json:"stats"`
	Err     string        `json:"error,omitempty"`
	Image   *picture.RGB  `json:"-"`
}

type quality struct {
	cfg      config
	configs  []*configuration // old, new
	textures []texture
	log      io.Writer
	logMu    sync.Mutex
	done     int
	total    int
	started  time.Time
	exemplar map[string]*picture.RGB // texture name → as loaded
}

// oldDefault is the default before the pretrained network (docs/quality.md): sliced Wasserstein
// on VGG-16's ten ReLUs to relu4_3 of the untrained VGG-16, started from coloured noise, the
// auto pyramid with an even split and a smooth upsample.
func oldDefault() synth.Settings {
	s := synth.Defaults()
	s.Layers = strings.Join(vgg.VGG16.Default(), ",")
	s.Start = synth.StartColour
	s.Norm = loss.NormLayer
	s.Levels, s.FineShare, s.Upsample = 0, 0, synth.UpsampleSmooth
	s.SpectrumWeight, s.HalfScaleWeight = 0, 0
	return s
}

func newQuality(c config, log io.Writer) (*quality, error) {
	q := &quality{cfg: c, log: log, started: time.Now(), exemplar: map[string]*picture.RGB{}}
	old := &configuration{Label: "old default", Settings: oldDefault()}
	neu := &configuration{Label: "new default", Settings: synth.Defaults()}
	var err error
	if c.newSettings != "" {
		if neu.Settings, err = readSettings(c.newSettings); err != nil {
			return nil, err
		}
	}
	for _, cf := range []*configuration{old, neu} {
		if c.iters > 0 {
			cf.Settings.Iters = c.iters
		}
		cf.Changes = changes(cf.Settings)
		name := builtin.UntrainedVGG16
		if cf == neu {
			name = c.newWeights
		}
		if cf.w, err = loadWeights(name, cf.Settings); err != nil {
			return nil, err
		}
		cf.Weights = cf.w.Provenance
	}
	q.configs = []*configuration{old, neu}
	for _, t := range textures {
		if c.only == "" || containsName(strings.Split(c.only, ","), t.Name) {
			q.textures = append(q.textures, t)
		}
	}
	// Every exemplar is read before the long work.
	for _, t := range q.textures {
		m, _, err := picture.Load(filepath.Join(c.textures, t.File), picture.MaxSide)
		if err != nil {
			return nil, err
		}
		q.exemplar[t.Name] = t.exemplar(m)
	}
	return q, nil
}

// loadWeights returns a built-in network by name or reads a weights file.
func loadWeights(name string, s synth.Settings) (*weights.File, error) {
	if w, ok, err := builtin.Weights(name, s); ok {
		return w, err
	}
	w, err := weights.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return w, w.CheckVGG()
}

func containsName(list []string, name string) bool {
	for _, s := range list {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

// job is one run to do; results[size][texture][config].
type job struct {
	size   int
	tex    texture
	config int
}

// runAll runs every texture at every size in both configurations, -j at a time, then writes
// the sheets, the table and the JSON.
func (q *quality) runAll(stdout io.Writer) error {
	if err := os.MkdirAll(q.cfg.out, 0o755); err != nil {
		return err
	}
	var jobs []job
	for _, size := range q.cfg.sizes {
		for _, t := range q.textures {
			for c := range q.configs {
				jobs = append(jobs, job{size, t, c})
			}
		}
	}
	q.total = len(jobs)
	results := make([]*result, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range q.cfg.jobs {
		wg.Go(func() {
			for i := range next {
				results[i] = q.run(jobs[i])
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()

	byKey := map[string]*result{}
	for i, j := range jobs {
		byKey[key(j.size, j.tex.Name, j.config)] = results[i]
	}
	lookup := func(size int, name string, c int) *result {
		return byKey[key(size, name, c)]
	}
	for _, size := range q.cfg.sizes {
		path := filepath.Join(q.cfg.out, fmt.Sprintf("quality-%dpx.png", size))
		if err := sheet.WritePNG(path, q.sheet(size, lookup)); err != nil {
			return err
		}
		fmt.Fprintln(stdout, path)
	}
	return q.writeReport(stdout, lookup)
}

func key(size int, name string, c int) string { return fmt.Sprintf("%d/%s/%d", size, name, c) }

// run synthesises one texture and measures it.
func (q *quality) run(j job) *result {
	cf := q.configs[j.config]
	s := cf.Settings
	s.Size = j.size
	res := &result{Texture: j.tex.Name, Size: j.size, Config: cf.Label, Loss: jsonFloat(math.NaN())}
	ref := synth.Exemplar(q.exemplar[j.tex.Name], s)
	start := time.Now()
	err := func() error {
		m, err := synth.New(cf.w, ref, s)
		if err != nil {
			return err
		}
		defer func() { res.Image, res.Evals = m.Image(), m.Evaluations() }()
		for !m.Done() {
			f, err := m.Step()
			if err != nil {
				return err
			}
			res.Loss = jsonFloat(f.Loss)
		}
		return nil
	}()
	res.Seconds = time.Since(start).Seconds()
	if err != nil {
		res.Err = err.Error()
	}
	if res.Image != nil {
		res.Stats = metrics.Measure(res.Image, ref)
	}
	q.logMu.Lock()
	q.done++
	fmt.Fprintf(q.log, "[%d/%d %4.0fs] %-8s %4d px %-11s %5.1fs  colour %.4f spectrum %.3f orientation %.3f / %.3f %s\n",
		q.done, q.total, time.Since(q.started).Seconds(), j.tex.Name, j.size, cf.Label, res.Seconds,
		res.Stats.Colour, res.Stats.Spectrum, res.Stats.OrientFine, res.Stats.OrientCoarse, res.Err)
	q.logMu.Unlock()
	return res
}
