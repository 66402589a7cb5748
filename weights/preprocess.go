package weights

import "math"

// Preprocess says how an image with pixels in [0,1] becomes the network's
// input: each channel, taken in Order, becomes (x*Scale - Mean[c]) / Std[c].
type Preprocess struct {
	Order string     // channel order the network expects: "rgb" or "bgr"
	Scale float32    // a pixel in [0,1] is multiplied by this first: 1, or 255 for Caffe-style networks
	Mean  [3]float32 // per channel, in Order, subtracted after Scale
	Std   [3]float32 // per channel, in Order, divided by last
}

// ImageNet is the preprocessing of torchvision's ImageNet models, and of the
// untrained network Random builds.
var ImageNet = Preprocess{
	Order: "rgb",
	Scale: 1,
	Mean:  [3]float32{0.485, 0.456, 0.406},
	Std:   [3]float32{0.229, 0.224, 0.225},
}

// check reports why p cannot be stored, or nil.
func (p *Preprocess) check() error {
	if p.Order != "rgb" && p.Order != "bgr" {
		return bad("preprocess order %q, want \"rgb\" or \"bgr\"", p.Order)
	}
	if !finite(p.Scale) || p.Scale <= 0 {
		return bad("preprocess scale %v, want a finite number > 0", p.Scale)
	}
	for c := range 3 {
		if !finite(p.Mean[c]) {
			return bad("preprocess mean[%d] = %v, want a finite number", c, p.Mean[c])
		}
		if !finite(p.Std[c]) || p.Std[c] <= 0 {
			return bad("preprocess std[%d] = %v, want a finite number > 0", c, p.Std[c])
		}
	}
	return nil
}

func finite(x float32) bool {
	return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0)
}
