package web

import (
	"path"
	"regexp"
)

// HashLen is the number of hex digits of the SHA-256 of a file's content put in its name
// (texsynth.3fa9c1d2e4b5.wasm): 48 bits, enough that two versions of one file never collide.
const HashLen = 12

var hashedName = regexp.MustCompile(`\.[0-9a-f]{12}\.[A-Za-z0-9]+$`)

// IsHashed reports whether a file's name carries its content hash: such a file never changes
// under its name, so browsers and CDNs may keep it for a year without asking again.
func IsHashed(name string) bool {
	return hashedName.MatchString(path.Base(name))
}

// Immutable and Revalidate are the two caching policies: hashed assets for ever, everything
// else (html, js, css, the service worker, plain-named files in build/site) asked again each
// time, which costs one 304 when nothing changed and shows a new deployment at once.
const (
	Immutable  = "public, max-age=31536000, immutable"
	Revalidate = "no-cache"
)

// CacheControl is the Cache-Control header for a file.
func CacheControl(name string) string {
	if IsHashed(name) {
		return Immutable
	}
	return Revalidate
}
