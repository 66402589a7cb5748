package picture

import (
	"bytes"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// noiseRGB makes a w×h image of random values, the hardest case for a round trip.
func noiseRGB(w, h int, seed uint64) *RGB {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := &RGB{W: w, H: h, Pix: make([]float32, 3*w*h)}
	for i := range m.Pix {
		m.Pix[i] = rng.Float32()
	}
	return m
}

func TestEncodePNGRoundTrip(t *testing.T) {
	m := noiseRGB(24, 17, 3)
	var buf bytes.Buffer
	if err := EncodePNG(&buf, m); err != nil {
		t.Fatal(err)
	}
	back, notices := mustDecode(t, buf.Bytes(), 0)
	if back.W != m.W || back.H != m.H || len(notices) != 0 {
		t.Fatalf("got %d×%d, notices %q; want 24×17 and none", back.W, back.H, notices)
	}
	for i := range m.Pix {
		if d := back.Pix[i] - m.Pix[i]; d > 0.5/255+1e-6 || d < -0.5/255-1e-6 {
			t.Fatalf("value %d: wrote %g, read %g", i, m.Pix[i], back.Pix[i])
		}
	}
}

// entries lists the names in dir, to check that nothing was left behind.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}

func TestWritePNG(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.png")
	first, second := noiseRGB(16, 16, 1), noiseRGB(20, 18, 2)
	for _, m := range []*RGB{first, second} { // the second replaces the first
		if err := WritePNG(path, m); err != nil {
			t.Fatal(err)
		}
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "out.png" {
		t.Errorf("directory holds %q, want only out.png", names)
	}
	back, _, err := Load(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if back.W != 20 || back.H != 18 {
		t.Errorf("read back %d×%d, want the second image's 20×18", back.W, back.H)
	}
	var want bytes.Buffer
	if err := png.Encode(&want, second.Image()); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want.Bytes()) {
		t.Error("the file differs from EncodePNG's output")
	}
}

func TestWritePNGFailuresLeaveNothing(t *testing.T) {
	dir := t.TempDir()
	m := noiseRGB(16, 16, 1)

	err := WritePNG(filepath.Join(dir, "missing", "out.png"), m)
	wantOutputError(t, err, "missing", "does not exist")
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("left %q behind", names)
	}

	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	wantOutputError(t, WritePNG(sub, m), "sub", "is a directory")
	if names := entries(t, dir); len(names) != 1 || names[0] != "sub" {
		t.Errorf("directory holds %q, want only sub", names)
	}
	if names := entries(t, sub); len(names) != 0 {
		t.Errorf("sub holds %q, want nothing", names)
	}

	// A failure while encoding (png refuses an empty image) must remove the temporary file and
	// leave the existing file as it was.
	old := filepath.Join(sub, "old.png")
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WritePNG(old, &RGB{}); err == nil {
		t.Error("no error writing an empty image")
	}
	if names := entries(t, sub); len(names) != 1 || names[0] != "old.png" {
		t.Errorf("sub holds %q, want only old.png", names)
	}
	if data, _ := os.ReadFile(old); string(data) != "old" {
		t.Errorf("old.png now holds %q", data)
	}
}

func TestWritePNGFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target.png"), filepath.Join(dir, "link.png")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if err := WritePNG(link, noiseRGB(16, 16, 1)); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", st, err)
	}
	st, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("target's mode is %v, want its old 0600 kept", st.Mode().Perm())
	}
	if _, _, err := Load(target, 0); err != nil {
		t.Errorf("the target was not replaced by the PNG: %v", err)
	}
}
