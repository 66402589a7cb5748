package main

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// A connLimiter caps the open connections of a listener. When a new connection finds the cap
// reached, the connection that has waited longest without a request under way (a keep-alive
// connection between requests, or one that has sent nothing yet) is closed to make room; when
// every connection is busy, the new one waits until one closes, which the timeouts guarantee.
// So idle connections, however many a client opens, cannot lock other clients out, as they did
// when 191 of them used up a limit of 200 file descriptors.
type connLimiter struct {
	net.Listener
	slots chan struct{} // one per open connection

	mu      sync.Mutex
	waiting map[*limitedConn]time.Time // connections with no request under way, since when
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: ln, slots: make(chan struct{}, max), waiting: map[*limitedConn]time.Time{}}
}

// Accept takes the next connection and returns it once it has a slot.
func (l *connLimiter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		select {
		case l.slots <- struct{}{}:
			lc := &limitedConn{Conn: c, l: l}
			l.setWaiting(lc, true)
			return lc, nil
		default:
		}
		if !l.closeOldestWaiting() {
			l.slots <- struct{}{} // every connection is busy: wait for one to close
			<-l.slots
		}
	}
}

// closeOldestWaiting closes the connection that has waited longest without a request, if any.
func (l *connLimiter) closeOldestWaiting() bool {
	l.mu.Lock()
	var oldest *limitedConn
	var since time.Time
	for c, t := range l.waiting {
		if oldest == nil || t.Before(since) {
			oldest, since = c, t
		}
	}
	delete(l.waiting, oldest)
	l.mu.Unlock()
	if oldest == nil {
		return false
	}
	oldest.Close()
	return true
}

func (l *connLimiter) setWaiting(c *limitedConn, waiting bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if waiting {
		l.waiting[c] = time.Now()
	} else {
		delete(l.waiting, c)
	}
}

// connState is the server's ConnState hook: it keeps the limiter's view of which connections
// wait for a request.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	switch s {
	case http.StateNew, http.StateIdle:
		l.setWaiting(lc, true)
	case http.StateActive:
		l.setWaiting(lc, false)
	case http.StateHijacked, http.StateClosed:
		lc.release()
	}
}

// A limitedConn gives its slot back when it closes.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
}

func (c *limitedConn) Close() error {
	c.release()
	return c.Conn.Close()
}

func (c *limitedConn) release() {
	c.once.Do(func() {
		c.l.setWaiting(c, false)
		<-c.l.slots
	})
}
