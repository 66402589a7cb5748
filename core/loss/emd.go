package loss

import "github.com/texsynth/texsynth/core/feature"

// emdLayer is what the seed meant by its EMD: each channel's values sorted over positions and
// compared with the exemplar's channel sorted, i.e. sliced Wasserstein with the channel axes as the
// only, fixed, directions. It matches each channel's distribution of values (colours, at the first
// tap) but not how channels go together, which the random directions of sw capture.
type emdLayer[T feature.Float] struct {
	c     int
	match sortedMatch[T]
}

func newEMDLayer[T feature.Float](m feature.Map[T], sc *scratch[T], perChannel bool) *emdLayer[T] {
	l := &emdLayer[T]{c: m.C, match: newSortedMatch(sc, perChannel)}
	l.match.setExemplar(m.Data, m.Positions(), m.C)
	return l
}

func (l *emdLayer[T]) check(f feature.Map[T]) error { return checkChannels(f, l.c) }

// eval needs no projection: the features are matched as they are and the gradient lands in grad.
func (l *emdLayer[T]) eval(f feature.Map[T], grad []T, scale float64) float64 {
	return l.match.match(f.Data, grad, f.Positions(), scale)
}
