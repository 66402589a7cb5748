package loss

// emdLayer is what the seed meant by its EMD: each channel's values sorted over positions and
// compared with the exemplar's channel sorted, i.e. sliced Wasserstein with the channel axes as the
// only, fixed, directions. It matches each channel's distribution of values (colours, at the first
// tap) but not how channels go together, which the random directions of sw capture.
type emdLayer[T Float] struct {
	c     int
	match sortedMatch[T]
}

func newEMDLayer[T Float](m Map[T]) *emdLayer[T] {
	l := &emdLayer[T]{c: m.C, match: newSortedMatch[T]()}
	l.match.setExemplar(m.Data, m.positions(), m.C)
	return l
}

func (l *emdLayer[T]) check(f Map[T]) error { return checkChannels(f, l.c) }

// eval needs no projection: the features are matched as they are and the gradient lands in grad.
func (l *emdLayer[T]) eval(f Map[T], grad []T, scale float64) float64 {
	return l.match.match(f.Data, grad, f.positions(), scale)
}
