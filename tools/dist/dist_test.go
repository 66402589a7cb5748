package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/texsynth/texsynth/tools/internal/web"
	"github.com/texsynth/texsynth/tools/internal/webtest"
)

// workerJS names the wasm and wasm_exec.js as site's worker.js does, in code and in prose.
const workerJS = `// loads texsynth.wasm through Go's wasm_exec.js
importScripts(new URL('wasm_exec.js', base).href);
const url = new URL('texsynth.wasm', base).href;
const other = 'texsynth.wasm.map';
const PRETRAINED = 'weights/vgg19-conv3_4.q8';
`

// source writes a small built page: the real assets.js and sw.js of site/ (their placeholders
// are what dist fills), a worker naming the large files, a compressible wasm and weights that
// are noise.
func source(t *testing.T) (dir string, files map[string][]byte) {
	t.Helper()
	dir = t.TempDir()
	files = map[string][]byte{
		"index.html":               []byte("<!doctype html>\n" + strings.Repeat("<p>texsynth</p>\n", 100)),
		"worker.js":                []byte(workerJS),
		"style.css":                []byte(strings.Repeat("body { margin: 0; }\n", 50)),
		"wasm_exec.js":             []byte(strings.Repeat("globalThis.Go = class {};\n", 100)),
		"texsynth.wasm":            append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte{9, 8, 7, 6, 5}, 4000)...),
		"weights/vgg16-random.q8":  webtest.Noise(5000, 7),
		"weights/vgg19-conv3_4.q8": webtest.Noise(3000, 8),
		"tiny.txt":                 []byte("x"),
	}
	for _, f := range []string{"assets.js", "sw.js"} {
		b, err := os.ReadFile(filepath.Join("../../site", f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = b
	}
	for name, data := range files {
		webtest.WriteFile(t, dir, name, data)
	}
	return dir, files
}

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])[:12]
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
	return err == nil
}

func runDist(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(args, &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestDist(t *testing.T) {
	src, files := source(t)
	out := filepath.Join(t.TempDir(), "dist")
	summary, err := runDist(t, "-src", src, "-out", out, "-quality", "5")
	if err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	wasm := "texsynth." + hashOf(files["texsynth.wasm"]) + ".wasm"
	exec := "wasm_exec." + hashOf(files["wasm_exec.js"]) + ".js"
	weights := "weights/vgg16-random." + hashOf(files["weights/vgg16-random.q8"]) + ".q8"
	pretrained := "weights/vgg19-conv3_4." + hashOf(files["weights/vgg19-conv3_4.q8"]) + ".q8"

	t.Run("hashed names", func(t *testing.T) {
		for _, name := range []string{wasm, exec, weights, pretrained, "index.html", "worker.js", "style.css", "sw.js", "assets.js", "tiny.txt"} {
			if !exists(out, name) {
				t.Errorf("%s is missing", name)
			}
		}
		for _, name := range []string{"texsynth.wasm", "wasm_exec.js", "weights/vgg16-random.q8"} {
			if exists(out, name) {
				t.Errorf("%s kept its plain name", name)
			}
		}
		if read(t, out, wasm) != string(files["texsynth.wasm"]) {
			t.Error("the wasm's content changed")
		}
	})

	t.Run("references rewritten", func(t *testing.T) {
		w := read(t, out, "worker.js")
		for _, want := range []string{"new URL('" + exec + "', base)", "new URL('" + wasm + "', base)",
			"// loads texsynth.wasm through Go's wasm_exec.js", "'texsynth.wasm.map'"} {
			if !strings.Contains(w, want) {
				t.Errorf("worker.js lacks %q:\n%s", want, w)
			}
		}
		if !strings.Contains(summary, "texsynth.wasm → "+wasm+", named in worker.js") {
			t.Errorf("the summary does not say where the wasm is named:\n%s", summary)
		}
	})

	t.Run("assets.js and sw.js stamped", func(t *testing.T) {
		a := read(t, out, "assets.js")
		m := regexp.MustCompile(`export const ASSETS = (\{.*\});`).FindStringSubmatch(a)
		if m == nil {
			t.Fatalf("assets.js has no map:\n%s", a)
		}
		var assets map[string]string
		if err := json.Unmarshal([]byte(m[1]), &assets); err != nil {
			t.Fatal(err)
		}
		if assets["weights/vgg16-random.q8"] != weights || assets["texsynth.wasm"] != wasm {
			t.Errorf("ASSETS = %v", assets)
		}
		v := regexp.MustCompile(`export const VERSION = '([0-9a-f]{12})';`).FindStringSubmatch(a)
		if v == nil {
			t.Fatalf("assets.js has no version:\n%s", a)
		}
		sw := read(t, out, "sw.js")
		if !strings.Contains(sw, "const VERSION = '"+v[1]+"';") {
			t.Errorf("sw.js does not carry the version %s", v[1])
		}
		if !strings.Contains(summary, "version "+v[1]) {
			t.Errorf("the summary does not name the version %s", v[1])
		}
		var precache, later []string
		for name, into := range map[string]*[]string{"PRECACHE": &precache, "RUNTIME": &later} {
			m := regexp.MustCompile(`const ` + name + ` = (\[.*\]);`).FindStringSubmatch(sw)
			if m == nil {
				t.Fatalf("sw.js has no %s", name)
			}
			if err := json.Unmarshal([]byte(m[1]), into); err != nil {
				t.Fatal(err)
			}
		}
		want := []string{"./", "assets.js", "index.html", "style.css", wasm, "tiny.txt", exec, pretrained, "worker.js"}
		if strings.Join(precache, " ") != strings.Join(want, " ") {
			t.Errorf("PRECACHE = %v, want %v (the shell with the default network, not sw.js itself nor the other weights)", precache, want)
		}
		if len(later) != 1 || later[0] != weights {
			t.Errorf("RUNTIME = %v, want [%s]", later, weights)
		}
	})

	t.Run("compressed copies", func(t *testing.T) {
		for _, name := range []string{"index.html", "style.css", wasm, exec, "worker.js", "sw.js", "assets.js"} {
			orig := read(t, out, name)
			br, err := io.ReadAll(brotli.NewReader(strings.NewReader(read(t, out, name+".br"))))
			if err != nil || string(br) != orig {
				t.Errorf("%s.br does not decode to the file (%v)", name, err)
			}
			zr, err := gzip.NewReader(strings.NewReader(read(t, out, name+".gz")))
			if err != nil {
				t.Fatalf("%s.gz: %v", name, err)
			}
			gz, err := io.ReadAll(zr)
			if err != nil || string(gz) != orig {
				t.Errorf("%s.gz does not decode to the file (%v)", name, err)
			}
			if len(read(t, out, name+".br")) >= len(orig) {
				t.Errorf("%s.br is not smaller", name)
			}
		}
		// Noise and a one-byte file would only grow: no copies.
		for _, name := range []string{weights, "tiny.txt"} {
			if exists(out, name+".br") || exists(out, name+".gz") {
				t.Errorf("%s got a compressed copy that is not smaller", name)
			}
		}
	})

	t.Run("headers and summary", func(t *testing.T) {
		h := read(t, out, "_headers")
		for _, want := range []string{
			"/*\n  Content-Security-Policy: " + web.CSP + "\n",
			"/" + wasm + "\n  Cache-Control: " + web.Immutable + "\n",
			"/" + weights + "\n  Cache-Control: " + web.Immutable + "\n",
			"/index.html\n  Cache-Control: no-cache\n  Cross-Origin-Resource-Policy: cross-origin\n",
			"/sw.js\n  Cache-Control: no-cache\n",
			// Cross-origin isolated everywhere: the page's worker pool needs it.
			"  X-Content-Type-Options: nosniff\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n",
		} {
			if !strings.Contains(h, want) {
				t.Errorf("_headers lacks %q", want)
			}
		}
		if strings.Count(h, "Cache-Control") != len(files)+1 {
			t.Errorf("_headers: want one Cache-Control per file and one for /, got\n%s", h)
		}
		if !strings.Contains(read(t, out, ".assetsignore"), "*.br") {
			t.Error(".assetsignore does not leave out the .br copies")
		}
		line := regexp.MustCompile(`budget: wasm ≤ 2\.00 MB brotli: ` + regexp.QuoteMeta(wasm) + ` is \S+ \S+ \((\d+) bytes\) brotli, .* gzip: PASS`).FindStringSubmatch(summary)
		if line == nil {
			t.Fatalf("no budget line:\n%s", summary)
		}
		if br := read(t, out, wasm+".br"); line[1] != strconv.Itoa(len(br)) {
			t.Errorf("the budget line says %s bytes, the .br has %d", line[1], len(br))
		}
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(weights) + `\s+5\.0 kB\s+–\s+–\s*$`).MatchString(summary) {
			t.Errorf("the summary does not show the weights without copies:\n%s", summary)
		}
		if !regexp.MustCompile(`first visit \(with the default network\)\s+\d`).MatchString(summary) {
			t.Errorf("no first-visit line:\n%s", summary)
		}
		if !strings.Contains(summary, "total (10 files)") {
			t.Errorf("no totals:\n%s", summary)
		}
	})
}

func TestBudgetFailsHonestly(t *testing.T) {
	src, _ := source(t)
	summary, err := runDist(t, "-src", src, "-out", filepath.Join(t.TempDir(), "d"), "-quality", "1", "-budget", "20")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`budget: wasm ≤ 20 B brotli: .* FAIL\n`).MatchString(summary) {
		t.Errorf("a wasm over the budget is not reported as FAIL:\n%s", summary)
	}
	summary, err = runDist(t, "-src", src, "-out", filepath.Join(t.TempDir(), "d"), "-compress=false")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary, "NOT MEASURED") {
		t.Errorf("without compression the budget must say it was not measured:\n%s", summary)
	}
}

// The version follows the content: the same site gives the same version, any change a new one.
func TestVersion(t *testing.T) {
	src, _ := source(t)
	version := func() string {
		out := filepath.Join(t.TempDir(), "d")
		if _, err := runDist(t, "-src", src, "-out", out, "-compress=false"); err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`const VERSION = '(\w+)';`).FindStringSubmatch(read(t, out, "sw.js"))[1]
	}
	a, b := version(), version()
	if a != b {
		t.Errorf("the same site gave versions %s and %s", a, b)
	}
	webtest.WriteFile(t, src, "style.css", []byte("body { margin: 1px; }"))
	if c := version(); c == a {
		t.Errorf("a changed style.css kept the version %s", a)
	}
}

// A second run replaces the first output, stale files included.
func TestRebuildReplaces(t *testing.T) {
	src, _ := source(t)
	out := filepath.Join(t.TempDir(), "d")
	if _, err := runDist(t, "-src", src, "-out", out, "-compress=false"); err != nil {
		t.Fatal(err)
	}
	webtest.WriteFile(t, out, "stale.js", []byte("old"))
	if _, err := runDist(t, "-src", src, "-out", out, "-compress=false"); err != nil {
		t.Fatal(err)
	}
	if exists(out, "stale.js") {
		t.Error("a file of the previous output survived")
	}
}

// TestFrameAncestors: -frame-ancestors puts the sites allowed to frame the page into _headers'
// CSP; a value that is not a list of sources is refused before anything is written.
func TestFrameAncestors(t *testing.T) {
	src, _ := source(t)
	out := filepath.Join(t.TempDir(), "dist")
	if summary, err := runDist(t, "-src", src, "-out", out, "-compress=false", "-frame-ancestors", "https://course.example.edu 'self'"); err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	want := "/*\n  Content-Security-Policy: " + web.CSP + "; frame-ancestors https://course.example.edu 'self'\n"
	if h := read(t, out, "_headers"); !strings.Contains(h, want) {
		t.Errorf("_headers lacks %q:\n%s", want, h)
	}
	bad := filepath.Join(t.TempDir(), "dist")
	_, err := runDist(t, "-src", src, "-out", bad, "-frame-ancestors", "https://a.example; script-src *")
	var u usageError
	if err == nil || !errors.As(err, &u) || !strings.Contains(err.Error(), "not a CSP source") {
		t.Errorf("a bad list: %v", err)
	}
	if exists(bad, "_headers") {
		t.Error("a folder was written with a bad list")
	}
}

func TestBadInput(t *testing.T) {
	src, _ := source(t)
	noSW := t.TempDir()
	webtest.WriteFile(t, noSW, "index.html", []byte("x"))
	webtest.WriteFile(t, noSW, "texsynth.wasm", []byte("x"))
	notDist := t.TempDir()
	webtest.WriteFile(t, notDist, "precious.txt", []byte("mine"))
	badSW := t.TempDir()
	for _, f := range required {
		webtest.WriteFile(t, badSW, f, []byte("no placeholders"))
	}
	for _, c := range []struct {
		args  []string
		want  string
		usage bool
	}{
		{[]string{"-src", filepath.Join(src, "nope"), "-out", t.TempDir()}, "make site", true},
		{[]string{"-src", noSW, "-out", filepath.Join(t.TempDir(), "d")}, "has no worker.js", true},
		{[]string{"-src", src, "-out", src}, "overlap", true},
		{[]string{"-src", src, "-out", filepath.Join(src, "dist")}, "overlap", true},
		{[]string{"-src", src, "-out", notDist}, "not an earlier output", true},
		{[]string{"-src", src, "-quality", "12"}, "0 to 11", true},
		{[]string{"-src", src, "extra"}, "unexpected arguments", true},
		{[]string{"-src", badSW, "-out", filepath.Join(t.TempDir(), "d")}, "expected the line", false},
	} {
		_, err := runDist(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one with %q", c.args, err, c.want)
			continue
		}
		var u usageError
		if errors.As(err, &u) != c.usage {
			t.Errorf("%v: usage error %v, want %v", c.args, errors.As(err, &u), c.usage)
		}
	}
	if read(t, notDist, "precious.txt") != "mine" {
		t.Error("a folder that was not an earlier output was touched")
	}
}
