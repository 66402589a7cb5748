package main

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/tools/internal/webtest"
)

func TestJudgeRanges(t *testing.T) {
	many := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, strconv.Itoa(10*i)+"-"+strconv.Itoa(10*i+1))
		}
		return "bytes=" + strings.Join(parts, ",")
	}
	for header, want := range map[string]rangeVerdict{
		"bytes=0-99":            rangeServe,
		"bytes=0-9,20-29":       rangeServe,
		"bytes=-100,0-99":       rangeServe, // the last 100 of 3000 and the first 100
		"bytes=0-9,5-14":        rangeRefuse,
		"bytes=0-0,0-0":         rangeRefuse,
		"bytes=100-,2000-2100":  rangeRefuse, // open to the end, so they overlap
		"bytes=-1000,2500-2600": rangeRefuse,
		"bytes=5000-6000,0-1":   rangeServe, // the first is past the end: ServeContent drops it
		many(maxRanges):         rangeServe,
		many(maxRanges + 1):     rangeIgnore,
		"bytes=x-1,2-3":         rangeServe, // malformed: ServeContent answers 416
		"items=0-1,0-1":         rangeServe,
	} {
		if got := judgeRanges(header, 3000); got != want {
			t.Errorf("%s: %v, want %v", header, got, want)
		}
	}
}

// TestRangeAmplification: overlapping ranges are refused with 416, more than maxRanges get the
// whole file once (200), and a few distinct ones are still answered as multipart.
func TestRangeAmplification(t *testing.T) {
	dir, files := site(t)
	h := Handler(dir, quiet())
	resp := get(t, h, "GET", "/"+weightsName, "Range", "bytes="+strings.TrimSuffix(strings.Repeat("0-0,", 240000), ","))
	if b := body(t, resp); resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || len(b) > 1<<10 || resp.Header.Get("Content-Range") != "bytes */3000" {
		t.Errorf("240,000 copies of 0-0: status %d, %d bytes, Content-Range %q; want a short 416", resp.StatusCode, len(b), resp.Header.Get("Content-Range"))
	}
	var distinct []string
	for i := range 1000 {
		distinct = append(distinct, strconv.Itoa(i)+"-"+strconv.Itoa(i))
	}
	resp = get(t, h, "GET", "/"+weightsName, "Range", "bytes="+strings.Join(distinct, ","))
	if b := body(t, resp); resp.StatusCode != http.StatusOK || !bytes.Equal(b, files[weightsName]) {
		t.Errorf("1000 distinct ranges: status %d, %d bytes; want the whole file, 200", resp.StatusCode, len(b))
	}
	resp = get(t, h, "GET", "/"+weightsName, "Range", "bytes=0-9,100-109")
	if b := body(t, resp); resp.StatusCode != http.StatusPartialContent || !strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges") ||
		!bytes.Contains(b, files[weightsName][100:110]) {
		t.Errorf("two ranges: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestHostFilesNotServed: the host's configuration (_headers, _redirects) and dot-files
// (.assetsignore, anything in a dot-folder) are not served, as Cloudflare, Netlify and the
// documented nginx configuration do not.
func TestHostFilesNotServed(t *testing.T) {
	dir, _ := site(t)
	for _, name := range []string{"_headers", "_redirects", ".assetsignore", ".git/config", "weights/.hidden.q8"} {
		webtest.WriteFile(t, dir, name, []byte("host configuration"))
	}
	h := Handler(dir, quiet())
	for _, path := range []string{"/_headers", "/_redirects", "/.assetsignore", "/.git/config", "/weights/.hidden.q8", "/weights/../_headers"} {
		if resp := get(t, h, "GET", path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp := get(t, h, "GET", "/app.js"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /app.js: %d", resp.StatusCode)
	}
}
