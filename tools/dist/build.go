package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// dist is what build made.
type dist struct {
	files   []*file
	namedIn map[string][]string // a renamed file's old name → the files that name it
	renamed map[string]string
	version string
}

// build makes the dist folder: it is written beside its final place and then swapped in, so a
// failure leaves the previous one whole and a server never sees half of a new one for long.
func build(o options) (*dist, error) {
	if err := checkFolders(o.src, o.out); err != nil {
		return nil, err
	}
	files, err := readSite(o.src)
	if err != nil {
		return nil, err
	}
	renamed := nameLarge(files)
	namedIn := rewrite(files, renamed)
	v, err := stamp(files, renamed)
	if err != nil {
		return nil, err
	}
	tmp := o.out + ".new"
	if err := os.RemoveAll(tmp); err != nil {
		return nil, err
	}
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.out))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, "_headers"), headersFile(files, o.csp), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".assetsignore"), []byte(assetsIgnore), 0o644); err != nil {
		return nil, err
	}
	if o.compress {
		if err := compressAll(tmp, files, o.quality); err != nil {
			return nil, err
		}
	}
	if err := os.RemoveAll(o.out); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, o.out); err != nil {
		return nil, err
	}
	return &dist{files: files, namedIn: namedIn, renamed: renamed, version: v}, nil
}

// checkFolders refuses an output folder that would destroy something: the source itself, a
// folder holding it, or a folder that is not an earlier dist (out is replaced as a whole).
func checkFolders(src, out string) error {
	as, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	ao, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if ao == as || strings.HasPrefix(as+string(filepath.Separator), ao+string(filepath.Separator)) ||
		strings.HasPrefix(ao+string(filepath.Separator), as+string(filepath.Separator)) {
		return usagef("-out %s and -src %s overlap: the output must be a folder of its own", out, src)
	}
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, "_headers")); err != nil {
		return usagef("%s exists and is not an earlier output of dist (no _headers): remove it or pick another -out", out)
	}
	return nil
}

// sortBySize orders files from the largest.
func sortBySize(files []*file) {
	sort.SliceStable(files, func(i, j int) bool { return len(files[i].data) > len(files[j].data) })
}
