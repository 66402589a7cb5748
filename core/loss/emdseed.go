package loss

import (
	"fmt"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
)

// emdSeedLayer is the seed's EMD exactly as written: the (H·W, C) matrix sorted along its last
// axis (tf.sort's default axis = −1, the channels), so each position's C values are sorted, then
// reduce_sum((noise_sorted − source_sorted)²), with no normalisation. Sorting within a position
// keeps every position's identity, so this is a position-aligned loss: it is blind to a
// permutation of a position's channels and not to a permutation of positions — the opposite of a
// distribution loss. It is kept to reproduce the seed.
type emdSeedLayer[T feature.Float] struct {
	c, ne int
	// h, w are the exemplar map's, for the error message.
	h, w int
	// sorted holds the exemplar's rows, each ascending.
	sorted []T
	// sums holds one partial sum per block of seedRows positions (the blocks go to the workers).
	sums []float64
	sc   *scratch[T]
}

// seedRows is how many positions one task of emd-seed sorts.
const seedRows = 256

func newEMDSeedLayer[T feature.Float](m feature.Map[T], sc *scratch[T]) *emdSeedLayer[T] {
	c, ne := m.C, m.Positions()
	l := &emdSeedLayer[T]{c: c, ne: ne, h: m.H, w: m.W, sorted: make([]T, ne*c), sc: sc,
		sums: make([]float64, (ne+seedRows-1)/seedRows)}
	sc.prepare(gemm.Workers())
	gemm.Ranges(ne, seedRows, func(w, lo, hi int) {
		s := &sc.workers[w].sorter
		for i := lo; i < hi; i++ {
			order := s.sort(m.Data, c, 1, i*c)
			for r, j := range order {
				l.sorted[i*c+r] = m.Data[i*c+int(j)]
			}
		}
	})
	return l
}

func (l *emdSeedLayer[T]) check(f feature.Map[T]) error {
	if err := checkChannels(f, l.c); err != nil {
		return err
	}
	if n := f.Positions(); n != l.ne {
		return fmt.Errorf("%w: emd-seed compares position by position: the output must have the exemplar's size (feature maps of %d×%d against the exemplar's %d×%d); use -size equal to the exemplar's or another loss", ErrSpec, f.H, f.W, l.h, l.w)
	}
	return nil
}

func (l *emdSeedLayer[T]) eval(f feature.Map[T], grad []T, scale float64) float64 {
	c := l.c
	l.sc.prepare(gemm.Workers())
	gemm.Ranges(l.ne, seedRows, func(w, lo, hi int) {
		s := &l.sc.workers[w].sorter
		sum := 0.0
		for i := lo; i < hi; i++ {
			order := s.sort(f.Data, c, 1, i*c)
			tgt := l.sorted[i*c:][:len(order)]
			for r, j := range order {
				p := i*c + int(j)
				d := float64(f.Data[p]) - float64(tgt[r])
				sum += d * d
				grad[p] = T(2 * scale * d)
			}
		}
		l.sums[lo/seedRows] = sum
	})
	sum := 0.0
	for _, v := range l.sums {
		sum += v
	}
	return sum
}
