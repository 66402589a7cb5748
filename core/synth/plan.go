package synth

import (
	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/vgg"
)

// Plan is what a run with given settings will do, known before it starts: the layers and the
// weights the loss gives them, the levels with their sides, iterations and work, and the memory
// the run needs. A page shows it beside the settings and estimates time from it.
type Plan struct {
	Layers       []string
	LayerWeights []float64
	Levels       []Level // coarsest first; one for a single-scale run
	Memory       int64   // bytes the run takes in the browser's engine (memory)
}

// Level is one scale of a run.
type Level struct {
	Size  int   // the side of the image at this level
	Iters int   // iterations at this level
	MACs  int64 // multiply-adds of one evaluation's convolutions (forward and the image gradient; with the half-scale term its network's too)
}

// Plan checks the settings for a run on the network arch (as Check) and says what the run will
// do: its levels are the ones New runs (planLevels), its work and memory follow arch's stages.
// exemplarSide is the larger side of the exemplar as given, which matters only when
// ExemplarSize is -1 (as it is).
func (s Settings) Plan(arch *vgg.Arch, exemplarSide int) (Plan, error) {
	p, err := s.parse(arch)
	if err != nil {
		return Plan{}, err
	}
	plan := Plan{Layers: p.taps, LayerWeights: p.weights, Memory: memory(arch, p.taps, p.conv, s, exemplarSide)}
	begin := 0
	for _, l := range planLevels(s.Size, s.levelsFor(p.levels, seenSide(s, exemplarSide)), s.Iters, s.FineShare) {
		work := macs(arch, p.taps, l.size)
		if s.halfScaleAt(l.size) {
			work += macs(arch, p.taps, l.size/2)
		}
		plan.Levels = append(plan.Levels, Level{Size: l.size, Iters: l.end - begin, MACs: work})
		begin = l.end
	}
	return plan, nil
}

// seenSide is the larger side of the exemplar as a run sees it (Exemplar), for an exemplar of
// larger side exemplarSide as given (0: unknown, taken as Size).
func seenSide(s Settings, exemplarSide int) int {
	k, err := loss.ParseKind(s.Loss)
	switch {
	case s.ExemplarSize == 0 || (err == nil && k == loss.KindEMDSeed) || (s.ExemplarSize < 0 && exemplarSide <= 0):
		return s.Size
	case s.ExemplarSize < 0:
		return min(exemplarSide, picture.MaxSide)
	}
	return s.ExemplarSize
}

// A stage of the network as a run at some size meets it: its output's side and channels, and
// for a conv its input channels.
type sizedStage struct {
	vgg.Stage
	side, in, out int
}

// stagesTo lists arch's stages up to the deepest of taps for an input of side size.
func stagesTo(arch *vgg.Arch, taps []string, size int) []sizedStage {
	deepest := 0
	for _, t := range taps {
		if i, err := arch.Index(t); err == nil {
			deepest = max(deepest, i)
		}
	}
	var list []sizedStage
	side, channels, conv := size, 3, 0
	for _, st := range arch.Stages()[:deepest+1] {
		in := channels
		if st.Pool {
			side /= 2
		} else {
			channels = arch.Layers[conv].Out
			conv++
		}
		list = append(list, sizedStage{st, side, in, channels})
	}
	return list
}

// macs counts the multiply-adds of one evaluation's 3×3 convolutions at side size up to the
// deepest tap: each conv once forward and once for the image gradient (no kernel gradients are
// needed).
func macs(arch *vgg.Arch, taps []string, size int) int64 {
	var n int64
	for _, st := range stagesTo(arch, taps, size) {
		if !st.Pool {
			n += 2 * 9 * int64(st.in) * int64(st.out) * int64(st.side) * int64(st.side)
		}
	}
	return n
}

// The memory a run takes in the browser's engine (the Go program in WebAssembly), fitted to the
// WebAssembly linear memory measured after two iterations at one level (Node 20, Go 1.26,
// single-threaded, the fast engine, the command built for js/wasm, 2 Dec 2026): a base, 35 bytes
// per weight (the kernels as float32 and Winograd-transformed, packed for the products), and 4
// times the bytes of the feature maps up to the deepest tap (kept for the backward pass, their
// gradients, the loss's sorted projections: the loss keeps no copy of the exemplar's features,
// loss.Options.Refeed). Measured without the half-scale term: VGG-19 to relu3_4 173 / 393 /
// 1288 MiB at 128 / 256 / 512 px, VGG-16 to relu4_3 357 / 1492 MiB at 128 / 512 px; the estimate
// is within 5 %. VGG-19 holds the same kinds of buffers for its extra convs, so the formula
// counts them alike. The half-scale term on the fast engine shares the main network and adds
// its loss (the sorted projections of the exemplar's features at half the side, and their
// gradients; no copy of the features, Refeed too): memHalfBase and twice the bytes of the feature
// maps at half the side; measured VGG-19 185 / 437 / 1438 MiB at 128 / 256 / 512 px, VGG-16
// 378 / 1668 MiB at 128 / 512 px, within 5 %. A whole default 512 px run (three levels, each
// releasing the one before) took 1451 MiB against 1438 for its last level alone.
const (
	memBase           = 36 << 20
	memPerWeight      = 35
	memPerFeature     = 4.0
	memHalfBase       = 8 << 20
	memHalfPerFeature = 2.0
)

// memory estimates the bytes a run with settings s on taps of arch, on engine conv, takes in the
// browser's engine; exemplarSide is the exemplar's larger side as given (it matters when ExemplarSize is
// -1). A WebAssembly memory never shrinks, so the estimate is for the largest level and for an
// engine that ran nothing larger before.
func memory(arch *vgg.Arch, taps []string, conv vgg.Conv, s Settings, exemplarSide int) int64 {
	side := s.Size
	switch {
	case s.ExemplarSize > 0:
		side = max(side, s.ExemplarSize)
	case s.ExemplarSize < 0:
		side = max(side, min(exemplarSide, picture.MaxSide))
	}
	var params int64
	for _, st := range stagesTo(arch, taps, side) {
		if !st.Pool {
			params += int64(9*st.in*st.out + st.out)
		}
	}
	total := memBase + memPerWeight*params + int64(memPerFeature*float64(mapBytes(arch, taps, side)))
	if s.halfScaleAt(s.Size) {
		half := mapBytes(arch, taps, s.Size/2)
		total += memHalfBase + int64(memHalfPerFeature*float64(half))
		if conv != vgg.ConvFast {
			// On another engine the term runs on a fast network of its own (halfscale.go).
			total += memPerWeight*params + int64(memPerFeature*float64(half))
		}
	}
	return total
}

// mapBytes is the bytes of arch's float32 feature maps up to the deepest of taps for an input of
// side px.
func mapBytes(arch *vgg.Arch, taps []string, side int) int64 {
	var n int64
	for _, st := range stagesTo(arch, taps, side) {
		n += 4 * int64(st.side) * int64(st.side) * int64(st.out)
	}
	return n
}
