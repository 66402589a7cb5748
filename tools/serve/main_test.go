package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/texsynth/texsynth/tools/internal/web"
	"github.com/texsynth/texsynth/tools/internal/webtest"
)

const (
	wasmName    = "texsynth.0123456789ab.wasm"
	weightsName = "weights/vgg16-random.89abcdef0123.q8"
)

// site writes a small deployment: a page, a script and a hashed wasm with .br and .gz copies
// (real ones), and a hashed weights file without copies, as tools/dist leaves noise.
func site(t *testing.T) (dir string, files map[string][]byte) {
	t.Helper()
	dir = t.TempDir()
	files = map[string][]byte{
		"index.html": []byte(strings.Repeat("<p>texsynth</p>\n", 200)),
		"app.js":     []byte(strings.Repeat("console.log('texsynth');\n", 200)),
		"style.css":  []byte("body { margin: 0; }"),
		wasmName:     append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte{1, 2, 3, 4}, 5000)...),
		weightsName:  webtest.Noise(3000, 1),
		"notes.xyz":  []byte("unknown type"),
	}
	for name, data := range files {
		webtest.WriteFile(t, dir, name, data)
	}
	for _, name := range []string{"index.html", "app.js", wasmName} {
		webtest.WriteFile(t, dir, name+".br", brotliBytes(t, files[name]))
		webtest.WriteFile(t, dir, name+".gz", gzipBytes(t, files[name]))
	}
	return dir, files
}

func brotliBytes(t *testing.T, data []byte) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, 5)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t *testing.T, data []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// get requests path from h with the given headers (pairs of name, value).
func get(t *testing.T, h http.Handler, method, path string, headers ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	var r io.Reader = resp.Body
	switch resp.Header.Get("Content-Encoding") {
	case "br":
		r = brotli.NewReader(resp.Body)
	case "gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func quiet() *log.Logger { return log.New(io.Discard, "", 0) }

func TestEncodingFollowsAcceptEncoding(t *testing.T) {
	dir, files := site(t)
	h := Handler(dir, quiet())
	for _, c := range []struct{ accept, want string }{
		{"gzip, deflate, br, zstd", "br"},
		{"br", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"br;q=0.5, gzip;q=1", "br"}, // both acceptable: ours is the smaller
		{"*", "br"},
		{"*, br;q=0", "gzip"}, // br refused by name, gzip through the *
		{"", ""},
		{"identity", ""},
		{"deflate", ""},
	} {
		for _, name := range []string{"index.html", "app.js", wasmName} {
			resp := get(t, h, "GET", "/"+name, "Accept-Encoding", c.accept)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: status %d", name, resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Encoding"); got != c.want {
				t.Errorf("Accept-Encoding %q, %s: Content-Encoding %q, want %q", c.accept, name, got, c.want)
			}
			if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("%s: Vary %q", name, got)
			}
			if got := resp.Header.Get("Content-Type"); got != web.TypeOf(name) {
				t.Errorf("%s: Content-Type %q, want the original's %q", name, got, web.TypeOf(name))
			}
			b := body(t, resp)
			if !bytes.Equal(b, files[name]) {
				t.Errorf("Accept-Encoding %q, %s: the body does not decode to the file", c.accept, name)
			}
			if resp.Header.Get("Content-Length") == "" {
				t.Errorf("%s (%q): no Content-Length", name, c.want)
			}
		}
	}
}

func TestTypes(t *testing.T) {
	dir, _ := site(t)
	h := Handler(dir, quiet())
	for path, want := range map[string]string{
		"/":               "text/html; charset=utf-8",
		"/index.html":     "text/html; charset=utf-8",
		"/app.js":         "text/javascript; charset=utf-8",
		"/" + wasmName:    "application/wasm",
		"/" + weightsName: "application/octet-stream",
		"/notes.xyz":      "application/octet-stream",
	} {
		resp := get(t, h, "GET", path)
		if got := resp.Header.Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type %q, want %q", path, got, want)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
	}
	// A file without copies is sent as it is, with no Vary.
	resp := get(t, h, "GET", "/"+weightsName, "Accept-Encoding", "br, gzip")
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" {
		t.Errorf("weights: Content-Encoding %q, Vary %q; want neither", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
}

func TestCacheControl(t *testing.T) {
	dir, _ := site(t)
	h := Handler(dir, quiet())
	for path, want := range map[string]string{
		"/":               "no-cache",
		"/index.html":     "no-cache",
		"/app.js":         "no-cache",
		"/" + wasmName:    "public, max-age=31536000, immutable",
		"/" + weightsName: "public, max-age=31536000, immutable",
	} {
		if got := get(t, h, "GET", path, "Accept-Encoding", "br").Header.Get("Cache-Control"); got != want {
			t.Errorf("%s: Cache-Control %q, want %q", path, got, want)
		}
	}
}

func TestETagAnd304(t *testing.T) {
	dir, _ := site(t)
	h := Handler(dir, quiet())
	tags := map[string]bool{}
	for _, accept := range []string{"br", "gzip", ""} {
		resp := get(t, h, "GET", "/"+wasmName, "Accept-Encoding", accept)
		tag := resp.Header.Get("ETag")
		if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(tag) {
			t.Fatalf("%q: ETag %q is not a strong tag from the content", accept, tag)
		}
		tags[tag] = true
		again := get(t, h, "GET", "/"+wasmName, "Accept-Encoding", accept, "If-None-Match", tag)
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("%q: If-None-Match with the ETag gave %d, want 304", accept, again.StatusCode)
		}
		if b := body(t, again); len(b) != 0 {
			t.Errorf("%q: a 304 with a %d-byte body", accept, len(b))
		}
		if other := get(t, h, "GET", "/"+wasmName, "Accept-Encoding", accept, "If-None-Match", `"0000"`); other.StatusCode != 200 {
			t.Errorf("%q: another ETag gave %d, want 200", accept, other.StatusCode)
		}
	}
	if len(tags) != 3 {
		t.Errorf("each encoding needs its own strong ETag: got %d distinct", len(tags))
	}
	// A changed file gets a new tag.
	first := get(t, h, "GET", "/app.js").Header.Get("ETag")
	webtest.WriteFile(t, dir, "app.js", []byte("console.log('changed, and longer than before');"))
	if second := get(t, h, "GET", "/app.js").Header.Get("ETag"); second == first {
		t.Error("the ETag did not change with the file")
	}
}

func TestRange(t *testing.T) {
	dir, files := site(t)
	h := Handler(dir, quiet())
	resp := get(t, h, "GET", "/"+weightsName, "Range", "bytes=100-199")
	if resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", resp.StatusCode)
	}
	if got := resp.Header.Get("Content-Range"); got != "bytes 100-199/3000" {
		t.Errorf("Content-Range %q", got)
	}
	if b := body(t, resp); !bytes.Equal(b, files[weightsName][100:200]) {
		t.Error("the range's bytes are not the file's")
	}
	// On a file with compressed copies, a range is of the original bytes.
	resp = get(t, h, "GET", "/"+wasmName, "Range", "bytes=0-7", "Accept-Encoding", "br, gzip")
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("status %d, encoding %q; want 206 identity", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	if b := body(t, resp); string(b) != "\x00asm\x01\x00\x00\x00" {
		t.Errorf("range body %q", b)
	}
}

func TestCSPMatchesThePage(t *testing.T) {
	page, err := os.ReadFile("../../site/index.html")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindSubmatch(page)
	if m == nil {
		t.Fatal("site/index.html has no CSP <meta>")
	}
	if string(m[1]) != web.CSP {
		t.Errorf("the page's CSP\n  %s\ndiffers from the served one\n  %s", m[1], web.CSP)
	}
	dir, _ := site(t)
	for _, path := range []string{"/", "/app.js", "/missing"} {
		if got := get(t, Handler(dir, quiet()), "GET", path).Header.Get("Content-Security-Policy"); got != web.CSP {
			t.Errorf("%s: CSP header %q", path, got)
		}
	}
	if strings.Contains(web.CSP, "frame-ancestors") {
		t.Error("frame-ancestors would stop course sites from embedding the page")
	}
}

// TestIsolation: every response carries the headers that make the page cross-origin isolated
// (its worker pool needs them), the pages CORP cross-origin so that an isolated course page may
// frame them; -isolate=false (the handler's false) sends none of them.
func TestIsolation(t *testing.T) {
	dir, _ := site(t)
	for _, isolate := range []bool{true, false} {
		h := handler(dir, quiet(), web.CSP, isolate)
		for _, path := range []string{"/", "/index.html", "/app.js", "/missing"} {
			got := get(t, h, "GET", path).Header
			coop, coep, corp := got.Get("Cross-Origin-Opener-Policy"), got.Get("Cross-Origin-Embedder-Policy"), got.Get("Cross-Origin-Resource-Policy")
			wantCORP := ""
			if isolate && (path == "/" || path == "/index.html") {
				wantCORP = "cross-origin"
			}
			if !isolate && (coop != "" || coep != "") || isolate && (coop != "same-origin" || coep != "require-corp") || corp != wantCORP {
				t.Errorf("isolate=%v %s: COOP %q, COEP %q, CORP %q", isolate, path, coop, coep, corp)
			}
		}
	}
}

func TestRefusals(t *testing.T) {
	dir, _ := site(t)
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := Handler(dir, quiet())
	for path, want := range map[string]int{
		"/missing.js":           404,
		"/weights/":             404, // a folder without index.html: no listing
		"/empty":                404,
		"/../../../etc/passwd":  404,
		"/%2e%2e/%2e%2e/passwd": 404,
	} {
		if got := get(t, h, "GET", path).StatusCode; got != want {
			t.Errorf("GET %s: %d, want %d", path, got, want)
		}
	}
	if resp := get(t, h, "POST", "/"); resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	head := get(t, h, "HEAD", "/"+wasmName, "Accept-Encoding", "br")
	raw, _ := io.ReadAll(head.Body)
	if head.StatusCode != 200 || len(raw) != 0 || head.Header.Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, length %q", head.StatusCode, head.Header.Get("Content-Length"))
	}
}

func TestLogLine(t *testing.T) {
	dir, _ := site(t)
	var buf bytes.Buffer
	h := Handler(dir, log.New(&buf, "", 0))
	get(t, h, "GET", "/app.js", "Accept-Encoding", "br")
	get(t, h, "GET", "/missing")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per request, got %q", buf.String())
	}
	if !regexp.MustCompile(`^GET /app\.js 200 \d+B br \d+m?s$`).MatchString(lines[0]) {
		t.Errorf("log line %q", lines[0])
	}
	if !regexp.MustCompile(`^GET /missing 404 \d+B identity \d+m?s$`).MatchString(lines[1]) {
		t.Errorf("log line %q", lines[1])
	}
}

// The development build (make site) has plain names and no copies: served as it is, revalidated.
func TestServesTheDevelopmentBuild(t *testing.T) {
	dir := t.TempDir()
	webtest.WriteFile(t, dir, "index.html", []byte("<!doctype html>"))
	webtest.WriteFile(t, dir, "texsynth.wasm", []byte("\x00asm\x01\x00\x00\x00"))
	h := Handler(dir, quiet())
	resp := get(t, h, "GET", "/texsynth.wasm", "Accept-Encoding", "br, gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/wasm" ||
		resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("dev wasm: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestBadDirectory(t *testing.T) {
	empty := t.TempDir()
	for _, args := range [][]string{
		{"-dir", empty, "-addr", "127.0.0.1:0"},
		{"-dir", filepath.Join(empty, "nope"), "-addr", "127.0.0.1:0"},
	} {
		var stderr bytes.Buffer
		err := run(args, &stderr)
		if err == nil || !strings.Contains(err.Error(), "make dist") {
			t.Errorf("%v: error %v, want one that says how to build the page", args, err)
		}
	}
	var stderr bytes.Buffer
	if err := run([]string{"-nope"}, &stderr); err == nil {
		t.Error("an unknown flag was accepted")
	}
}

func TestAddress(t *testing.T) {
	for _, c := range []struct{ flag, port, want string }{
		{"", "", ":8080"},
		{"", "9000", ":9000"},
		{"127.0.0.1:7000", "9000", "127.0.0.1:7000"},
	} {
		if got := address(c.flag, c.port); got != c.want {
			t.Errorf("address(%q, PORT=%q) = %q, want %q", c.flag, c.port, got, c.want)
		}
	}
}

// The development build over a real connection, as the page tests use it.
func TestHandler(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html": "<!doctype html>", "app.js": "export {}", "texsynth.wasm": "\x00asm",
		"style.css": "body{}",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	srv := httptest.NewServer(Handler(dir, log.New(&logs, "", 0)))
	defer srv.Close()
	for _, c := range []struct {
		path, ctype string
		status      int
	}{
		{"/", "text/html; charset=utf-8", 200},
		{"/app.js", "text/javascript; charset=utf-8", 200},
		{"/texsynth.wasm", "application/wasm", 200},
		{"/style.css", "text/css; charset=utf-8", 200},
		{"/missing.js", "", 404},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.path, resp.StatusCode, c.status)
		}
		if c.ctype != "" && resp.Header.Get("Content-Type") != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.path, resp.Header.Get("Content-Type"), c.ctype)
		}
	}
	if n := strings.Count(logs.String(), "\n"); n != 5 {
		t.Errorf("%d log lines for 5 requests:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "GET /missing.js 404") {
		t.Errorf("log lacks the 404 line:\n%s", logs.String())
	}
}

func TestRunNeedsIndex(t *testing.T) {
	var stderr bytes.Buffer
	err := run([]string{"-dir", t.TempDir(), "-addr", "127.0.0.1:0"}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "index.html") {
		t.Fatalf("err = %v, want one about index.html", err)
	}
}
