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
