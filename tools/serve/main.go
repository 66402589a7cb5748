// Command serve serves a directory of static files over HTTP: the built page (build/site) for
// `make serve`. It sets the MIME types the page needs (application/wasm for instantiateStreaming,
// text/javascript for modules), asks browsers to revalidate so a rebuild is seen at once, and
// logs one line per request.
//
//	go run ./tools/serve [-addr :8080] [-dir build/site]
//
// PORT in the environment sets the port when -addr is not given.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(2)
	}
}

// types are registered explicitly: the system's MIME table may lack them or disagree.
var types = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".q8":   "application/octet-stream",
}

func init() {
	for ext, t := range types {
		if err := mime.AddExtensionType(ext, t); err != nil {
			panic(err)
		}
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "", "listen address (default :$PORT, or :8080)")
	dir := fs.String("dir", "build/site", "directory to serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *addr == "" {
		port := os.Getenv("PORT")
		if port == "" {
			port = "8080"
		}
		*addr = ":" + port
	}
	if st, err := os.Stat(filepath.Join(*dir, "index.html")); err != nil || st.IsDir() {
		return fmt.Errorf("%s has no index.html: build the page first (make site)", *dir)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger := log.New(stderr, "", log.LstdFlags)
	logger.Printf("serving %s on http://%s", *dir, displayAddr(ln.Addr()))
	srv := &http.Server{Handler: Handler(*dir, logger), ReadHeaderTimeout: 10 * time.Second}
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
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

// Handler serves dir's files with the types above, no caching without revalidation, and one
// log line per request: method, path, status, bytes, duration.
func Handler(dir string, logger *log.Logger) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		rec.Header().Set("Cache-Control", "no-cache")
		rec.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(rec, r)
		logger.Printf("%s %s %d %dB %s", r.Method, r.URL.RequestURI(), rec.status, rec.bytes, time.Since(start).Round(time.Millisecond))
	})
}

// recorder remembers the status and size of a response for the log line.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}
