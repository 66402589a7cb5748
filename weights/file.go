package weights

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"
)

// A File is the content of a .q8 file: layers in file order, the
// preprocessing they expect, and a note saying where they came from.
type File struct {
	Layers     []Layer
	Pre        Preprocess
	Provenance string // free text, e.g. the source checkpoint's name
}

// Layer returns the layer called name.
func (f *File) Layer(name string) (*Layer, bool) {
	for i := range f.Layers {
		if f.Layers[i].Name == name {
			return &f.Layers[i], true
		}
	}
	return nil, false
}

// Checksum returns the hex SHA-256 of f's payload: the value Encode records
// in the header. For a File from Decode it is the recorded value, which
// Decode has verified. It covers the layers' numbers only, so it identifies
// the weights whatever the provenance text says.
func (f *File) Checksum() string {
	h := sha256.New()
	writePayload(h, f.Layers) // a hash.Hash never fails to write
	return hex.EncodeToString(h.Sum(nil))
}

// check reports why f cannot be stored, or nil.
func (f *File) check() error {
	if err := f.Pre.check(); err != nil {
		return err
	}
	if !utf8.ValidString(f.Provenance) {
		return bad("provenance is not UTF-8")
	}
	seen := make(map[string]bool, len(f.Layers))
	for i := range f.Layers {
		l := &f.Layers[i]
		if err := l.check(); err != nil {
			return err
		}
		if seen[l.Name] {
			return bad("two layers named %q", l.Name)
		}
		seen[l.Name] = true
	}
	return nil
}
