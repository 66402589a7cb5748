package synth

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/core/input"
	"github.com/texsynth/texsynth/core/vgg"
)

// TestFieldsOptionsAreAccepted: every option and bound Fields lists is one Check accepts, and a
// step past each bound is refused, so a form built from Fields offers exactly what runs.
func TestFieldsOptionsAreAccepted(t *testing.T) {
	for _, arch := range []*vgg.Arch{vgg.VGG16, vgg.VGG19} {
		for _, f := range Fields(arch) {
			// At the largest size, so that every number of levels fits.
			parse := func(text map[string]string) map[string]error {
				if f.Name != "Size" {
					text["Size"] = strconv.Itoa(MaxSize)
				}
				_, errs := ParseFields(arch, text)
				return errs
			}
			for _, o := range f.Options {
				text := map[string]string{f.Name: o}
				if f.Kind == "layers" {
					text["LayerWeights"] = "uniform"
				}
				if errs := parse(text); errs[f.Name] != nil {
					t.Errorf("%s: %s=%s: %v", arch.Name, f.Name, o, errs[f.Name])
				}
			}
			if f.Kind == "choice" || f.Kind == "layers" {
				if errs := parse(map[string]string{f.Name: "no-such-" + f.Name}); errs[f.Name] == nil {
					t.Errorf("%s: an unknown value was accepted", f.Name)
				}
			}
			if f.Min != nil {
				if errs := parse(map[string]string{f.Name: ftoa(*f.Min)}); errs[f.Name] != nil {
					t.Errorf("%s=%g (its min): %v", f.Name, *f.Min, errs[f.Name])
				}
				if errs := parse(map[string]string{f.Name: ftoa(*f.Min - 1)}); errs[f.Name] == nil {
					t.Errorf("%s=%g (under its min) was accepted", f.Name, *f.Min-1)
				}
			}
			if f.Max != nil {
				if errs := parse(map[string]string{f.Name: ftoa(*f.Max)}); errs[f.Name] != nil {
					t.Errorf("%s=%g (its max): %v", f.Name, *f.Max, errs[f.Name])
				}
				if errs := parse(map[string]string{f.Name: ftoa(*f.Max + 1)}); errs[f.Name] == nil {
					t.Errorf("%s=%g (over its max) was accepted", f.Name, *f.Max+1)
				}
			}
		}
	}
	if l := Fields(vgg.VGG19)[5]; l.Name != "Layers" || len(l.Options) != len(vgg.VGG19.Taps()) || len(l.Default.([]string)) != 8 {
		t.Errorf("VGG-19's layers: %+v", l)
	}
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// TestParseFields: text is read by each field's type, refusals name the field, say what would
// work and are of the input kind, and an error of two fields together is the later one's.
func TestParseFields(t *testing.T) {
	s, errs := ParseFields(vgg.VGG16, map[string]string{"Size": "48", "Iters": " 7", "Layers": "conv1_1,pool1,conv2_1", "LayerWeights": "1,2,4", "Seed": "9", "SpectrumWeight": "0.5"})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if s.Size != 48 || s.Iters != 7 || s.Seed != 9 || s.SpectrumWeight != 0.5 || s.LayerWeights != "1,2,4" {
		t.Errorf("%+v", s)
	}
	cases := []struct {
		arch  *vgg.Arch
		text  map[string]string
		field string
		want  string
	}{
		{vgg.VGG16, map[string]string{"Size": "3000"}, "Size", fmt.Sprintf("use 16 to %d", MaxSize)},
		{vgg.VGG16, map[string]string{"Size": "huge"}, "Size", fmt.Sprintf(`size "huge" is not a whole number; use 16 to %d`, MaxSize)},
		{vgg.VGG16, map[string]string{"Size": "0x80"}, "Size", "not a whole number"},
		{vgg.VGG16, map[string]string{"Iters": "0"}, "Iters", "use 1 to 10000"},
		{vgg.VGG16, map[string]string{"Iters": "-5"}, "Iters", "use 1 to 10000"},
		{vgg.VGG16, map[string]string{"Iters": "99999"}, "Iters", "use 1 to 10000"},
		{vgg.VGG16, map[string]string{"Layers": "conv1_1,pool1", "LayerWeights": "1,2,3"}, "LayerWeights", "3 weights for 2 layers"},
		{vgg.VGG16, map[string]string{"Layers": ""}, "Layers", "the layer list is empty"},
		{vgg.VGG16, map[string]string{"Layers": "conv3_4"}, "Layers", "VGG-16 has"},
		{vgg.VGG16, map[string]string{"Size": "32", "Levels": "3"}, "Levels", "coarsest level 8 px"},
		{vgg.VGG16, map[string]string{"Seed": "-1"}, "Seed", "not a whole number"},
		{vgg.VGG16, map[string]string{"Conv": "direct"}, "Conv", "unknown conv path"},
		{vgg.VGG16, map[string]string{"Colour": "red"}, "Colour", "unknown setting"},
		{vgg.VGG19, map[string]string{"Layers": "conv5_5"}, "Layers", "VGG-19 has"},
	}
	for _, c := range cases {
		s, errs := ParseFields(c.arch, c.text)
		err := errs[c.field]
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, input.Err) {
			t.Errorf("%v: %s: got %v, want …%s… of the input kind", c.text, c.field, err, c.want)
		}
		if err := s.Check(c.arch); err != nil {
			t.Errorf("%v: the settings returned do not pass Check: %v", c.text, err)
		}
	}
	if _, errs := ParseFields(vgg.VGG19, map[string]string{"Layers": "conv3_4,conv5_4"}); len(errs) != 0 {
		t.Errorf("VGG-19's own layers: %v", errs)
	}
}

// TestFlags: the command line's flags are the settings, read by the same SetText as a link, and
// say their defaults.
func TestFlags(t *testing.T) {
	s := Defaults()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s.AddFlags(fs)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n != len(Fields(nil)) {
		t.Errorf("%d flags for %d fields", n, len(Fields(nil)))
	}
	if err := fs.Parse([]string{"-size", "48", "-layer-weights", "linear:2", "-seed", "7", "-spectrum-weight", "0.5", "-layers", "conv1_1"}); err != nil {
		t.Fatal(err)
	}
	if s.Size != 48 || s.LayerWeights != "linear:2" || s.Seed != 7 || s.SpectrumWeight != 0.5 || s.Layers != "conv1_1" {
		t.Errorf("%+v", s)
	}
	if d := fs.Lookup("iters").DefValue; d != "100" {
		t.Errorf("-iters default %q", d)
	}
	for _, bad := range [][]string{{"-size", "huge"}, {"-size", "0x80"}, {"-layers", " "}, {"-seed", "-1"}} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		s := Defaults()
		s.AddFlags(fs)
		var ps Settings
		pe := ps.SetText(fieldOfFlag(t, bad[0][1:]), bad[1])
		if err := fs.Parse(bad); err == nil || pe == nil || !strings.Contains(err.Error(), pe.Error()) {
			t.Errorf("%v: flag error %v, SetText's %v", bad, err, pe)
		}
	}
}

func fieldOfFlag(t *testing.T, flag string) string {
	for _, f := range Fields(nil) {
		if f.Flag == flag {
			return f.Name
		}
	}
	t.Fatalf("no field for -%s", flag)
	return ""
}
