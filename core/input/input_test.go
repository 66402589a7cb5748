package input

import (
	"errors"
	"fmt"
	"testing"
)

func TestKind(t *testing.T) {
	own := New("pkg: bad thing")
	wrapped := fmt.Errorf("%w: it was 3", own)
	if !errors.Is(wrapped, own) || !errors.Is(wrapped, Err) {
		t.Errorf("errors.Is(wrapped, own) = %v, errors.Is(wrapped, Err) = %v", errors.Is(wrapped, own), errors.Is(wrapped, Err))
	}
	if got := wrapped.Error(); got != "pkg: bad thing: it was 3" {
		t.Errorf("message %q", got)
	}
	if errors.Is(errors.New("pkg: bad thing"), Err) || errors.Is(New("a"), New("a")) {
		t.Error("an unrelated error matches")
	}
}

func TestMessage(t *testing.T) {
	own, other := New("pkg: bad thing"), New("other: bad")
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w: it was 3", own), "it was 3"},
		{fmt.Errorf("reading x: %w", fmt.Errorf("%w: it was 3", own)), "reading x: it was 3"},
		{errors.Join(fmt.Errorf("%w: a", own), fmt.Errorf("%w: b", other)), "a\nb"},
		{errors.New("pkg: bad thing: not of the kind"), "pkg: bad thing: not of the kind"},
	}
	for _, c := range cases {
		if got := Message(c.err); got != c.want {
			t.Errorf("Message(%q) = %q, want %q", c.err, got, c.want)
		}
	}
}
