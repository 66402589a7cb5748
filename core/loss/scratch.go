package loss

import (
	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
)

// scratch is the working memory one Set's layers share: the layers are evaluated one after
// another, each split over the workers (core/gemm.Tasks), so one set of buffers per worker,
// sized for the largest layer, serves all of them — rather than one per layer, which at large
// sizes cost as much again as the features.
type scratch[T feature.Float] struct {
	workers []*worker[T]
	// proj holds the exemplar's projections while Redraw sorts them.
	proj []T
}

// worker is one worker's buffers.
type worker[T feature.Float] struct {
	sorter sorter[T]
	// cols holds up to colBlock columns of the matrix being matched, each contiguous: the sorts
	// and the matching read a column many times in random order, which within an n×k row-major
	// matrix touches a different cache line at every step.
	cols []T
	// target holds one column's target resampled to the output's positions.
	target []T
}

func newScratch[T feature.Float]() *scratch[T] { return &scratch[T]{} }

// prepare makes sure there are buffers for nw workers; it runs before they start, so that they
// only read sc.workers (each then grows its own buffers).
func (sc *scratch[T]) prepare(nw int) {
	for len(sc.workers) < nw {
		sc.workers = append(sc.workers, &worker[T]{sorter: newSorter[T]()})
	}
}

// columns returns the worker's column scratch for width columns of n rows, grown if needed.
func (w *worker[T]) columns(n, width int) []T {
	size := (n + colPad) * width
	if cap(w.cols) < size {
		w.cols = make([]T, size)
	}
	return w.cols[:cap(w.cols)]
}

// projections returns sc.proj sized for n values.
func (sc *scratch[T]) projections(n int) []T {
	if cap(sc.proj) < n {
		sc.proj = make([]T, n)
	}
	return sc.proj[:n]
}

// product sets dst (n×K) = src · B for a square B; dst may be src itself (Set.EvalInPlace),
// which gives the same bits.
func product[T feature.Float](dst []T, n int, src []T, b *gemm.Packed[T]) {
	if len(dst) > 0 && &dst[0] == &src[0] {
		gemm.ProductInPlace(dst, n, b)
		return
	}
	gemm.Product(dst, n, src, b)
}
