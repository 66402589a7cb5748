package synth

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/core/loss"
)

// TestFieldsOptionsAreAccepted: every option and bound Fields lists is one Check accepts, and a
// step past each bound is refused, so a form built from Fields offers exactly what runs.
func TestFieldsOptionsAreAccepted(t *testing.T) {
	for _, f := range Fields() {
		// At the largest size, so that every number of levels fits.
		ParseFields := func(text map[string]string) (Settings, map[string]error) {
			if f.Name != "Size" {
				text["Size"] = strconv.Itoa(MaxSize)
			}
			return ParseFields(text)
		}
		for _, o := range f.Options {
			text := map[string]string{f.Name: o}
			if _, errs := ParseFields(text); errs[f.Name] != nil && f.Kind != "layers" {
				t.Errorf("%s=%s: %v", f.Name, o, errs[f.Name])
			}
		}
		if f.Kind == "choice" {
			if _, errs := ParseFields(map[string]string{f.Name: "no-such-" + f.Name}); errs[f.Name] == nil {
				t.Errorf("%s: an unknown value was accepted", f.Name)
			}
		}
		if f.Min != nil {
			if _, errs := ParseFields(map[string]string{f.Name: ftoa(*f.Min)}); errs[f.Name] != nil {
				t.Errorf("%s=%g (its min): %v", f.Name, *f.Min, errs[f.Name])
			}
			if *f.Min > 0 || f.Kind == "uint" {
				continue // below 0 a uint does not parse; that is tested by the parse test
			}
			if _, errs := ParseFields(map[string]string{f.Name: ftoa(*f.Min - 1)}); errs[f.Name] == nil {
				t.Errorf("%s=%g (under its min) was accepted", f.Name, *f.Min-1)
			}
		}
		if f.Max != nil {
			if _, errs := ParseFields(map[string]string{f.Name: ftoa(*f.Max)}); errs[f.Name] != nil {
				t.Errorf("%s=%g (its max): %v", f.Name, *f.Max, errs[f.Name])
			}
			if _, errs := ParseFields(map[string]string{f.Name: ftoa(*f.Max + 1)}); errs[f.Name] == nil {
				t.Errorf("%s=%g (over its max) was accepted", f.Name, *f.Max+1)
			}
		}
	}
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// TestParseFields: text is read by each field's type, refusals name the field and say what would
// work, and an error of two fields together is the later one's.
func TestParseFields(t *testing.T) {
	s, errs := ParseFields(map[string]string{"Size": "48", "Iters": "7", "Layers": "conv1_1,pool1,conv2_1", "LayerWeights": "1,2,4", "Seed": "9", "SpectrumWeight": "0.5"})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if s.Size != 48 || s.Iters != 7 || s.Seed != 9 || s.SpectrumWeight != 0.5 || s.LayerWeights != "1,2,4" {
		t.Errorf("%+v", s)
	}
	cases := []struct {
		text  map[string]string
		field string
		want  string
	}{
		{map[string]string{"Size": "2000"}, "Size", "use 16 to 1024"},
		{map[string]string{"Size": "huge"}, "Size", `size "huge" is not a whole number; use 16 to 1024`},
		{map[string]string{"Iters": "0"}, "Iters", "use 1 to 10000"},
		{map[string]string{"Iters": "-5"}, "Iters", "use 1 to 10000"},
		{map[string]string{"Iters": "99999"}, "Iters", "use 1 to 10000"},
		{map[string]string{"Layers": "conv1_1,pool1", "LayerWeights": "1,2,3"}, "LayerWeights", "3 weights for 2 layers"},
		{map[string]string{"Size": "32", "Levels": "3"}, "Levels", "coarsest level 8 px"},
		{map[string]string{"Seed": "-1"}, "Seed", "not a whole number"},
		{map[string]string{"Colour": "red"}, "Colour", "unknown setting"},
	}
	for _, c := range cases {
		s, errs := ParseFields(c.text)
		err := errs[c.field]
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.field != "Colour" && !errors.Is(err, loss.ErrSpec)) {
			t.Errorf("%v: %s: got %v, want …%s…", c.text, c.field, err, c.want)
		}
		if s.Check() != nil {
			t.Errorf("%v: the settings returned do not pass Check: %v", c.text, s.Check())
		}
	}
}

// TestPlan: the levels, their iterations and work, and the memory estimate.
func TestPlan(t *testing.T) {
	s := Defaults()
	s.Size, s.Iters = 128, 101
	p, err := s.Plan(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Levels) != 2 || p.Levels[0].Size != 64 || p.Levels[0].Iters != 50 || p.Levels[1].Size != 128 || p.Levels[1].Iters != 51 {
		t.Fatalf("%+v", p.Levels)
	}
	// docs/performance.md: 4.56 GMAC forward at 128 px for the default layers, twice that with the gradient.
	if m := p.Levels[1].MACs; m < 9.0e9 || m > 9.3e9 {
		t.Errorf("128 px: %d MACs", m)
	}
	if r := float64(p.Levels[1].MACs) / float64(p.Levels[0].MACs); r != 4 {
		t.Errorf("a level twice the side costs %g×", r)
	}
	if len(p.Layers) != 10 || len(p.LayerWeights) != 10 {
		t.Errorf("%v %v", p.Layers, p.LayerWeights)
	}
	// Measured (memory.go): 489 MiB at 128 px, 2967 MiB at 512 px.
	for _, c := range []struct {
		size int
		mib  float64
	}{{128, 489}, {256, 992}, {512, 2967}} {
		s.Size = c.size
		got := float64(Memory(s, 0)) / (1 << 20)
		if got < 0.9*c.mib || got > 1.1*c.mib {
			t.Errorf("%d px: %.0f MiB estimated, %.0f measured", c.size, got, c.mib)
		}
	}
	s.Size, s.Iters = 32, 5
	s.Layers, s.LayerWeights = "conv1_1", "1,2"
	if _, err := s.Plan(0); err == nil {
		t.Error("a plan with bad settings")
	}
}

// TestMore: a finished run takes more iterations and steps on; the last level gets them.
func TestMore(t *testing.T) {
	s := small("sw", "lbfgs")
	s.Size, s.Iters, s.Levels = 32, 4, 2
	m := newModel(t, s)
	for !m.Done() {
		if _, err := m.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.More(0); err == nil {
		t.Error("0 more iterations accepted")
	}
	if err := m.More(3); err != nil {
		t.Fatal(err)
	}
	for !m.Done() {
		f, err := m.Step()
		if err != nil {
			t.Fatal(err)
		}
		if f.Iters != 7 || m.Size() != 32 {
			t.Fatalf("iteration %d of %d at %d px", f.Iter, f.Iters, m.Size())
		}
	}
	if m.iter != 7 {
		t.Errorf("%d iterations", m.iter)
	}
	// Stopped at the coarse level: the levels to come share the iterations, and the run ends at
	// the full size.
	s.Size, s.Iters = 32, 20
	m = newModel(t, s)
	for range 3 {
		if _, err := m.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if m.Size() != 16 {
		t.Fatalf("at %d px after 3 of 20 iterations", m.Size())
	}
	if err := m.More(4); err != nil {
		t.Fatal(err)
	}
	for !m.Done() {
		if _, err := m.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if m.Iter() != 7 || m.Iters() != 7 || m.Size() != 32 {
		t.Errorf("after More(4) at iteration 3: %d of %d at %d px", m.Iter(), m.Iters(), m.Size())
	}
}
