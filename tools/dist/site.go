package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// file is one file of the deployment.
type file struct {
	name   string // its path in build/site, slash-separated
	out    string // its path in the dist folder: name, or name with the content hash in it
	data   []byte
	gzip   int64 // size of the .gz copy, 0 when there is none (not compressible, or not smaller)
	brotli int64 // size of the .br copy, likewise
}

// required are the files without which build/site is not a built page.
var required = []string{"index.html", "texsynth.wasm", "worker.js", "sw.js", "assets.js"}

// readSite reads every file of the built page, in name order. Dot files are left out: they are
// no part of the page.
func readSite(src string) ([]*file, error) {
	st, err := os.Stat(src)
	if err != nil || !st.IsDir() {
		return nil, usagef("%s is not a folder: build the page first (make site)", src)
	}
	for _, r := range required {
		if _, err := os.Stat(filepath.Join(src, r)); err != nil {
			return nil, usagef("%s has no %s: it is not a built page (make site builds one)", src, r)
		}
	}
	var files []*file
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != src {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		name := filepath.ToSlash(rel)
		files = append(files, &file{name: name, out: name, data: data})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, nil
}
