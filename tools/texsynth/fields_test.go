package main

import (
	"io"
	"testing"

	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/core/vgg"
)

// TestRefusesWhatThePageRefuses: the page reads settings with synth.ParseFields; the command
// line, given the same text as flags, refuses exactly the same values.
func TestRefusesWhatThePageRefuses(t *testing.T) {
	values := map[string][]string{
		"Size":            {"64", "16", "1024", "8", "2000", "huge", "0x80", " 48 ", "64.0"},
		"ExemplarSize":    {"0", "-1", "-2", "8", "256", "2000"},
		"Iters":           {"1", "10000", "0", "-5", "99999", "1e3"},
		"Loss":            {"sw", "gram", "emd", "emd-seed", "l1", ""},
		"GramNorm":        {"relative", "seed", "none"},
		"Layers":          {"conv1_1", "relu1_1,pool1", "all", "conv3_4", "conv9_9", "", " ", "conv1_1,,pool1", "relu1_1,conv1_1"},
		"LayerWeights":    {"uniform", "linear:2", "geometric:0.5", "1,2", "cubic:2", ""},
		"Pad":             {"zero", "reflect", "circular", "mirror"},
		"Optimizer":       {"lbfgs", "adam", "sgd"},
		"Seed":            {"0", "18446744073709551615", "-1", "1.5"},
		"Redraw":          {"1", "0", "x"},
		"Conv":            {"fast", "stock", "direct", "FAST"},
		"Levels":          {"0", "1", "3", "5", "6", "-1"},
		"SpectrumWeight":  {"0", "0.5", "-1", "NaN", "Inf", "x"},
		"Start":           {"grey", "colour", "color", ""},
		"Norm":            {"layer", "direction", "channel"},
		"FineShare":       {"0", "0.75", "0.9", "0.95", "1", "-0.1", "NaN"},
		"Upsample":        {"smooth", "nearest", "bicubic"},
		"HalfScaleWeight": {"0", "1", "-1", "Inf", "x"},
	}
	flagOf := map[string]string{}
	for _, f := range synth.Fields(nil) {
		flagOf[f.Name] = f.Flag
		if values[f.Name] == nil {
			t.Errorf("no values tried for %s", f.Name)
		}
	}
	for name, list := range values {
		for _, v := range list {
			_, errs := synth.ParseFields(vgg.VGG16, map[string]string{name: v})
			page := errs[name] != nil
			c, err := parseFlags([]string{"-in", "x.png", "-out", "y.png", "-" + flagOf[name], v}, io.Discard)
			if err == nil {
				err = c.settings.Check(vgg.VGG16) // what synth.New checks on VGG-16 weights
			}
			if cli := err != nil; cli != page {
				t.Errorf("%s = %q: the page refuses: %v (%v); the command line refuses: %v (%v)", name, v, page, errs[name], cli, err)
			}
		}
	}
}
