package synth

import "github.com/texsynth/texsynth/core/picture"

// Coarse-to-fine synthesis (Settings.Levels = L > 1): the run starts at Size/2^(L−1) px against
// the exemplar scaled down by the same factor, and every finished level is upsampled 2× to start
// the next, until the last level runs at Size. The iterations are split evenly between the levels
// (the finest takes the remainder). Coarse levels are cheap (a quarter of the pixels per level
// down) and settle the large structures that the deep layers see, so the fine level only has to
// sharpen details. The scaling is picture.Resize (Catmull-Rom, antialiased when shrinking).

// levels returns the side of each level, coarsest first, and the iteration at which each ends.
func levels(size, n, iters int) (sizes, ends []int) {
	per := max(iters/n, 1)
	for l := range n {
		sizes = append(sizes, size>>(n-1-l))
		ends = append(ends, min(per*(l+1), iters))
	}
	ends[n-1] = iters
	return sizes, ends
}

// enterLevel makes level l the current one: the exemplar's features and the loss at that
// level's scale, a fresh optimiser, and the start image — the exemplar's mean colour plus noise
// at the coarsest level, the previous level upsampled otherwise.
func (m *Model) enterLevel(l int) error {
	e, s := m.ext, m.settings
	size := e.sizes[l]
	ex := e.exemplar
	if size != s.Size {
		w := max(MinSize, (ex.W*size+s.Size/2)/s.Size)
		h := max(MinSize, (ex.H*size+s.Size/2)/s.Size)
		ex = picture.Resize(ex, w, h)
	}
	set, opt, err := m.scale(ex, e.p, size, s.Seed+uint64(l))
	if err != nil {
		return err
	}
	if l == 0 {
		m.x = startImage(ex.Mean(), size, s.Seed)
	} else {
		prev := &picture.RGB{W: m.size, H: m.size, Pix: m.x}
		m.x = picture.Resize(prev, size, size).Pix
	}
	e.level, e.levelEx = l, ex
	m.size, m.loss, m.opt = size, set, opt
	m.grads, m.maps = nil, nil
	m.redrawAt = s.Redraw
	return nil
}

// beforeStep moves to the next pyramid level when the current one has had its iterations.
func (m *Model) beforeStep() error {
	e := m.ext
	if e == nil || len(e.sizes) == 0 || e.level+1 >= len(e.sizes) || m.iter < e.ends[e.level] {
		return nil
	}
	e.evalsBefore += m.opt.Evals()
	return m.enterLevel(e.level + 1)
}
