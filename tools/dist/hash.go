package main

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"

	"github.com/texsynth/texsynth/tools/internal/web"
)

// large says which files get their content hash in their name: the wasm, Go's wasm_exec.js and
// the weights. They are most of the bytes, so they are the ones worth caching for a year
// (web.Immutable); html, js and css keep their names, so links to the page and to its scripts
// stay stable, and are revalidated instead.
func large(name string) bool {
	switch {
	case path.Ext(name) == ".wasm", path.Ext(name) == ".q8":
		return true
	case path.Base(name) == "wasm_exec.js":
		return true
	}
	return false
}

// contentHash is the first web.HashLen hex digits of the SHA-256 of data.
func contentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:web.HashLen]
}

// hashedName puts the hash before the extension: weights/vgg16-random.q8 becomes
// weights/vgg16-random.3fa9c1d2e4b5.q8, so the type still follows from the extension.
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// nameLarge gives every large file its hashed name and returns the map from the old names to
// the new ones.
func nameLarge(files []*file) map[string]string {
	renamed := map[string]string{}
	for _, f := range files {
		if large(f.name) {
			f.out = hashedName(f.name, contentHash(f.data))
			renamed[f.name] = f.out
		}
	}
	return renamed
}
