package synth

import (
	"strings"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// Plan is what a run with given settings will do, known before it starts: the layers and the
// weights the loss gives them, the levels with their sides, iterations and work, and the memory
// the run needs. A page shows it beside the settings and estimates time from it.
type Plan struct {
	Layers       []string
	LayerWeights []float64
	Levels       []Level // coarsest first; one for a single-scale run
	Memory       int64   // bytes: Memory's estimate
}

// Level is one scale of a run.
type Level struct {
	Size  int   // the side of the image at this level
	Iters int   // iterations at this level
	MACs  int64 // multiply-adds of one evaluation's convolutions (forward and the image gradient)
}

// Plan checks the settings (as Check) and says what a run with them will do. exemplarSide is the
// larger side of the exemplar as given, which matters only when ExemplarSize is -1 (as it is).
func (s Settings) Plan(exemplarSide int) (Plan, error) {
	s.Levels = s.levels()
	p, err := s.parse()
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Layers: p.taps, LayerWeights: p.weights, Memory: Memory(s, exemplarSide)}
	if s.Levels <= 1 {
		plan.Levels = []Level{{Size: s.Size, Iters: s.Iters, MACs: macs(s.Size, p.taps)}}
		return plan, nil
	}
	sizes, ends := levels(s.Size, s.Levels, s.Iters)
	begin := 0
	for l, size := range sizes {
		plan.Levels = append(plan.Levels, Level{Size: size, Iters: ends[l] - begin, MACs: macs(size, p.taps)})
		begin = ends[l]
	}
	return plan, nil
}

// macs counts the multiply-adds of one evaluation's 3×3 convolutions at side size up to the
// deepest conv taps need: each conv once forward and once for the image gradient (no kernel
// gradients are needed).
func macs(size int, taps []string) int64 {
	var n int64
	for _, c := range convsTo(vgg.DeepestConv(taps)) {
		side := int64(size >> c.block)
		n += 2 * 9 * int64(c.In) * int64(c.Out) * side * side
	}
	return n
}

// conv is a conv layer of VGG-16 with the number of pools before it.
type conv struct {
	weights.LayerSpec
	block int
}

// convsTo lists VGG-16's convs up to and including deepest.
func convsTo(deepest string) []conv {
	var list []conv
	for _, l := range weights.VGG16 {
		list = append(list, conv{l, int(l.Name[4] - '1')})
		if l.Name == deepest {
			break
		}
	}
	return list
}

// The memory a run takes in the browser's engine (the Go program in WebAssembly), fitted to the
// WebAssembly memory measured after a few iterations (Node 20, Go 1.26, single-threaded, the fast
// conv path) at 32–512 px with one, three and ten layers, within 4 %: a base, 38 bytes per
// weight (the kernels as float32 and Winograd-transformed, packed for the products), and 9.5
// times the bytes of the feature maps up to the deepest tap (kept for the backward pass, their
// gradients, the Winograd tiles, the loss's sorted projections, and the garbage collector's
// headroom). Measured: 10 layers 358 / 489 / 992 / 2967 MiB at 64 / 128 / 256 / 512 px.
const (
	memBase       = 29 << 20
	memPerWeight  = 38
	memPerFeature = 9.5
)

// Memory estimates the bytes a run with settings s takes in the browser's engine; exemplarSide is
// the exemplar's larger side as given (it matters when ExemplarSize is -1). A WebAssembly memory
// never shrinks, so the estimate is for the largest level and for an engine that ran nothing
// larger before.
func Memory(s Settings, exemplarSide int) int64 {
	taps, err := vgg.ParseTaps(s.Layers)
	if err != nil {
		taps = vgg.DefaultTaps
	}
	side := s.Size
	switch {
	case s.ExemplarSize > 0:
		side = max(side, s.ExemplarSize)
	case s.ExemplarSize < 0:
		side = max(side, min(exemplarSide, picture.MaxSide))
	}
	var params int64
	for _, c := range convsTo(vgg.DeepestConv(taps)) {
		params += int64(9*c.In*c.Out + c.Out)
	}
	return memBase + memPerWeight*params + int64(memPerFeature*float64(featureBytes(side, taps)))
}

// featureBytes is the size of every stage's float32 output up to the deepest tap at side size.
func featureBytes(size int, taps []string) int64 {
	deepest := 0
	for i, name := range vgg.Taps() {
		for _, t := range taps {
			if name == t {
				deepest = i
			}
		}
	}
	var n int64
	side, channels := int64(size), int64(3)
	convs := weights.VGG16
	for _, name := range vgg.Taps()[:deepest+1] {
		if strings.HasPrefix(name, "pool") {
			side /= 2
		} else {
			channels, convs = int64(convs[0].Out), convs[1:]
		}
		n += 4 * side * side * channels
	}
	return n
}

// PrepareExemplar returns the exemplar as a run with these settings sees it at its last level:
// centre-cropped to a square and scaled to ExemplarSize (the output size when 0), or as it is
// (-1); the seed's EMD always compares at the output size.
func (s Settings) PrepareExemplar(ex *picture.RGB) *picture.RGB {
	out := prepareExemplar(ex, s)
	if k, err := loss.ParseKind(s.Loss); err == nil && k == loss.KindEMDSeed && (out.W != s.Size || out.H != s.Size) {
		out = picture.Resize(picture.CenterCrop(out, min(out.W, out.H), min(out.W, out.H)), s.Size, s.Size)
	}
	return out
}
