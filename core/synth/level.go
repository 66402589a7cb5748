package synth

import (
	"fmt"
	"math/rand/v2"
	"runtime"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/optim"
	"github.com/texsynth/texsynth/core/picture"
)

// A run is a list of levels, coarsest first; a single-scale run is one level at Size. With
// Settings.Levels = L > 1 the run starts at Size/2^(L−1) px against the exemplar scaled down by
// the same factor, and every finished level is upsampled 2× to start the next, until the last
// level runs at Size; with fewer iterations than levels the coarsest are left out, since a level
// without an iteration of its own would end the run below Size. Coarse levels are cheap (a quarter of the pixels per level down) and
// settle the large structures that the deep layers see, so the fine levels only have to sharpen
// details: the levels up to FullShare px take equal shares of the iterations, and each level
// above takes half the share of the one below it (it costs four times as much per evaluation),
// so that a big output spends most of its iterations at the coarse levels and about as much
// time at each level above FullShare px (a 1024 px run of 100 iterations: 36, 36, 18, 10).
// The scaling is picture.Resize (Catmull-Rom, antialiased when shrinking).
type level struct {
	size int // the side of the image optimised at this level
	end  int // the iteration count at which the level ends
}

// FullShare is the largest level size that takes a full share of a run's iterations.
const FullShare = 256

// planLevels returns the levels of a size px run of iters iterations in n levels: n of them, or
// the iters finest when iters < n. fine > 0 is the share of the iterations the finest level gets
// (the coarse levels split the rest by the rule above, each keeping one at least), 0 the rule
// alone.
func planLevels(size, n, iters int, fine float64) []level {
	n = max(min(n, iters), 1)
	ls := make([]level, n)
	share := make([]float64, n)
	total := 0.0
	for l := range ls {
		ls[l].size = size >> (n - 1 - l)
		share[l] = min(1, float64(FullShare)/float64(ls[l].size))
		total += share[l]
	}
	if fine > 0 && n > 1 {
		// The finest level takes its share; the coarse ones split the rest as they would the whole.
		coarse := total - share[n-1]
		for l := range n - 1 {
			share[l] *= (1 - fine) / coarse
		}
		share[n-1], total = fine, 1
	}
	acc := 0.0
	for l := range ls {
		acc += share[l]
		// Every level gets at least one iteration (n ≤ iters).
		end := max(int(float64(iters)*acc/total+1e-9), l+1)
		if l > 0 {
			end = max(end, ls[l-1].end+1)
		}
		ls[l].end = min(end, iters-(n-1-l))
	}
	ls[n-1].end = iters
	return ls
}

// enterLevel makes level l the current one: the exemplar's features and the loss at that
// level's scale (its sw directions from Seed + l), a fresh optimiser, and the start image — the
// exemplar's mean colour plus noise at the first level, the previous level upsampled otherwise.
func (m *Model) enterLevel(l int) error {
	s := m.settings
	size := m.levels[l].size
	if l > 0 {
		m.release()
	}
	ex := m.exemplar
	if size != s.Size {
		w := max(MinSize, (ex.W*size+s.Size/2)/s.Size)
		h := max(MinSize, (ex.H*size+s.Size/2)/s.Size)
		ex = picture.Resize(ex, w, h)
	}
	feats, err := m.net.Forward(ex.Pix, ex.H, ex.W)
	if err != nil {
		return err
	}
	if l > 0 {
		runtime.GC() // the network's buffers of the level before
	}
	set, err := loss.New(loss.Options{Kind: m.p.kind, GramNorm: s.GramNorm, Norm: s.Norm, Seed: s.Seed + uint64(l), Refeed: m.p.kind == loss.KindSW}, feats, m.p.weights)
	if err != nil {
		return err
	}
	opt, err := optim.New(s.Optimizer, size*size*3, optim.Box{Lo: 0, Hi: 1})
	if err != nil {
		return err
	}
	if s.halfScaleAt(size) {
		if m.half, err = m.newHalfScale(ex, s.Seed+uint64(l)+1000); err != nil {
			return err
		}
	} else {
		m.half = nil
	}
	if l == 0 {
		m.x = startImage(ex.Mean(), size, s.Seed, m.p.start)
	} else {
		prev := &picture.RGB{W: m.size, H: m.size, Pix: m.x}
		if s.Upsample == UpsampleNearest {
			m.x = nearest2(m.x, m.size)
		} else {
			m.x = picture.Resize(prev, size, size).Pix
		}
	}
	m.level, m.levelEx = l, ex
	m.size, m.loss, m.opt = size, set, opt
	m.redrawAt = s.Redraw
	return nil
}

// release counts the current level's evaluations as done, drops its loss (its exemplar
// projections and feature gradients), optimiser and half-scale loss, and collects them, before
// enterLevel builds the next level's, four times their size: the larger level then reuses their
// memory instead of adding to it (a wasm memory never shrinks: a default 512 px run peaked 245
// MiB higher without this; enterLevel collects once more after the network's buffers have
// grown). The half-scale term's network is kept: it is built once.
func (m *Model) release() {
	if m.opt != nil {
		m.evalsBefore += m.opt.Evals()
	}
	m.loss, m.opt = nil, nil
	if m.half != nil {
		m.half = &halfScale{net: m.half.net}
	}
	runtime.GC()
}

// Exemplar returns the exemplar as a run with settings s sees it at full resolution:
// centre-cropped to a square and scaled to ExemplarSize (0: Size), or as it is for -1. The seed's
// EMD compares position by position, so with it the exemplar is always square at Size.
func Exemplar(ex *picture.RGB, s Settings) *picture.RGB {
	side := s.ExemplarSize
	if k, err := loss.ParseKind(s.Loss); side == 0 || (err == nil && k == loss.KindEMDSeed) {
		side = s.Size
	}
	if side < 0 {
		return ex
	}
	sq := min(ex.W, ex.H)
	if ex.W != ex.H {
		ex = picture.CenterCrop(ex, sq, sq)
	}
	if sq != side {
		ex = picture.Resize(ex, side, side)
	}
	return ex
}

// StartImage is the image a single-scale run of the given size and settings starts from with
// the exemplar ex (startImage).
func StartImage(ex *picture.RGB, size int, s Settings) (*picture.RGB, error) {
	start, err := parseStart(s.Start)
	if err != nil {
		return nil, err
	}
	return &picture.RGB{W: size, H: size, Pix: startImage(ex.Mean(), size, s.Seed, start)}, nil
}

// The start images (Settings.Start).
const (
	// StartGrey is the exemplar's mean colour plus grey noise: one Gaussian value (σ = 0.1) per
	// pixel, added to all three channels, so the noise has no colour of its own.
	StartGrey = "grey"
	// StartColour is the exemplar's mean colour plus Gaussian noise (σ = 0.1) drawn for each
	// channel apart: every pixel starts with a colour of its own.
	StartColour = "colour"
)

// startImage is the exemplar's mean colour plus seeded Gaussian noise (σ = 0.1), clipped to
// [0,1]: starting at the right mean colour saves the optimiser its first, dullest iterations.
// Noise drawn per channel (StartColour) puts a random colour in every pixel, and the network
// barely responds to a colour that changes from one pixel to the next, so much of it survives
// the run as single-pixel speckle; grey noise gives the optimiser the same variation in light and
// dark to start from without that colour.
func startImage(mean [3]float32, size int, seed uint64, start string) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	x := make([]float32, size*size*3)
	for i := 0; i < len(x); i += 3 {
		n := float32(0.1 * rng.NormFloat64())
		for c := range 3 {
			if c > 0 && start == StartColour {
				n = float32(0.1 * rng.NormFloat64())
			}
			x[i+c] = min(max(mean[c]+n, 0), 1)
		}
	}
	return x
}

// parseStart resolves Settings.Start ("" is the default, grey).
func parseStart(s string) (string, error) {
	switch s {
	case "", StartGrey:
		return StartGrey, nil
	case StartColour:
		return StartColour, nil
	}
	return "", fmt.Errorf("%w: unknown start image %q; use grey (the mean colour plus grey noise) or colour (plus noise in each channel)", ErrSettings, s)
}

// How a level's image becomes the next level's start (Settings.Upsample).
const (
	// UpsampleSmooth resamples it (picture.Resize): smooth, so the finest level starts without
	// the fine detail it must then grow.
	UpsampleSmooth = "smooth"
	// UpsampleNearest repeats each pixel 2×2: the coarse level's contrast is kept whole.
	UpsampleNearest = "nearest"
)

// nearest2 doubles a size×size image by repeating each pixel 2×2.
func nearest2(x []float32, size int) []float32 {
	out := make([]float32, 4*len(x))
	for y := range 2 * size {
		for xx := range 2 * size {
			copy(out[3*(y*2*size+xx):][:3], x[3*((y/2)*size+xx/2):])
		}
	}
	return out
}
