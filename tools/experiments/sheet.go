package main

import (
	"fmt"
	"image"
	"image/color"
	"strings"

	"golang.org/x/image/draw"

	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/presets"
	"github.com/texsynth/texsynth/tools/internal/sheet"
)

// Sheet layout: tiles of the same width in rows of at most sheetCols, each an image scaled by
// nearest neighbour to tileImage px (an integer factor for the grid's own size) over lines of
// 7×13 px text.
const (
	sheetCols  = 6
	lineHeight = 13
	charWidth  = 7
	tileWidth  = 154 // 22 characters
	pad        = 6
	textLines  = 5
)

// tileSide is the displayed side of a size-px cell: the largest multiple of size up to 128 px
// (or size itself when that is larger).
func tileSide(size int) int { return size * max(1, 128/size) }

// contactSheet draws the exemplars and then every cell of a question, labelled with the cell's
// name and its colour, spectrum, border and seam numbers.
func contactSheet(q presets.Question, exs []*picture.RGB, exNames []string, results []*result) *image.NRGBA {
	side := tileSide(q.Cells[0].Settings.Size)
	for _, c := range q.Cells {
		side = max(side, min(c.Settings.Size, tileSide(c.Settings.Size)))
	}
	type tile struct {
		img   *picture.RGB
		lines []string
	}
	var tiles []tile
	for i, ex := range exs {
		tiles = append(tiles, tile{ex, []string{"exemplar", ascii(exNames[i])}})
	}
	for _, r := range results {
		lines := wrap(ascii(r.Label), tileWidth/charWidth, 2)
		if r.Err != "" {
			lines = append(lines, "FAILED: "+ascii(r.Err))
		} else {
			lines = append(lines,
				fmt.Sprintf("colour %.3f spec %.2f", r.Stats.Colour, r.Stats.Spectrum),
				fmt.Sprintf("border %.3f copy %.2f", r.Stats.Border, r.Stats.Copy),
				fmt.Sprintf("seam %.2f  %.0f s", r.Stats.Seam, r.Seconds))
		}
		tiles = append(tiles, tile{r.Image, lines})
	}
	cols := min(sheetCols, len(tiles))
	rows := (len(tiles) + cols - 1) / cols
	tw := max(tileWidth, side) + pad
	th := side + textLines*lineHeight + 2*pad
	header := 2*lineHeight + pad
	W, H := cols*tw+pad, header+rows*th
	sheet := image.NewNRGBA(image.Rect(0, 0, W, H))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	text(sheet, pad, lineHeight+2, ascii(q.Title))
	for i, t := range tiles {
		x0 := pad + (i%cols)*tw
		y0 := header + (i/cols)*th
		if t.img != nil {
			// Show every image at the grid's scale: outputs larger than the grid's size are shown
			// at the same pixel scale when they fit, else shrunk to the tile.
			s := side
			if t.img.W > side && t.img.W <= tw-pad {
				s = t.img.W
			}
			dst := image.Rect(x0, y0, x0+s, y0+s)
			draw.NearestNeighbor.Scale(sheet, dst, t.img.Image(), image.Rect(0, 0, t.img.W, t.img.H), draw.Src, nil)
		}
		for j, l := range t.lines {
			if j >= textLines {
				break
			}
			if n := (tw - pad) / charWidth; len(l) > n {
				l = l[:n]
			}
			text(sheet, x0, y0+side+(j+1)*lineHeight, l)
		}
	}
	return sheet
}

func text(img draw.Image, x, y int, s string) { sheet.Text(img, x, y, s) }

// wrap splits s into at most n lines of at most width characters, at spaces where it can.
func wrap(s string, width, n int) []string {
	var lines []string
	for len(s) > 0 && len(lines) < n {
		if len(s) <= width {
			lines = append(lines, s)
			break
		}
		cut := strings.LastIndex(s[:width+1], " ")
		if cut <= 0 || len(lines) == n-1 {
			cut = width
		}
		lines = append(lines, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	return lines
}

// ascii makes s drawable with basicfont (ASCII only).
func ascii(s string) string {
	r := strings.NewReplacer("·", "-", "…", "...", "—", "-", "–", "-", "↗", "up", "↘", "down", "×", "x", "ⁱ", "^i", "²", "^2")
	s = r.Replace(s)
	var b strings.Builder
	for _, c := range s {
		if c < 128 {
			b.WriteRune(c)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// writeSheet writes the sheet as a PNG.
func writeSheet(path string, img *image.NRGBA) error { return sheet.WritePNG(path, img) }
