package loss

// varianceEpsilon keeps the sorted losses finite on a layer whose exemplar features are constant
// (a dead ReLU channel everywhere); it is far below the variance of any live layer.
const varianceEpsilon = 1e-8

// sortedMatch is the one-dimensional optimal transport shared by sw and emd: each of the k
// columns of an n×k matrix (projections for sw, channels for emd) is sorted over positions and
// matched rank for rank with the exemplar's column sorted. In one dimension sorting solves the
// transport problem, so the squared differences of the sorted values are the squared
// 2-Wasserstein distance between the two distributions of values, whatever their positions.
type sortedMatch[T Float] struct {
	k, ne int
	// sorted holds the exemplar's columns, each ascending: column c is sorted[c*ne : (c+1)*ne].
	sorted []T
	// norm is the mean over columns of the exemplar's column variance (plus varianceEpsilon): the
	// loss is divided by it so that layers of very different activation scales compare.
	norm float64
	// target holds sorted resampled to n positions, column-major like sorted; n == 0 when it must
	// be recomputed.
	n      int
	target []T
	sorter sorter[T]
}

func newSortedMatch[T Float]() sortedMatch[T] {
	return sortedMatch[T]{sorter: newSorter[T]()}
}

// setExemplar sorts the columns of the exemplar's ne×k matrix vals and computes the normaliser.
// It reuses its storage when called again with the same sizes (Redraw).
func (t *sortedMatch[T]) setExemplar(vals []T, ne, k int) {
	t.k, t.ne = k, ne
	if cap(t.sorted) < ne*k {
		t.sorted = make([]T, ne*k)
	}
	t.sorted = t.sorted[:ne*k]
	varSum := 0.0
	for c := 0; c < k; c++ {
		col := t.sorted[c*ne : (c+1)*ne]
		order := t.sorter.sort(vals, ne, k, c)
		mean := 0.0
		for r, i := range order {
			v := vals[int(i)*k+c]
			col[r] = v
			mean += float64(v)
		}
		mean /= float64(ne)
		ss := 0.0
		for _, v := range col {
			d := float64(v) - mean
			ss += d * d
		}
		varSum += ss / float64(ne)
	}
	t.norm = varSum/float64(k) + varianceEpsilon
	t.n = 0
}

// match returns the loss Σ_(r,c) (sorted_r(vals_c) − target_r,c)² / (n·k·norm) of the n×k matrix
// vals and writes scale·∂loss/∂vals into out. out may be vals itself: every element is read before
// it is written, and each exactly once. The gradient goes back through the permutation the sort
// chose; at ties that is one valid subgradient.
func (t *sortedMatch[T]) match(vals, out []T, n int, scale float64) float64 {
	k := t.k
	if t.n != n {
		if cap(t.target) < n*k {
			t.target = make([]T, n*k)
		}
		t.target = t.target[:n*k]
		for c := 0; c < k; c++ {
			resample(t.target[c*n:(c+1)*n], t.sorted[c*t.ne:(c+1)*t.ne])
		}
		t.n = n
	}
	inv := 1 / (float64(n) * float64(k) * t.norm)
	coef := 2 * scale * inv
	sum := 0.0
	for c := 0; c < k; c++ {
		order := t.sorter.sort(vals, n, k, c)
		tgt := t.target[c*n:][:len(order)]
		for r, i := range order {
			p := int(i)*k + c
			d := float64(vals[p]) - float64(tgt[r])
			sum += d * d
			out[p] = T(coef * d)
		}
	}
	return sum * inv
}
