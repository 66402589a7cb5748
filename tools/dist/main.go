// Command dist turns the built page (build/site) into a folder ready for any static host
// (build/dist): the large assets get their content hash in their names so they can be cached for
// a year, the files that name them are rewritten, the service worker learns the version and the
// list of files to keep offline, and every compressible file gets precompressed .br and .gz copies
// for servers that send them as they are (tools/serve, nginx's brotli_static/gzip_static). It
// prints each file's raw, gzip and brotli sizes and checks the download budget of the wasm.
//
//	go run ./tools/dist [-src build/site] [-out build/dist] [-compress=true] [-quality 11] [-frame-ancestors SITES]
//
// docs/deploy.md describes the result and how to host it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/texsynth/texsynth/tools/internal/web"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake of the caller (a flag, a missing or wrong folder): exit code 2.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// options are the command's flags.
type options struct {
	src, out string
	compress bool
	quality  int    // brotli quality, 0–11
	budget   int64  // the wasm's brotli size must not exceed this many bytes
	csp      string // the Content-Security-Policy _headers sends (web.WithFrameAncestors)
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.src, "src", "build/site", "the built page (make site)")
	fs.StringVar(&o.out, "out", "build/dist", "the folder to write (replaced as a whole)")
	fs.BoolVar(&o.compress, "compress", true, "write .br and .gz copies (false: faster, for tests)")
	fs.IntVar(&o.quality, "quality", 11, "brotli quality, 0-11")
	fs.Int64Var(&o.budget, "budget", 2_000_000, "the most bytes texsynth.wasm may take brotli-compressed")
	ancestors := fs.String("frame-ancestors", "", "the sites that may frame the page and embed.html, as CSP sources (\"https://course.example.edu 'self'\"); empty: any")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q (the folders are -src and -out)", fs.Args())
	}
	var err error
	if o.csp, err = web.WithFrameAncestors(*ancestors); err != nil {
		return usageError{err}
	}
	if o.quality < 0 || o.quality > 11 {
		return usagef("-quality %d: brotli quality is 0 to 11", o.quality)
	}
	start := time.Now()
	d, err := build(o)
	if err != nil {
		return err
	}
	summarize(stdout, d, o.budget)
	fmt.Fprintf(stdout, "wrote %s (version %s) in %s\n", o.out, d.version, time.Since(start).Round(100*time.Millisecond))
	return nil
}
