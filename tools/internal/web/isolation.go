package web

import "strings"

// The headers that make the page cross-origin isolated, which is what lets it share the products
// between threads (SharedArrayBuffer: wasm/pool.js, docs/deploy.md), sent by tools/serve and
// written into dist/_headers; on hosts that cannot send headers the service worker (site/sw.js)
// adds the same ones.
//
// COEP is require-corp rather than credentialless: the page loads nothing from another origin
// (the CSP keeps every request on its own), so the two allow the same loads here, and
// require-corp is the one every engine with SharedArrayBuffer supports (Safari has no
// credentialless). COOP same-origin only severs the page from windows of other origins that
// opened it or that it opened, and it has none.
const (
	OpenerPolicy   = "same-origin"
	EmbedderPolicy = "require-corp"
)

// ResourcePolicy is the Cross-Origin-Resource-Policy for a file served under name: cross-origin
// for the pages (index.html, embed.html and the like), which course websites on other origins
// frame, so that a course page that is itself isolated (COEP) may still frame them; none for the
// rest, which only the page's own documents load.
func ResourcePolicy(name string) string {
	if name == "" || strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".html") {
		return "cross-origin"
	}
	return ""
}
