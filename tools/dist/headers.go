package main

import (
	"fmt"
	"strings"

	"github.com/texsynth/texsynth/tools/internal/web"
)

// headersFile is dist/_headers, the headers file of Cloudflare (Workers static assets, Pages)
// and Netlify: the CSP (with dist's -frame-ancestors list, if any) and nosniff for every path, and
// each file's caching policy. Each file gets its own rule, because these hosts merge every rule
// that matches a path and would join two Cache-Control values into one.
func headersFile(files []*file, csp string) []byte {
	var b strings.Builder
	b.WriteString("# Written by tools/dist: headers for Cloudflare and Netlify (docs/deploy.md).\n")
	fmt.Fprintf(&b, "/*\n  Content-Security-Policy: %s\n  X-Content-Type-Options: nosniff\n", csp)
	rule := func(p, cc string) { fmt.Fprintf(&b, "/%s\n  Cache-Control: %s\n", p, cc) }
	rule("", web.Revalidate)
	for _, f := range files {
		rule(f.out, web.CacheControl(f.out))
	}
	return []byte(b.String())
}

// assetsIgnore is dist/.assetsignore: Cloudflare compresses on its own, so the .br and .gz
// copies are not uploaded there.
const assetsIgnore = "# Cloudflare compresses by itself: the precompressed copies are for other servers.\n*.br\n*.gz\n"
