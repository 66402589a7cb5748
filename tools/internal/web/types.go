package web

import (
	"path"
	"strings"
)

// Types are the MIME types of the files the page is made of, set explicitly because the
// system's table may lack them or disagree: application/wasm is required by
// WebAssembly.instantiateStreaming, text/javascript by module scripts.
var Types = map[string]string{
	".wasm":        "application/wasm",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".html":        "text/html; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".svg":         "image/svg+xml",
	".txt":         "text/plain; charset=utf-8",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".ico":         "image/x-icon",
	".woff2":       "font/woff2",
	".q8":          "application/octet-stream",
}

// TypeOf is the Content-Type for a file name ("" when the extension is unknown).
func TypeOf(name string) string {
	return Types[strings.ToLower(path.Ext(name))]
}

// compressed are formats that are compressed already: a second compression gains nothing.
var compressed = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".woff2": true,
	".br": true, ".gz": true, ".zip": true,
}

// Compressible reports whether a file is worth a precompressed copy (whether the copy is kept
// depends on it being smaller).
func Compressible(name string) bool {
	return !compressed[strings.ToLower(path.Ext(name))]
}
