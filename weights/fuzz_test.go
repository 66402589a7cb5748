package weights

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode never panics, that every error it returns
// wraps ErrFormat, and that what it accepts survives a round trip.
func FuzzDecode(f *testing.F) {
	h, p := oneLayer(2, 3)
	f.Add(raw(f, h, p))
	data := encode(f, tiny(f))
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Add(encode(f, mixed(f)))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %q does not wrap ErrFormat", err)
			}
			return
		}
		again, err := Decode(encode(t, file))
		if err != nil {
			t.Fatalf("re-encoded file refused: %v", err)
		}
		if !reflect.DeepEqual(file, again) {
			t.Fatal("round trip changed the File")
		}
	})
}
