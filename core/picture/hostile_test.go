package picture

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"testing"
)

// TestDecodeRefusesCostlyPictures: files that are small but declare pictures whose decoding
// would take gigabytes are refused from their header, allocating almost nothing. The first is
// the issue's: a 11584×11584 16-bit RGBA PNG (1 MB when its pixels are there) decoded to 1.07 GB
// in 9 s natively and in over a minute in wasm.
func TestDecodeRefusesCostlyPictures(t *testing.T) {
	someRows := make([]byte, 64<<10)
	cases := map[string]struct {
		data []byte
		want []string
	}{
		"16-bit RGBA PNG": {pngOf(11584, 11584, 16, 6, 0, someRows), []string{"11584×11584", "16-bit PNG", "1.0 GB of memory", "256 MB", "about 5400×5400"}},
		"RGBA PNG":        {pngOf(8200, 8200, 8, 6, 0, someRows), []string{"8200×8200", "258 MB of memory"}},
		"gray PNG":        {pngOf(9000, 9000, 8, 0, 0, someRows), []string{"9000×9000", "megapixels"}},
		"GIF":             {gifScreen(9000, 9000), []string{"9000×9000", "megapixels"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var err error
			got := allocated(func() { _, _, err = Decode(c.data, 0) })
			wantInputError(t, err, c.want...)
			if got > 1<<20 {
				t.Errorf("Decode allocated %d bytes to refuse a %d-byte file", got, len(c.data))
			}
		})
	}
}

// gifScreen is the start of a GIF declaring a w×h screen, enough for its header to be read.
func gifScreen(w, h int) []byte {
	return []byte{'G', 'I', 'F', '8', '9', 'a', byte(w), byte(w >> 8), byte(h), byte(h >> 8), 0x80, 0, 0, 0, 0, 0, 255, 255, 255}
}

// TestDecodeGIFFirstFrameOnly: of an animated GIF only the first frame is decoded, so the
// memory does not grow with the number of frames (the 742 KB GIF of 64 frames of
// 4096×4096 took 1.1 GB); the frames are still counted for the notice.
func TestDecodeGIFFirstFrameOnly(t *testing.T) {
	const side = 320
	pal := color.Palette{color.Black, color.White}
	frame := image.NewPaletted(image.Rect(0, 0, side, side), pal)
	var two bytes.Buffer
	if err := gif.EncodeAll(&two, &gif.GIF{Image: []*image.Paletted{frame, frame}, Delay: []int{1, 1}}); err != nil {
		t.Fatal(err)
	}
	decode := func(data []byte) ([]Notice, int64) {
		var notices []Notice
		var err error
		got := allocated(func() { _, notices, err = Decode(data, 0) })
		if err != nil {
			t.Fatal(err)
		}
		return notices, got
	}
	data := manyFrames(t, two.Bytes(), 64)
	notices, got := decode(data)
	if !hasNotice(notices, "animated GIF with 64 frames: using the first frame") {
		t.Errorf("notices %q lack the animation notice", notices)
	}
	_, base := decode(two.Bytes())
	t.Logf("64 frames of %d×%d in %d bytes: Decode allocated %.1f MB, for 2 frames %.1f MB", side, side, len(data), float64(got)/1e6, float64(base)/1e6)
	if got > base+base/10 {
		t.Errorf("Decode allocated %d bytes for 64 frames and %d for 2: the cost grows with the frames", got, base)
	}
}

// manyFrames splices a two-frame GIF into one of n frames by repeating its second frame's
// blocks (graphic control extension and image).
func manyFrames(t *testing.T, two []byte, n int) []byte {
	t.Helper()
	// The blocks start after the header, the screen descriptor and the global colour table,
	// then come the NETSCAPE loop extension gif.EncodeAll writes, and each frame's GCE at 0x21 0xf9.
	starts := []int{}
	for i := 0; i+1 < len(two); i++ {
		if two[i] == 0x21 && two[i+1] == 0xf9 && i+3 < len(two) && two[i+2] == 4 {
			starts = append(starts, i)
		}
	}
	if len(starts) != 2 || two[len(two)-1] != 0x3b {
		t.Fatalf("unexpected GIF layout: frames at %v", starts)
	}
	second := two[starts[1] : len(two)-1]
	out := append([]byte(nil), two[:len(two)-1]...)
	for range n - 2 {
		out = append(out, second...)
	}
	out = append(out, 0x3b)
	if g, err := gif.DecodeAll(bytesReader(out)); err != nil || len(g.Image) != n {
		t.Fatalf("the spliced GIF does not decode to %d frames: %v", n, err)
	}
	return out
}
