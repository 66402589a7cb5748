//go:build unix

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The load tests run the server as a child process (this test binary again, running
// TestServeChild), so that its file-descriptor limit can be lowered and its connections are
// its own, and talk to it on 127.0.0.1 with a bounded number of connections.

// TestServeChild is the server of the load tests; it does nothing in a plain run.
func TestServeChild(t *testing.T) {
	dir := os.Getenv("SERVE_CHILD_DIR")
	if dir == "" {
		t.Skip("the server process of the load tests")
	}
	if n, err := strconv.ParseUint(os.Getenv("SERVE_CHILD_NOFILE"), 10, 64); err == nil {
		var r syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
		r.Cur = n
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
			t.Fatal(err)
		}
	}
	args := append([]string{"-dir", dir, "-addr", "127.0.0.1:0"}, strings.Fields(os.Getenv("SERVE_CHILD_ARGS"))...)
	if err := run(args, os.Stderr); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer collects the child's log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls the log for a line matching re, for up to d.
func (s *syncBuffer) waitFor(re *regexp.Regexp, d time.Duration) []string {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(s.String()); m != nil {
			return m
		}
	}
	return nil
}

// startServer runs the server on dir in a child process with at most nofile open files (0:
// as it is) and the extra flags, and returns its address and log.
func startServer(t *testing.T, dir string, nofile int, args ...string) (string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChild$")
	cmd.Env = append(os.Environ(), "SERVE_CHILD_DIR="+dir, "SERVE_CHILD_ARGS="+strings.Join(args, " "))
	if nofile > 0 {
		cmd.Env = append(cmd.Env, "SERVE_CHILD_NOFILE="+strconv.Itoa(nofile))
	}
	logs := &syncBuffer{}
	cmd.Stderr, cmd.Stdout = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	m := logs.waitFor(regexp.MustCompile(`on http://(\S+)`), 20*time.Second)
	if m == nil {
		t.Fatalf("the server did not start:\n%s", logs)
	}
	return strings.Replace(m[1], "localhost", "127.0.0.1", 1), logs
}

// loadSite is a page and a large file (sparse: it takes no disk).
func loadSite(t *testing.T, big int64) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><p>texsynth"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(big); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestIdleConnectionsCannotLockOut: with a limit of 200 open files, a client holding 250
// keep-alive connections idle once locked every other client out; the server now closes the
// longest-idle one to make room, and a new client is served.
func TestIdleConnectionsCannotLockOut(t *testing.T) {
	addr, logs := startServer(t, loadSite(t, 1), 200)
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	served := 0
	for range 250 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			break
		}
		held = append(held, c)
		c.SetDeadline(time.Now().Add(2 * time.Second))
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: test\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			break // not served: the server is out of file descriptors
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		served++
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("after %d idle connections, a new client was not served: %v\nserver log (end):\n%s", served, err, tail(logs.String()))
	}
	resp.Body.Close()
	if served < 250 {
		t.Errorf("only %d of 250 connections were served", served)
	}
}

// TestStalledDownloadIsDropped: a client that requests a large file and reads none of it is
// dropped after the write timeout (here 500 ms) instead of holding the connection for ever,
// while a client that reads slowly gets the whole file.
func TestStalledDownloadIsDropped(t *testing.T) {
	const size = 64 << 20
	addr, logs := startServer(t, loadSite(t, size), 0, "-write-timeout", "500ms")
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { // a small window: the server cannot park the file in it
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n")
	m := logs.waitFor(regexp.MustCompile(`GET /big.bin 200 (\d+)B`), 10*time.Second)
	if m == nil {
		t.Fatalf("the server still holds a download nobody reads:\n%s", tail(logs.String()))
	}
	if n, _ := strconv.Atoi(m[1]); n >= size {
		t.Errorf("the stalled download was sent whole (%s bytes)", m[1])
	}

	// 4 MB read in 64 kB steps with pauses: over a second in all, each step well within 500 ms.
	resp, err := http.Get("http://" + addr + "/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, buf := 0, make([]byte, 64<<10)
	for got < 4<<20 {
		n, err := io.ReadFull(resp.Body, buf)
		got += n
		if err != nil {
			t.Fatalf("a slow reader was cut off after %d bytes: %v", got, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHugeRangeHeaderRefused: the 240,000 one-byte ranges (a 960 KB header) get a
// short refusal over the wire, not a 34.5 MB multipart answer.
func TestHugeRangeHeaderRefused(t *testing.T) {
	dir := loadSite(t, 1_700_000)
	addr, _ := startServer(t, dir, 0)
	req, _ := http.NewRequest("GET", "http://"+addr+"/big.bin", nil)
	req.Header.Set("Range", "bytes="+strings.TrimSuffix(strings.Repeat("0-0,", 240000), ","))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || n > 1<<10 {
		t.Errorf("status %d, %d bytes; want a short 431", resp.StatusCode, n)
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}
