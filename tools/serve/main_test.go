package main

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
