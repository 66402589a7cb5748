package main

import "github.com/texsynth/texsynth/core/picture"

// A texture is one row of the comparison: a shared sample (../shared/textures/SOURCES.md).
type texture struct {
	Name string `json:"name"`
	File string `json:"file"`
	What string `json:"what"`
	// CutBottom is the share of the picture's height left off its bottom before the run's centre
	// crop: the pebbles carry a "Source: Simoncelli" label in their bottom-left corner, which a
	// synthesis would otherwise copy as if it were texture.
	CutBottom float64 `json:"cut_bottom,omitempty"`
}

// exemplar returns the picture as the rows use it: m without the bottom CutBottom of its height.
func (t texture) exemplar(m *picture.RGB) *picture.RGB {
	cut := int(t.CutBottom*float64(m.H) + 0.5)
	if cut == 0 {
		return m
	}
	return &picture.RGB{W: m.W, H: m.H - cut, Pix: m.Pix[:3*m.W*(m.H-cut)]}
}

// textures are the rows, in order: regular to irregular, grey to colour. "water" is
// embark_1.jpg, the water caustics; "embark" is embark_4.png, Embark Studios' regular dots (its
// transparent background reads as white).
var textures = []texture{
	{"brick", "brick.png", "bricks, grey", 0},
	{"pebbles", "gatys_pebbles.jpg", "pebbles (Gatys et al.), without the label along the bottom", 16.0 / 256},
	{"peppers", "ulyanov_red-peppers256.jpg", "red peppers (Ulyanov et al.)", 0},
	{"water", "embark_1.jpg", "water caustics (Embark)", 0},
	{"heitz", "heitz_input.png", "interlocking pattern (Heitz et al.)", 0},
	{"embark", "embark_4.png", "regular dots (Embark)", 0},
}

func textureNames() []string {
	names := make([]string, len(textures))
	for i, t := range textures {
		names[i] = t.Name
	}
	return names
}

func textureByName(name string) (texture, bool) {
	for _, t := range textures {
		if t.Name == name {
			return t, true
		}
	}
	return texture{}, false
}
