// Package presets holds the experiments that reproduce (and fix) the seed write-up's questions
// Q1–Q6, and the ones beyond it, as data: each question is a grid of cells, each cell a
// synth.Settings with a label, plus a title and a short explanation. tools/experiments runs the
// grids and measures them; the page offers one preset per question (Question.Preset) with its
// explanation beside it. `go run ./tools/experiments -presets-json FILE` writes them as JSON.
package presets

import (
	"fmt"
	"strings"

	"github.com/texsynth/texsynth/core/synth"
)

// Cell is one run of a question's grid.
type Cell struct {
	Label string `json:"label"`
	// Exemplar is "" for the user's picture (the experiments' -in), or the file name of one of
	// the shared samples (../shared/textures/) that the question needs, e.g. a non-texture image.
	Exemplar string         `json:"exemplar,omitempty"`
	Settings synth.Settings `json:"settings"`
}

// Question is one experiment: a grid of cells and what it shows.
type Question struct {
	ID          string `json:"id"`    // q1 … q7
	Slug        string `json:"slug"`  // file-name part: the sheet is ID-Slug.png
	Title       string `json:"title"` // one line
	Explanation string `json:"explanation"`
	Cells       []Cell `json:"cells"`
	// Preset is the index in Cells of the one setting the page offers for this question.
	Preset int `json:"preset"`
}

// Samples are the sample files the questions use besides the user's picture.
const (
	NonTexture = "coffee.png" // Q2: a photograph of objects, not a texture
	Regular    = "brick.png"  // Q7: a regular texture, for the spectrum term
)

// The layer lists.
var (
	// AllConvs are the 13 conv layers (the seed's GRAM_LAYERS).
	AllConvs = "all"
	// TenLayers are conv1_1 … conv4_3: Q3's conclusion (drop conv5) and the default.
	TenLayers = "conv1_1,conv1_2,conv2_1,conv2_2,conv3_1,conv3_2,conv3_3,conv4_1,conv4_2,conv4_3"
)

// blocks are the 13 convs by block, for Q3's drop-one-block grid.
var blocks = [][]string{
	{"conv1_1", "conv1_2"},
	{"conv2_1", "conv2_2"},
	{"conv3_1", "conv3_2", "conv3_3"},
	{"conv4_1", "conv4_2", "conv4_3"},
	{"conv5_1", "conv5_2", "conv5_3"},
}

// withoutBlock lists the 13 convs except block b (0-based).
func withoutBlock(b int) string {
	var ls []string
	for i, bl := range blocks {
		if i != b {
			ls = append(ls, bl...)
		}
	}
	return strings.Join(ls, ",")
}

// base is what every cell starts from: the defaults with the start image and without the
// half-scale term of the runs docs/experiments.md reports (coloured start noise, as the seed's),
// so that its figures stay those of the settings the cells name.
func base() synth.Settings {
	s := synth.Defaults()
	s.Start, s.HalfScaleWeight = synth.StartColour, 0
	return s
}

// seedGram is the seed's loss: Gram matrices G = FᵀF/(HWC), Σ(G−T)²/4 per layer, mean over layers.
func seedGram(size, iters int, layers, weights string) synth.Settings {
	s := base()
	s.Size, s.Iters, s.Levels = size, iters, 1 // the seed's experiments are single-scale
	s.Loss, s.GramNorm, s.Layers, s.LayerWeights = "gram", "seed", layers, weights
	return s
}

// All returns every question's grid at the given output size and iteration count.
func All(size, iters int) []Question {
	rel := func(layers, weights string) synth.Settings {
		s := seedGram(size, iters, layers, weights)
		s.GramNorm = "relative"
		return s
	}
	loss := func(kind string) synth.Settings {
		s := base()
		s.Size, s.Iters, s.Loss, s.Layers, s.Levels = size, iters, kind, TenLayers, 1
		return s
	}
	var qs []Question

	// Q1
	qs = append(qs, Question{
		ID: "q1", Slug: "gram-all-layers", Title: "Q1 - Gram loss over all 13 conv layers",
		Explanation: "Gatys et al.: match the Gram matrices (channel correlations) of every conv layer. " +
			"With the seed's normalisation (G = FᵀF/(HWC), Σ(G−T)²/4) the layers' losses differ by orders of " +
			"magnitude, so in practice a few layers dominate and it converges slowly; the relative normalisation ‖G−T‖²/‖T‖² " +
			"weighs every layer alike (it is the seed's loss with a constant weight per layer) and is what Q2–Q6 use.",
		Cells: []Cell{
			{Label: "gram seed-norm, 13 layers", Settings: seedGram(size, iters, AllConvs, "uniform")},
			{Label: "gram relative, 13 layers", Settings: rel(AllConvs, "uniform")},
		},
		Preset: 1,
	})

	// Q2
	qs = append(qs, Question{
		ID: "q2", Slug: "non-texture", Title: "Q2 - A non-texture image",
		Explanation: "A Gram (or any stationary) model keeps statistics, not layout: from a photograph of objects it " +
			"makes a texture of their parts — the colours and local shapes survive, the objects and their arrangement do not. " +
			"Linearly increasing layer weights (1, 2, …, 13) push toward larger parts but do not bring the layout back.",
		Cells: []Cell{
			{Label: "coffee: Q1 (uniform)", Exemplar: NonTexture, Settings: rel(AllConvs, "uniform")},
			{Label: "coffee: weights 1..13", Exemplar: NonTexture, Settings: rel(AllConvs, "linear:1")},
			{Label: "texture: weights 1..13", Settings: rel(AllConvs, "linear:1")},
		},
		Preset: 1,
	})

	// Q3
	q3 := Question{
		ID: "q3", Slug: "fewer-layers", Title: "Q3 - Fewer layers",
		Explanation: "Drop one conv block at a time, weight the layers up or down with depth, and try small sets: " +
			"conv1 carries the colours and fine grain and cannot go; the deepest block adds little at this size.",
		Preset: 5,
	}
	q3.Cells = append(q3.Cells, Cell{Label: "all 13", Settings: rel(AllConvs, "uniform")})
	for b := range blocks {
		q3.Cells = append(q3.Cells, Cell{Label: fmt.Sprintf("without conv%d", b+1), Settings: rel(withoutBlock(b), "uniform")})
	}
	q3.Cells = append(q3.Cells,
		Cell{Label: "weights up 10..50", Settings: rel(AllConvs, "10,10,20,20,30,30,30,40,40,40,50,50,50")},
		Cell{Label: "weights down 50..10", Settings: rel(AllConvs, "50,50,40,40,30,30,30,20,20,20,10,10,10")},
		Cell{Label: "convX_1 (5 layers)", Settings: rel("conv1_1,conv2_1,conv3_1,conv4_1,conv5_1", "uniform")},
		Cell{Label: "conv1_1+pool1..4", Settings: rel("conv1_1,pool1,pool2,pool3,pool4", "uniform")},
		Cell{Label: "conv1+conv2 only", Settings: rel("conv1_1,conv1_2,conv2_1,conv2_2", "uniform")},
	)
	qs = append(qs, q3)

	// Q4
	qs = append(qs, Question{
		ID: "q4", Slug: "emd", Title: "Q4 - EMD instead of Gram",
		Explanation: "The seed sorted each position's feature vector along the channel axis (tf.sort's default last axis), " +
			"which compares position by position instead of two distributions; the fix sorts each channel over the positions " +
			"(a true 1-D optimal transport per channel), and sliced Wasserstein does the same along random directions.",
		Cells: []Cell{
			{Label: "emd-seed (channels sorted)", Settings: loss("emd-seed")},
			{Label: "emd (positions sorted)", Settings: loss("emd")},
			{Label: "sliced Wasserstein", Settings: loss("sw")},
		},
		Preset: 1,
	})

	// Q5
	q5 := Question{
		ID: "q5", Slug: "weight-schedules", Title: "Q5 - Geometric and linear layer weights",
		Explanation: "On Q3's ten layers (conv5 dropped), layer i gets weight qⁱ (geometric) or 1+i·d (linear), " +
			"with the relative Gram loss. Larger q or d moves the weight to the deep layers: larger structures, " +
			"but the shallow layers that hold colour and grain are then barely optimised.",
		Preset: 1,
	}
	for _, q := range []string{"2", "2.5", "3", "3.5"} {
		q5.Cells = append(q5.Cells, Cell{Label: "geometric q=" + q, Settings: rel(TenLayers, "geometric:"+q)})
	}
	for _, d := range []int{1, 2, 4, 8, 16, 32, 64, 128} {
		q5.Cells = append(q5.Cells, Cell{Label: fmt.Sprintf("linear d=%d", d), Settings: rel(TenLayers, fmt.Sprintf("linear:%d", d))})
	}
	qs = append(qs, q5)

	// Q6
	q6 := Question{
		ID: "q6", Slug: "borders", Title: "Q6 - Colour distortion at the borders",
		Explanation: "With zero padding, a deep unit near the border sees black beyond the image; when the deep layers " +
			"weigh most (geometric q = 3.5) the optimiser repaints the border band to make those units' statistics " +
			"match, and the colours there go wrong. Reflect padding shows no black; circular padding has no border at all. " +
			"Sliced Wasserstein (normalised per layer), ten layers; the q = 3.5 cells get twice the iterations.",
		Preset: 5,
	}
	for _, pad := range []string{"zero", "reflect", "circular"} {
		for _, w := range []string{"uniform", "geometric:3.5"} {
			s := loss("sw")
			s.LayerWeights = w
			s.Pad = pad
			label := pad + ", uniform"
			if w != "uniform" {
				// The deep-layer-dominated loss is ill-conditioned and needs more iterations
				// before the border band drifts.
				s.Iters = 2 * iters
				label = fmt.Sprintf("%s, q=3.5, %d its", pad, s.Iters)
			}
			q6.Cells = append(q6.Cells, Cell{Label: label, Settings: s})
		}
	}
	qs = append(qs, q6)

	// Q7: beyond the seed.
	base := loss("sw")
	pyr := base
	pyr.Levels = levelsFor(size, 3)
	large := base
	large.Size, large.ExemplarSize = 2*size, size
	largePyr := large
	largePyr.Levels = levelsFor(2*size, 2)
	brick := base
	brickSpec := base
	brickSpec.SpectrumWeight = 1
	qs = append(qs, Question{
		ID: "q7", Slug: "beyond", Title: "Beyond the seed - coarse-to-fine, larger outputs, spectrum term",
		Explanation: "Coarse-to-fine starts at a quarter (at 48 px: half) of the size and upsamples, so the deep layers' large " +
			"structures settle cheaply first; a texture twice the exemplar's side works because the statistics are averages over positions (it has four times the pixels to settle); the " +
			"spectrum term (Liu et al. 2016) imposes the exemplar's Fourier modulus, meant to keep a regular texture's periods.",
		Cells: []Cell{
			{Label: "sw, single scale", Settings: base},
			{Label: fmt.Sprintf("sw, %d levels", max(pyr.Levels, 1)), Settings: pyr},
			{Label: fmt.Sprintf("%d px from %d px", 2*size, size), Settings: large},
			{Label: fmt.Sprintf("%d px, %d levels", 2*size, max(largePyr.Levels, 1)), Settings: largePyr},
			{Label: "brick, sw", Exemplar: Regular, Settings: brick},
			{Label: "brick, sw + spectrum", Exemplar: Regular, Settings: brickSpec},
		},
		Preset: 1,
	})
	return qs
}

// levelsFor is the number of pyramid levels, at most want, whose coarsest level is still at
// least synth.MinSize px.
func levelsFor(size, want int) int {
	l := 1
	for l < want && size>>l >= synth.MinSize {
		l++
	}
	return l
}

// IDs lists the question IDs in order.
func IDs() []string {
	var ids []string
	for _, q := range All(64, 1) {
		ids = append(ids, q.ID)
	}
	return ids
}
