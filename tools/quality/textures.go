package main

// A texture is one row of the comparison: a shared sample (../shared/textures/SOURCES.md).
type texture struct {
	Name string `json:"name"`
	File string `json:"file"`
	What string `json:"what"`
}

// textures are the rows, in order: regular to irregular, grey to colour. "water" is
// embark_1.jpg, the water caustics; "embark" is embark_4.png, Embark Studios' regular dots (its
// transparent background reads as white).
var textures = []texture{
	{"brick", "brick.png", "bricks, grey"},
	{"pebbles", "gatys_pebbles.jpg", "pebbles (Gatys et al.)"},
	{"peppers", "ulyanov_red-peppers256.jpg", "red peppers (Ulyanov et al.)"},
	{"water", "embark_1.jpg", "water caustics (Embark)"},
	{"heitz", "heitz_input.png", "interlocking pattern (Heitz et al.)"},
	{"embark", "embark_4.png", "regular dots (Embark)"},
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
