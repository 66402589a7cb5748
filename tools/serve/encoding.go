package main

import (
	"net/http"
	"strconv"
	"strings"
)

// variant is a precompressed copy tools/dist may have written beside a file.
type variant struct {
	encoding string // the Content-Encoding
	suffix   string // added to the file's name
}

// preferred is the order copies are offered in: brotli is about a third smaller than gzip on
// the wasm.
var preferred = []variant{{"br", ".br"}, {"gzip", ".gz"}}

// variantsOf lists the copies of name that exist, in the order of preference.
func variantsOf(root http.Dir, name string) []variant {
	var found []variant
	for _, v := range preferred {
		if f, _, err := open(root, name+v.suffix); err == nil {
			f.Close()
			found = append(found, v)
		}
	}
	return found
}

// accepts reports whether an Accept-Encoding header allows coding: named with a q-value above
// zero, or covered by * without a q=0 of its own.
func accepts(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch name {
		case coding:
			return q > 0
		case "*":
			star = q > 0
		}
	}
	return star
}

// encodingName is the encoding for the log line.
func encodingName(e string) string {
	if e == "" {
		return "identity"
	}
	return e
}
