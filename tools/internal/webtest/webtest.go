// Package webtest holds helpers for the tests of tools/serve and tools/dist: writing the files
// of a small site and making incompressible content. Only tests import it.
package webtest

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes data to the slash-separated name under dir, making the folders it needs.
func WriteFile(t testing.TB, dir, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Noise returns n bytes from a xorshift generator started at seed (not 0): content that does
// not compress.
func Noise(n int, seed uint32) []byte {
	b := make([]byte, n)
	x := seed
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}
