package web

import (
	"strings"
	"testing"
)

func TestWithFrameAncestors(t *testing.T) {
	if got, err := WithFrameAncestors(""); err != nil || got != CSP {
		t.Errorf("no list: %q, %v", got, err)
	}
	got, err := WithFrameAncestors("'self'  https://course.example.edu https://*.uni.example:8443")
	if err != nil || got != CSP+"; frame-ancestors 'self' https://course.example.edu https://*.uni.example:8443" {
		t.Errorf("%q, %v", got, err)
	}
	for _, bad := range []string{"https://a.example; script-src *", "'unsafe-inline'", "https://a.example,https://b.example", "'none' https://a.example", "https://a.example\"", "*"} {
		if _, err := WithFrameAncestors(bad); err == nil || !strings.Contains(err.Error(), "frame-ancestors") {
			t.Errorf("%q accepted (%v)", bad, err)
		}
	}
	// Line breaks are spaces between sources: nothing can start a header of its own.
	if got, _ := WithFrameAncestors("https://a.example\r\nhttps://b.example"); strings.ContainsAny(got, "\r\n") {
		t.Errorf("a line break went through: %q", got)
	}
}
