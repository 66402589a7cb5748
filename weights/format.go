package weights

import (
	"fmt"

	"github.com/texsynth/texsynth/core/input"
)

// ErrFormat is wrapped by every error about the content of a weight file, so
// that callers can tell a bad file (errors.Is(err, ErrFormat)) from a failure
// to read or write one. It is of the input kind: errors.Is(err, input.Err)
// holds too.
var ErrFormat = input.New("weights: bad file")

// Version is the format version this package reads and writes.
const Version = 1

// magic opens every .q8 file. Like PNG's signature, its high-bit first byte
// catches 7-bit transfers, "\r\n" and "\n" catch newline translation, and
// "\x1a" stops a DOS type.
const magic = "\x89TQ8\r\n\x1a\n"

const (
	prefixLen    = len(magic) + 4 + 4 // magic, version, header length
	minHeaderLen = 2                  // "{}"
	maxHeaderLen = 1 << 20            // far above any real header; bounds the JSON decoder's work
)

// header is the JSON between the fixed prefix and the payload.
type header struct {
	Layers     []headerLayer `json:"layers"`
	Preprocess headerPre     `json:"preprocess"`
	Provenance string        `json:"provenance"`
	SHA256     string        `json:"sha256"`
}

type headerLayer struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"` // out, in, kh, kw
	Bits  int    `json:"bits"`
}

// headerPre holds Preprocess with slices rather than arrays: encoding/json
// silently pads or truncates arrays, and a mean of two numbers is damage.
type headerPre struct {
	Order string    `json:"order"`
	Scale float32   `json:"scale"`
	Mean  []float32 `json:"mean"`
	Std   []float32 `json:"std"`
}

// bad returns an error about a file's content, wrapping ErrFormat; its
// message reads "weights: bad file: " followed by the formatted detail.
func bad(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}
