package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/texsynth/texsynth/tools/internal/web"
)

// The lines of site/assets.js and site/sw.js that dist fills in. In build/site they keep these
// values, which mean "not deployed": the page then registers no service worker (site/offline.js).
const (
	assetsVersion = "export const VERSION = '';"
	assetsMap     = "export const ASSETS = {};"
	swVersion     = "const VERSION = 'dev';"
	swPrecache    = "const PRECACHE = [];"
	swRuntime     = "const RUNTIME = [];"
)

// version is the hash of everything deployed: any change to any file gives a new one, which
// gives a new sw.js, which makes browsers install it and replace the old cache.
func version(files []*file) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00", f.out, len(f.data))
		h.Write(f.data)
	}
	return hex.EncodeToString(h.Sum(nil))[:web.HashLen]
}

// defaultWeights is the network the page loads at every start (wasm/worker.js): part of the app
// shell, unlike the other weights.
const defaultWeights = "weights/vgg19-conv3_4.q8"

// laterWeights tells the weights files a visit fetches only when asked (?weights=, the picker's
// own files): every .q8 but the default network.
func laterWeights(f *file) bool { return path.Ext(f.name) == ".q8" && f.name != defaultWeights }

// precache is what the service worker stores on the first visit: the app shell — the default
// network included — everything except itself and the other weights (which are stored when the
// page fetches them: most visits never do). "./" is the page as a folder's address is served.
func precache(files []*file) []string {
	list := []string{"./"}
	for _, f := range files {
		if f.name == "sw.js" || laterWeights(f) {
			continue
		}
		list = append(list, f.out)
	}
	sort.Strings(list[1:])
	return list
}

// fetchedLater are the files the service worker stores only when the page fetches them (the
// weights but the default network), listed so that an update keeps them when the new version
// has the same file.
func fetchedLater(files []*file) []string {
	list := []string{}
	for _, f := range files {
		if laterWeights(f) {
			list = append(list, f.out)
		}
	}
	return list
}

// fill replaces the one line placeholder of f with line; a file without it (or with it twice)
// is an error, as the deployment would silently not work.
func fill(f *file, placeholder, line string) error {
	if n := bytes.Count(f.data, []byte(placeholder)); n != 1 {
		return fmt.Errorf("%s: expected the line %q once, found it %d times", f.name, placeholder, n)
	}
	f.data = bytes.Replace(f.data, []byte(placeholder), []byte(line), 1)
	return nil
}

// stamp writes the renamed files' map into assets.js, then the version into assets.js and
// sw.js and the precache list into sw.js. The version is computed before it is written, over
// every file with the map in place.
func stamp(files []*file, renamed map[string]string) (string, error) {
	byName := map[string]*file{}
	for _, f := range files {
		byName[f.name] = f
	}
	assets, sw := byName["assets.js"], byName["sw.js"]
	m, err := json.Marshal(renamed) // sorted keys: the same input gives the same bytes
	if err != nil {
		return "", err
	}
	if err := fill(assets, assetsMap, "export const ASSETS = "+string(m)+";"); err != nil {
		return "", err
	}
	v := version(files)
	if err := fill(assets, assetsVersion, "export const VERSION = '"+v+"';"); err != nil {
		return "", err
	}
	list, err := json.Marshal(precache(files))
	if err != nil {
		return "", err
	}
	if err := fill(sw, swVersion, "const VERSION = '"+v+"';"); err != nil {
		return "", err
	}
	if err := fill(sw, swPrecache, "const PRECACHE = "+strings.ReplaceAll(string(list), `","`, `", "`)+";"); err != nil {
		return "", err
	}
	rt, err := json.Marshal(fetchedLater(files))
	if err != nil {
		return "", err
	}
	if err := fill(sw, swRuntime, "const RUNTIME = "+string(rt)+";"); err != nil {
		return "", err
	}
	return v, nil
}
