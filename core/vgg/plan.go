package vgg

import (
	"fmt"

	"github.com/texsynth/texsynth/weights"
)

// Plan is what an engine runs, checked once for every engine: the stages up to the deepest tap,
// which of them are taps, each conv stage's layer from the weights file, the padding, and the
// preprocessing as one scale and offset per channel.
type Plan struct {
	Arch   *Arch
	Taps   []string         // canonical names, network order
	Stages []Stage          // Arch's stages up to the deepest tap
	IsTap  []bool           // per stage
	Layers []*weights.Layer // per stage: the conv's layer, nil for a pool
	Pad    Pad
	// The network's input channel c is img[…, Source[c]]·Scale[c] − Offset[c]: the weights'
	// preprocessing (channel order, scale, mean, std) folded into one multiply-add.
	Source        [3]int
	Scale, Offset [3]float64
}

// NewPlan checks the taps against the weights' architecture (ArchOf) and the weights against
// the taps: every conv layer up to the deepest tap must be there, with a 3×3 kernel. An empty
// pad is PadZero.
func NewPlan(w *weights.File, taps []string, pad Pad) (*Plan, error) {
	if len(taps) == 0 {
		return nil, fmt.Errorf("%w: no layers selected", ErrTap)
	}
	pad, err := ParsePad(string(pad))
	if err != nil {
		return nil, err
	}
	a := ArchOf(w)
	p := &Plan{Arch: a, Pad: pad}
	isTap, err := a.mark(taps)
	if err != nil {
		return nil, err
	}
	depth := 0 // stages up to the deepest tap
	for i, t := range isTap {
		if t {
			depth = i + 1
		}
	}
	p.Stages, p.IsTap = a.stages[:depth], isTap[:depth]
	for i, s := range p.Stages {
		if p.IsTap[i] {
			p.Taps = append(p.Taps, s.Name)
		}
		if s.Pool {
			p.Layers = append(p.Layers, nil)
			continue
		}
		l, ok := w.Layer(s.Name)
		if !ok {
			return nil, fmt.Errorf("%w: the weights (%s) have no %s, which the selected layers need; use shallower layers or a file converted with a deeper -upto",
				ErrTap, w.Provenance, s.Name)
		}
		if l.KH != 3 || l.KW != 3 {
			return nil, fmt.Errorf("%w: %s has a %dx%d kernel, %s needs 3x3", weights.ErrFormat, s.Name, l.KH, l.KW, a.Name)
		}
		p.Layers = append(p.Layers, l)
	}
	pre := w.Pre
	for c := range 3 {
		p.Source[c] = c
		if pre.Order == "bgr" {
			p.Source[c] = 2 - c
		}
		p.Scale[c] = float64(pre.Scale) / float64(pre.Std[c])
		p.Offset[c] = float64(pre.Mean[c]) / float64(pre.Std[c])
	}
	return p, nil
}

// CheckImage reports an image whose length does not match h×w×3.
func CheckImage[T any](img []T, h, w int) error {
	if h < 1 || w < 1 || len(img) != h*w*3 {
		return fmt.Errorf("vgg: image of %d values is not %dx%dx3", len(img), h, w)
	}
	return nil
}
