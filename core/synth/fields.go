package synth

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/texsynth/texsynth/core/loss"
)

// ParseFields reads settings given as text, keyed by Settings field name — a link's parameters,
// an HTML element's attributes, a form's inputs — as the command line reads its flags: a field
// not given keeps Defaults(), every value is parsed by its field's type and checked as Check
// checks it. Fields are taken in Fields() order, each checked with the ones before it, so an error
// that two fields cause together (three layer weights for five layers) is the later one's. The
// settings returned hold every value that was accepted and the default in place of each refused
// one; errs has one message per refused field ("" for a name that is no setting).
func ParseFields(text map[string]string) (Settings, map[string]error) {
	s := Defaults()
	errs := map[string]error{}
	fields := Fields()
	known := map[string]bool{}
	for _, f := range fields {
		known[f.Name] = true
	}
	for name := range text {
		if !known[name] {
			errs[name] = fmt.Errorf("%w: unknown setting %q", loss.ErrSpec, name)
		}
	}
	for _, f := range fields {
		v, given := text[f.Name]
		if !given {
			continue
		}
		next := s
		if err := setField(&next, f, strings.TrimSpace(v)); err != nil {
			errs[f.Name] = err
			continue
		}
		if err := next.Check(); err != nil {
			errs[f.Name] = err
			continue
		}
		s = next
	}
	return s, errs
}

// setField parses v into s's field f by the field's Go type.
func setField(s *Settings, f Field, v string) error {
	field := reflect.ValueOf(s).Elem().FieldByName(f.Name)
	switch field.Kind() {
	case reflect.Int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%w: %s %q is not a whole number; use %s", loss.ErrSpec, label(f.Name), v, span(f))
		}
		field.SetInt(int64(n))
	case reflect.Uint64:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: %s %q is not a whole number; use %s", loss.ErrSpec, label(f.Name), v, span(f))
		}
		field.SetUint(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("%w: %s %q is not a number; use %s", loss.ErrSpec, label(f.Name), v, span(f))
		}
		field.SetFloat(x)
	case reflect.String:
		field.SetString(v)
	default:
		return fmt.Errorf("synth: field %s of kind %s cannot be read from text", f.Name, field.Kind())
	}
	return nil
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
