package synth

import (
	"math/rand/v2"

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
// the iters finest when iters < n.
func planLevels(size, n, iters int) []level {
	n = max(min(n, iters), 1)
	ls := make([]level, n)
	share := make([]float64, n)
	total := 0.0
	for l := range ls {
		ls[l].size = size >> (n - 1 - l)
		share[l] = min(1, float64(FullShare)/float64(ls[l].size))
		total += share[l]
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
	set, err := loss.New(loss.Options{Kind: m.p.kind, GramNorm: s.GramNorm, Seed: s.Seed + uint64(l), Refeed: m.p.kind == loss.KindSW}, feats, m.p.weights)
	if err != nil {
		return err
	}
	opt, err := optim.New(s.Optimizer, size*size*3, optim.Box{Lo: 0, Hi: 1})
	if err != nil {
		return err
	}
	if l == 0 {
		m.x = startImage(ex.Mean(), size, s.Seed)
	} else {
		prev := &picture.RGB{W: m.size, H: m.size, Pix: m.x}
		m.x = picture.Resize(prev, size, size).Pix
	}
	m.level, m.levelEx = l, ex
	m.size, m.loss, m.opt = size, set, opt
	m.redrawAt = s.Redraw
	return nil
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

// StartImage is the image a single-scale run of the given size and seed starts from with the
// exemplar ex (startImage).
func StartImage(ex *picture.RGB, size int, seed uint64) *picture.RGB {
	return &picture.RGB{W: size, H: size, Pix: startImage(ex.Mean(), size, seed)}
}

// startImage is the exemplar's mean colour plus Gaussian noise (σ = 0.1), clipped to [0,1]:
// starting at the right mean colour saves the optimiser its first, dullest iterations.
func startImage(mean [3]float32, size int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	x := make([]float32, size*size*3)
	for i := range x {
		v := mean[i%3] + float32(0.1*rng.NormFloat64())
		x[i] = min(max(v, 0), 1)
	}
	return x
}
