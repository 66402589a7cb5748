package main

import (
	"path"
	"regexp"
	"sort"
	"strings"
)

// textual are the files that can name other files: their references to renamed files are
// rewritten.
var textual = map[string]bool{".html": true, ".js": true, ".mjs": true, ".css": true, ".json": true, ".webmanifest": true}

// reference matches a name as code uses it: in quotes (or a CSS url()), optionally after ./,
// and followed by the closing quote, a query or a fragment. Prose in comments is left alone.
func reference(name string) *regexp.Regexp {
	return regexp.MustCompile("(['\"`(](?:\\./)?)" + regexp.QuoteMeta(name) + "([?#'\"`)])")
}

// rewrite replaces, in every textual file, the old names of renamed files by the new ones, and
// returns which files named each renamed file. Names are paths from the folder's root, which is
// where all of the page's text files are.
func rewrite(files []*file, renamed map[string]string) map[string][]string {
	olds := make([]string, 0, len(renamed))
	for old := range renamed {
		olds = append(olds, old)
	}
	sort.Strings(olds)
	namedIn := map[string][]string{}
	for _, f := range files {
		if !textual[strings.ToLower(path.Ext(f.name))] {
			continue
		}
		text := string(f.data)
		for _, old := range olds {
			re := reference(old)
			if !re.MatchString(text) {
				continue
			}
			text = re.ReplaceAllString(text, "${1}"+renamed[old]+"${2}")
			namedIn[old] = append(namedIn[old], f.name)
		}
		f.data = []byte(text)
	}
	return namedIn
}
