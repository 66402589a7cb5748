package main

import (
	"errors"
	"io/fs"
	"log"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/texsynth/texsynth/tools/internal/web"
)

// Handler serves dir's files: each GET or HEAD is answered with the best encoding the client
// accepts among the copies on disk, the type of the original, its caching policy, its ETag and
// the CSP; anything else is 405. It logs one line per request.
func Handler(dir string, logger *log.Logger) http.Handler {
	return handler(dir, logger, web.CSP)
}

// handler is Handler with the CSP to send (serve's -frame-ancestors).
func handler(dir string, logger *log.Logger, csp string) http.Handler {
	root := http.Dir(dir)
	etags := newETags()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h := rec.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", csp)
		serve(rec, r, root, etags)
		logger.Printf("%s %s %d %dB %s %s", r.Method, r.URL.RequestURI(), rec.status, rec.bytes,
			encodingName(h.Get("Content-Encoding")), time.Since(start).Round(time.Millisecond))
	})
}

func serve(w http.ResponseWriter, r *http.Request, root http.Dir, etags *etags) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := path.Clean("/" + r.URL.Path)
	if strings.HasSuffix(r.URL.Path, "/") {
		name = path.Join(name, "index.html")
	}
	if hidden(name) {
		notFound(w, fs.ErrNotExist)
		return
	}
	original, info, err := open(root, name)
	if err != nil {
		notFound(w, err)
		return
	}
	defer original.Close()
	if ranges := r.Header.Get("Range"); ranges != "" {
		switch judgeRanges(ranges, info.Size()) {
		case rangeIgnore:
			r.Header.Del("Range")
		case rangeRefuse:
			refuseRanges(w, info.Size())
			return
		}
	}

	// The precompressed copies, best first; a range request gets the original, whose byte
	// offsets are the ones the client means.
	file, size, modified, encoding := original, info.Size(), info.ModTime(), ""
	variants := variantsOf(root, name)
	if len(variants) > 0 {
		w.Header().Set("Vary", "Accept-Encoding")
	}
	if r.Header.Get("Range") == "" {
		for _, v := range variants {
			if !accepts(r.Header.Get("Accept-Encoding"), v.encoding) {
				continue
			}
			f, vi, err := open(root, name+v.suffix)
			if err != nil {
				continue
			}
			defer f.Close()
			file, size, modified, encoding = f, vi.Size(), vi.ModTime(), v.encoding
			break
		}
	}
	h := w.Header()
	if t := web.TypeOf(name); t != "" {
		h.Set("Content-Type", t)
	} else {
		h.Set("Content-Type", "application/octet-stream")
	}
	if encoding != "" {
		// ServeContent leaves the length out when there is an encoding; it is known here, and
		// lets the page show download progress.
		h.Set("Content-Encoding", encoding)
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	h.Set("Cache-Control", web.CacheControl(name))
	tag, err := etags.of(root, name, encoding, size, modified)
	if err != nil {
		http.Error(w, "cannot read "+name, http.StatusInternalServerError)
		return
	}
	h.Set("ETag", tag)
	// ServeContent answers If-None-Match (304), If-Modified-Since, Range (206) and HEAD.
	http.ServeContent(w, r, name, modified, file)
}

// hostConfig are files a static host reads and does not serve: Cloudflare's and Netlify's
// headers and redirects. Dot-files (.assetsignore, .git…) are not served either.
var hostConfig = map[string]bool{"_headers": true, "_redirects": true}

// hidden reports whether a cleaned path names a dot-file or one in a dot-folder, or host config.
func hidden(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return hostConfig[path.Base(name)]
}

// open opens a regular file of root; a folder is not served (no listings).
func open(root http.Dir, name string) (http.File, fs.FileInfo, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fs.ErrNotExist
	}
	return f, info, nil
}

func notFound(w http.ResponseWriter, err error) {
	if errors.Is(err, fs.ErrPermission) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	http.Error(w, "not found", http.StatusNotFound)
}
