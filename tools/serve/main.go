// Command serve serves a directory of static files over HTTP as a static host would serve the
// page: build/dist for `make serve`, build/site (the development build) for the page's tests.
//
//   - MIME types the page needs (application/wasm for instantiateStreaming, text/javascript for
//     modules), whatever the system's table says;
//   - the precompressed copy tools/dist wrote (name.br, name.gz) when the browser accepts it,
//     brotli before gzip, with Vary: Accept-Encoding and the original's Content-Type;
//   - Cache-Control: files with a content hash in their name are kept for a year (immutable),
//     everything else is revalidated, so a new deployment is seen at once;
//   - strong ETags from the content, answered with 304; byte ranges (for the weights), at most
//     16 and none overlapping;
//   - the page's Content-Security-Policy (tools/internal/web), and one log line per request;
//   - no dot-files and no host configuration (_headers, _redirects);
//   - limits a client cannot starve it through (limits.go, conns.go): timeouts for reading a
//     request, for a response the client does not read and for idle connections, and a cap on
//     open connections that closes the longest-idle one to make room.
//
// Usage:
//
//	go run ./tools/serve [-addr :8080] [-dir build/dist] [-max-conns N] [-write-timeout 30s] [-idle-timeout 60s] [-frame-ancestors SITES]
//
// PORT in the environment sets the port when -addr is not given.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"

	"github.com/texsynth/texsynth/tools/internal/web"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(2)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "listen address (default :$PORT, or :8080)")
	dir := fs.String("dir", "build/dist", "directory to serve (build/dist from make dist, or build/site)")
	lim := defaultLimits()
	fs.IntVar(&lim.maxConns, "max-conns", lim.maxConns, "open connections at most (default from the file-descriptor limit); beyond it the longest-idle one is closed")
	fs.DurationVar(&lim.write, "write-timeout", lim.write, "drop a response the client has taken nothing of for this long")
	fs.DurationVar(&lim.idle, "idle-timeout", lim.idle, "close a keep-alive connection idle for this long")
	ancestors := fs.String("frame-ancestors", "", "the sites that may frame the page, as CSP sources (as tools/dist's flag); empty: any")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (the folder is -dir)", fs.Args())
	}
	if lim.maxConns < 1 || lim.write <= 0 || lim.idle <= 0 {
		return fmt.Errorf("-max-conns %d, -write-timeout %v, -idle-timeout %v: each must be above 0", lim.maxConns, lim.write, lim.idle)
	}
	csp, err := web.WithFrameAncestors(*ancestors)
	if err != nil {
		return err
	}
	*addr = address(*addr, os.Getenv("PORT"))
	if err := checkDir(*dir); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger := log.New(stderr, "", log.LstdFlags)
	logger.Printf("serving %s on http://%s (at most %d connections)", *dir, displayAddr(ln.Addr()), lim.maxConns)
	return serveOn(ln, handler(*dir, logger, csp), lim)
}

// address is the listen address: -addr if given, else :$PORT, else :8080.
func address(flag, port string) string {
	switch {
	case flag != "":
		return flag
	case port != "":
		return ":" + port
	}
	return ":8080"
}

// checkDir refuses a folder that is not a built page, with what would make one.
func checkDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("%s is not a folder: build the page first (make dist, or make site)", dir)
	}
	if st, err := os.Stat(filepath.Join(dir, "index.html")); err != nil || st.IsDir() {
		return fmt.Errorf("%s has no index.html: build the page first (make dist, or make site)", dir)
	}
	return nil
}

// displayAddr is an address a browser can open: localhost for an unspecified host.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
