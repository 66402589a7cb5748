package web

// CSP is the page's Content-Security-Policy: the same text as the <meta http-equiv> in
// site/index.html (a test checks that they match), sent as a header by tools/serve and written
// into dist/_headers. Everything comes from the page's own origin, so no picture, weights file or
// request leaves it; 'wasm-unsafe-eval' is what WebAssembly compilation needs, and nothing else
// is evaluated.
//
// There is no frame-ancestors: the page is meant to be framed by course websites on other
// origins (site/embed.html), and leaving the directive out is what allows that. It could not go
// in the <meta> anyway (browsers ignore it there, with a console error).
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"img-src 'self' data: blob:; connect-src 'self'; style-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'none'"
