package synth

import (
	"flag"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/texsynth/texsynth/core/vgg"
)

// SetText reads text into the setting name (a Settings field name, Fields) by the field's type:
// whole numbers in decimal, numbers as strconv.ParseFloat reads them, words as they are;
// surrounding spaces are ignored. It is how the command line reads its flags (AddFlags) and how
// ParseFields reads a link or a form, so the two read the same text alike. Whether the value can
// be used is Check's business, except for an empty layer list: leaving the setting out means
// the network's default layers, but given empty it is more likely a script's empty variable or
// a form with nothing ticked than a wish for the default.
func (s *Settings) SetText(name, text string) error {
	f, ok := field(name)
	if !ok {
		return fmt.Errorf("%w: unknown setting %q", ErrSettings, name)
	}
	v := strings.TrimSpace(text)
	value := reflect.ValueOf(s).Elem().FieldByName(f.Name)
	switch value.Kind() {
	case reflect.Int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%w: %s %q is not a whole number; use %s", ErrSettings, label(f.Name), v, span(f))
		}
		value.SetInt(int64(n))
	case reflect.Uint64:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: %s %q is not a whole number; use %s", ErrSettings, label(f.Name), v, span(f))
		}
		value.SetUint(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("%w: %s %q is not a number; use %s", ErrSettings, label(f.Name), v, span(f))
		}
		value.SetFloat(x)
	case reflect.String:
		if f.Kind == "layers" && v == "" {
			return fmt.Errorf("%w: the layer list is empty; name at least one layer, such as relu1_1,relu2_1, or leave the setting out for the default layers", ErrSettings)
		}
		value.SetString(v)
	default:
		panic("synth: field " + f.Name + " of kind " + value.Kind().String() + " cannot be read from text")
	}
	return nil
}

// ParseFields reads settings given as text, keyed by Settings field name — a link's parameters,
// an HTML element's attributes, a form's inputs — for a run on the network arch, as the command
// line reads its flags: a field not given keeps Defaults(), every value is read by SetText and
// checked as Check checks it. Fields are taken in Fields() order, each checked with the ones
// before it, so an error that two fields cause together (three layer weights for five layers)
// is the later one's. The settings returned hold every value that was accepted and the default
// in place of each refused one; errs has one error per refused field, keyed by its name (or by
// the name given, for one that is no setting).
func ParseFields(arch *vgg.Arch, text map[string]string) (Settings, map[string]error) {
	s := Defaults()
	errs := map[string]error{}
	for name := range text {
		if _, ok := field(name); !ok {
			errs[name] = fmt.Errorf("%w: unknown setting %q", ErrSettings, name)
		}
	}
	for _, f := range Fields(arch) {
		v, given := text[f.Name]
		if !given {
			continue
		}
		next := s
		if err := next.SetText(f.Name, v); err != nil {
			errs[f.Name] = err
			continue
		}
		if err := next.Check(arch); err != nil {
			errs[f.Name] = err
			continue
		}
		s = next
	}
	return s, errs
}

// AddFlags defines every setting as a flag of fs (Field.Flag, with its Usage), read into s by
// SetText; each flag's default is s's value when AddFlags is called.
func (s *Settings) AddFlags(fs *flag.FlagSet) {
	for _, f := range Fields(nil) {
		fs.Var(&flagValue{s, f.Name}, f.Flag, f.Usage)
	}
}

// flagValue is one setting as a flag.Value.
type flagValue struct {
	s    *Settings
	name string
}

func (v *flagValue) Set(text string) error { return v.s.SetText(v.name, text) }

// String is the setting's value as text; flag also calls it on a zero flagValue.
func (v *flagValue) String() string {
	if v == nil || v.s == nil {
		return ""
	}
	return fmt.Sprint(reflect.ValueOf(v.s).Elem().FieldByName(v.name).Interface())
}

// field returns the Field named name.
func field(name string) (Field, bool) {
	for _, f := range Fields(nil) {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// label is a field's name as messages say it: "layer weights" for LayerWeights.
func label(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ToLower(string(r)))
	}
	return b.String()
}

// span says a number field's accepted range in words.
func span(f Field) string {
	switch {
	case f.Min != nil && f.Max != nil:
		return fmt.Sprintf("%g to %g", *f.Min, *f.Max)
	case f.Min != nil:
		return fmt.Sprintf("%g or more", *f.Min)
	}
	return "a number"
}
