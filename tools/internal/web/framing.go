package web

import (
	"fmt"
	"regexp"
	"strings"
)

// source is one CSP source expression a frame-ancestors list may hold: 'self', 'none', a
// scheme ("https:") or a host with an optional scheme, wildcard subdomain and port
// ("https://*.example.edu:8443").
var source = regexp.MustCompile(`^('self'|'none'|[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*://)?(\*\.)?[a-z0-9.-]+(:(\d+|\*))?)$`)

// WithFrameAncestors returns CSP with a frame-ancestors directive that lets only the given sites
// (space-separated CSP sources) frame the page and embed.html. "" keeps CSP as it is: any site may
// frame them, which is the point of embed.html, and safe because the frame fetches nothing a
// framing page names (docs/security.md). A value that is not a list of sources is refused, so
// nothing else can be slipped into the header.
func WithFrameAncestors(sources string) (string, error) {
	list := strings.Fields(strings.ToLower(sources))
	if len(list) == 0 {
		return CSP, nil
	}
	for _, s := range list {
		if !source.MatchString(s) {
			return "", fmt.Errorf("frame-ancestors: %q is not a CSP source; use 'self', 'none', a scheme such as https: or a site such as https://course.example.edu", s)
		}
	}
	if len(list) > 1 && strings.Contains(sources, "'none'") {
		return "", fmt.Errorf("frame-ancestors: 'none' cannot be listed with other sources")
	}
	return CSP + "; frame-ancestors " + strings.Join(list, " "), nil
}
