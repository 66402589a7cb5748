package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// etags remembers the strong ETag of each file served: the SHA-256 of the bytes sent (so each
// encoding has its own, as a strong ETag must), computed once per version of the file on disk
// (its size and modification time) rather than on every request.
type etags struct {
	mu   sync.Mutex
	seen map[string]etag
}

type etag struct {
	size     int64
	modified time.Time
	tag      string
}

func newETags() *etags { return &etags{seen: map[string]etag{}} }

func (e *etags) of(root http.Dir, name, encoding string, size int64, modified time.Time) (string, error) {
	file := name
	switch encoding {
	case "br":
		file += ".br"
	case "gzip":
		file += ".gz"
	}
	e.mu.Lock()
	known, ok := e.seen[file]
	e.mu.Unlock()
	if ok && known.size == size && known.modified.Equal(modified) {
		return known.tag, nil
	}
	f, _, err := open(root, file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	tag := fmt.Sprintf(`"%s"`, hex.EncodeToString(h.Sum(nil))[:32])
	e.mu.Lock()
	e.seen[file] = etag{size: size, modified: modified, tag: tag}
	e.mu.Unlock()
	return tag, nil
}
