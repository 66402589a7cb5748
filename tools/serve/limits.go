package main

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// limits bound what one client can hold of the server: a host's defaults, as nginx's
// client_header_timeout, send_timeout, keepalive_timeout and worker_connections do.
type limits struct {
	readHeader time.Duration // to read a request's line and headers
	read       time.Duration // to read a whole request
	// write is a progress deadline, not a total: a response fails when the client has not
	// taken any of it for this long, so a slow download goes on and a stalled one is dropped.
	write    time.Duration
	idle     time.Duration // a keep-alive connection between requests
	maxConns int           // open connections (connLimiter)
}

// maxHeaderBytes bounds a request's headers: a browser's are a few kilobytes. A Range header of
// 240,000 ranges is 960 KB.
const maxHeaderBytes = 64 << 10

// defaultLimits are the limits with the connection cap the file-descriptor limit allows.
func defaultLimits() limits {
	return limits{
		readHeader: 10 * time.Second,
		read:       30 * time.Second,
		write:      30 * time.Second,
		idle:       60 * time.Second,
		maxConns:   connsFor(fileLimit()),
	}
}

// connsFor is the connection cap for a limit of n open files: each connection is a descriptor,
// and a request opens up to three files (the original, a compressed copy and the file hashed
// for its ETag); 32 are kept for the process itself. At most 1024.
func connsFor(n int) int {
	return max(4, min(1024, (n-32)/4))
}

// serveOn serves h on ln within the limits, until ln is closed.
func serveOn(ln net.Listener, h http.Handler, lim limits) error {
	cl := newConnLimiter(ln, lim.maxConns)
	srv := &http.Server{
		Handler:           writeProgress(h, lim.write),
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         cl.connState,
	}
	err := srv.Serve(cl)
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// writeProgress gives each write of a response d to complete: a client that stops reading is
// dropped after d, one that reads slowly is not.
func writeProgress(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.SetWriteDeadline(time.Now().Add(d)) // for a response written without a body
		h.ServeHTTP(&progressWriter{ResponseWriter: w, rc: rc, d: d}, r)
	})
}

type progressWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
	d  time.Duration
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.rc.SetWriteDeadline(time.Now().Add(p.d))
	return p.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (p *progressWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
