package main

import (
	"fmt"
	"image"
	"image/color"

	"golang.org/x/image/draw"

	"github.com/texsynth/texsynth/core/metrics"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/synth"
	"github.com/texsynth/texsynth/tools/internal/sheet"
)

// Sheet layout: one row per texture, columns exemplar | old default | new default | new
// default tiled 2×2, each in a square of display px: a 128 px run at 2× (its tiled copy at 1×),
// a 256 px run at 1× (its tiled copy at ½×).
const (
	display    = 256 // displayed side of one image
	pad        = 8
	lineHeight = sheet.LineHeight
	charWidth  = sheet.CharWidth
	textLines  = 3
)

func (q *quality) sheet(size int, lookup func(int, string, int) *result) *image.NRGBA {
	scale := max(1, display/size)
	side := size * scale
	colX := []int{pad, pad + (side + pad), pad + 2*(side+pad), pad + 3*(side+pad)}
	W := colX[3] + side + pad
	header := 5 * lineHeight
	rowH := side + textLines*lineHeight + 2*pad
	H := header + len(q.textures)*rowH
	img := image.NewNRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	old, neu := q.configs[0], q.configs[1]
	maxChars := (W - 2*pad) / charWidth
	sheet.Text(img, pad, lineHeight, fit(fmt.Sprintf("texsynth quality at %d px (%d iterations old, %d new): core/metrics distances to the exemplar, lower is closer", size, old.Settings.Iters, neu.Settings.Iters), maxChars))
	sheet.Text(img, pad, 2*lineHeight, fit("old default: "+old.Changes+"; "+old.Weights, maxChars))
	sheet.Text(img, pad, 3*lineHeight, fit("new default: "+neu.Changes+"; "+neu.Weights, maxChars))
	for i, h := range []string{"exemplar", "old default", "new default", "new default, tiled 2x2"} {
		sheet.Text(img, colX[i], header-3, h)
	}
	for r, t := range q.textures {
		y0 := header + r*rowH
		ex := synth.Exemplar(q.exemplar[t.Name], withSize(old.Settings, size))
		put(img, colX[0], y0, side, ex)
		lines := [][]string{{t.Name + " (" + t.File + ")", fmt.Sprintf("%dx%d px, seam %.2f", ex.W, ex.H, metrics.SeamRatio(ex))}}
		for c := range q.configs {
			res := lookup(size, t.Name, c)
			put(img, colX[1+c], y0, side, res.Image)
			lines = append(lines, resultLines(res))
		}
		if res := lookup(size, t.Name, 1); res.Image != nil {
			put(img, colX[3], y0, side, tile2(res.Image))
			lines = append(lines, []string{fmt.Sprintf("seam %.2f (1 = invisible)", res.Stats.Seam)})
		}
		for i, ls := range lines {
			for k, l := range ls {
				sheet.Text(img, colX[i], y0+side+(k+1)*lineHeight, fit(l, (side+pad)/charWidth))
			}
		}
	}
	return img
}

func resultLines(r *result) []string {
	if r.Err != "" {
		return []string{"FAILED:", r.Err}
	}
	return []string{
		fmt.Sprintf("colour %.4f spectrum %.3f", r.Stats.Colour, r.Stats.Spectrum),
		fmt.Sprintf("orientation %.3f / %.3f", r.Stats.OrientFine, r.Stats.OrientCoarse),
		fmt.Sprintf("%d evals, %.0f s", r.Evals, r.Seconds),
	}
}

// put draws m scaled by nearest neighbour into the side×side square at (x, y), or a grey
// square when there is no image.
func put(dst *image.NRGBA, x, y, side int, m *picture.RGB) {
	if m == nil {
		draw.Draw(dst, image.Rect(x, y, x+side, y+side), image.NewUniform(color.Gray{0xcc}), image.Point{}, draw.Src)
		return
	}
	r := image.Rect(x, y, x+side, y+side*m.H/m.W)
	var scaler draw.Scaler = draw.NearestNeighbor // enlarged: every pixel shown as a block
	if m.W > side {
		scaler = draw.ApproxBiLinear // shrunk: average rather than drop pixels
	}
	scaler.Scale(dst, r, m.Image(), image.Rect(0, 0, m.W, m.H), draw.Src, nil)
}

func withSize(s synth.Settings, size int) synth.Settings {
	s.Size = size
	return s
}

// tile2 is m repeated 2×2: where the copies meet, a texture that does not tile shows a seam.
func tile2(m *picture.RGB) *picture.RGB {
	out := &picture.RGB{W: 2 * m.W, H: 2 * m.H, Pix: make([]float32, 12*m.W*m.H)}
	for y := range out.H {
		for x := range out.W {
			copy(out.Pix[3*(y*out.W+x):][:3], m.Pix[3*((y%m.H)*m.W+x%m.W):])
		}
	}
	return out
}

// fit makes s drawable with basicfont (ASCII) and at most n characters long.
func fit(s string, n int) string {
	b := make([]byte, 0, len(s))
	for _, c := range s {
		switch {
		case c < 128:
			b = append(b, byte(c))
		case c == '…':
			b = append(b, "..."...)
		case c == '×':
			b = append(b, 'x')
		default:
			b = append(b, '?')
		}
	}
	if len(b) > n {
		b = append(b[:max(0, n-3)], "..."...)
	}
	return string(b)
}
