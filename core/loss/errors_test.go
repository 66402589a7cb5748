package loss

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
)

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"gram": KindGram, "sw": KindSW, " EMD ": KindEMD, "emd-seed": KindEMDSeed} {
		got, err := ParseKind(in)
		if err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "l2", "emd_seed"} {
		_, err := ParseKind(in)
		if !errors.Is(err, ErrSpec) {
			t.Errorf("ParseKind(%q): %v, want ErrSpec", in, err)
			continue
		}
		for _, k := range kinds {
			if !strings.Contains(err.Error(), string(k)) {
				t.Errorf("ParseKind(%q) error %q does not list %q", in, err, k)
			}
		}
	}
}

func TestNewErrors(t *testing.T) {
	m := []feature.Map[float64]{{H: 1, W: 2, C: 1, Data: []float64{1, 2}}}
	for _, tc := range []struct {
		name    string
		opts    Options
		ex      []feature.Map[float64]
		weights []float64
		spec    bool
	}{
		{"unknown kind", Options{Kind: "l1"}, m, []float64{1}, true},
		{"unknown gram norm", Options{Kind: KindGram, GramNorm: "frobenius"}, m, []float64{1}, true},
		{"no layers", Options{Kind: KindGram}, nil, nil, true},
		{"weight count", Options{Kind: KindSW}, m, []float64{1, 1}, true},
		{"negative weight", Options{Kind: KindSW}, m, []float64{-1}, true},
		{"NaN weight", Options{Kind: KindSW}, m, []float64{math.NaN()}, true},
		{"Inf weight", Options{Kind: KindSW}, m, []float64{math.Inf(1)}, true},
		{"short data", Options{Kind: KindEMD}, []feature.Map[float64]{{H: 2, W: 2, C: 1, Data: []float64{1}}}, []float64{1}, false},
	} {
		_, err := New(tc.opts, tc.ex, tc.weights)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
		} else if errors.Is(err, ErrSpec) != tc.spec {
			t.Errorf("%s: %v; errors.Is(ErrSpec) = %v, want %v", tc.name, err, !tc.spec, tc.spec)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	ex := []feature.Map[float64]{{H: 2, W: 2, C: 2, Data: make([]float64, 8)}}
	for _, v := range variants {
		s, err := New(v.opts, ex, []float64{1})
		if err != nil {
			t.Fatal(err)
		}
		wrongC := []feature.Map[float64]{{H: 2, W: 2, C: 3, Data: make([]float64, 12)}}
		if _, _, err := s.Eval(wrongC); err == nil || errors.Is(err, ErrSpec) {
			t.Errorf("%s: channel mismatch gave %v, want a plain error", v.name, err)
		}
		ok := []feature.Map[float64]{{H: 2, W: 2, C: 2, Data: make([]float64, 8)}}
		if _, _, err := s.Eval([]feature.Map[float64]{{H: 2, W: 2, C: 2, Data: make([]float64, 7)}}); err == nil {
			t.Errorf("%s: a map shorter than its sizes accepted", v.name)
		}
		if _, _, err := s.Eval(append(ok, ok...)); err == nil {
			t.Errorf("%s: two maps for one layer accepted", v.name)
		}
		bigger := []feature.Map[float64]{{H: 4, W: 4, C: 2, Data: make([]float64, 32)}}
		_, _, err = s.Eval(bigger)
		if v.sameSize {
			if !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), "emd-seed compares position by position: the output must have the exemplar's size") {
				t.Errorf("%s: size mismatch gave %v", v.name, err)
			}
		} else if err != nil {
			t.Errorf("%s: output larger than the exemplar: %v", v.name, err)
		}
	}
}

func TestZeroWeightNotEvaluated(t *testing.T) {
	ex := []feature.Map[float64]{{H: 1, W: 2, C: 1, Data: []float64{1, 2}}, {H: 1, W: 2, C: 1, Data: []float64{1, 2}}}
	im := []feature.Map[float64]{{H: 1, W: 2, C: 1, Data: []float64{0, 5}}, {H: 1, W: 2, C: 1, Data: []float64{0, 5}}}
	s, err := New(Options{Kind: KindEMD}, ex, []float64{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Eval(im); err != nil { // sizes the gradients
		t.Fatal(err)
	}
	_, grads, _ := s.Eval(im)
	grads[0].Data[0], grads[0].Data[1] = 9, 9 // what an earlier evaluation could have left
	_, grads, err = s.Eval(im)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(s.Layers()[0]) || math.IsNaN(s.Layers()[1]) {
		t.Errorf("Layers() = %v, want [NaN, loss]", s.Layers())
	}
	if grads[0].Data[0] != 0 || grads[0].Data[1] != 0 {
		t.Errorf("weight-0 gradient %v, want zeros", grads[0].Data)
	}
}
