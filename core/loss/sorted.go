package loss

import (
	"unsafe"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
)

// varianceEpsilon keeps the sorted losses finite on a layer whose exemplar features are constant
// (a dead ReLU channel everywhere); it is far below the variance of any live layer.
const varianceEpsilon = 1e-8

// sortedMatch is the one-dimensional optimal transport shared by sw and emd: each of the k
// columns of an n×k matrix (projections for sw, channels for emd) is sorted over positions and
// matched rank for rank with the exemplar's column sorted. In one dimension sorting solves the
// transport problem, so the squared differences of the sorted values are the squared
// 2-Wasserstein distance between the two distributions of values, whatever their positions.
type sortedMatch[T feature.Float] struct {
	k, ne int
	// sorted holds the exemplar's columns, each ascending: column c is sorted[c*ne : (c+1)*ne].
	sorted []T
	// norm is the mean over columns of the exemplar's column variance (plus varianceEpsilon): the
	// loss is divided by it so that layers of very different activation scales compare.
	norm float64
	// sums holds one partial sum per block of colBlock columns: the blocks run on different
	// workers, and adding their sums in block order keeps the result the same whatever the
	// number of workers.
	sums []float64
	// vars holds every column's variance, summed in column order for norm, so that norm (and with
	// it every gradient) has the same bits as one sequential pass.
	vars []float64
	// perColumn (NormDirection): each column's squared differences are divided by that column's
	// own variance (plus varianceEpsilon) instead of norm; ratios[c] is norm over that variance,
	// the factor that turns norm's loss into column c's.
	perColumn bool
	ratios    []float64
	sc        *scratch[T]
	// job is the kernel's call (kernel), kept here: one made at each call would escape to the
	// heap through matchColumns.
	job gemm.ColumnMatch
}

// colBlock is how many columns gatherColumns copies at once: 16 float32 are one 64-byte cache
// line of each row, so every line of the matrix is read once. It is the kernel's block
// (gemm.MatchColumns), so both sum the same columns together.
const colBlock = gemm.MatchBlock

// matchColumns is gemm.MatchColumns, a variable so that the tests can compare the kernel with the
// loops here.
var matchColumns = gemm.MatchColumns

// colPad separates the columns in a worker's cols by n+colPad values rather than n: n is usually a
// power of two, and columns a power of two apart map to the same cache sets, so that the 16 streams
// of gatherColumns and scatterColumns would evict one another.
const colPad = 16

func newSortedMatch[T feature.Float](sc *scratch[T], perColumn bool) sortedMatch[T] {
	return sortedMatch[T]{sc: sc, perColumn: perColumn}
}

// setExemplar sorts the columns of the exemplar's ne×k matrix vals and computes the normaliser.
// It reuses its storage when called again with the same sizes (Redraw).
func (t *sortedMatch[T]) setExemplar(vals []T, ne, k int) {
	t.k, t.ne = k, ne
	if cap(t.sorted) < ne*k {
		t.sorted = make([]T, ne*k)
	}
	t.sorted = t.sorted[:ne*k]
	blocks := (k + colBlock - 1) / colBlock
	if cap(t.sums) < blocks {
		t.sums = make([]float64, blocks)
	}
	t.sums = t.sums[:blocks]
	if cap(t.vars) < k {
		t.vars = make([]float64, k)
	}
	t.vars = t.vars[:k]
	if t.kernel(gemm.ColumnMatch{Vals: f32(vals), N: ne, K: k, Targets: f32(t.sorted), DigitBits: digitBits(ne), Exemplar: true}) {
		for c := range k {
			t.vars[c] = variance(t.sorted[c*ne : (c+1)*ne])
		}
	} else {
		t.sortExemplar(vals, ne, k, blocks)
	}
	varSum := 0.0
	for _, v := range t.vars {
		varSum += v
	}
	t.norm = varSum/float64(k) + varianceEpsilon
	if t.perColumn {
		if cap(t.ratios) < k {
			t.ratios = make([]float64, k)
		}
		t.ratios = t.ratios[:k]
		for c, v := range t.vars {
			t.ratios[c] = t.norm / (v + varianceEpsilon)
		}
	}
}

// kernel runs j on gemm.MatchColumns' kernel and reports whether it did: only for float32.
func (t *sortedMatch[T]) kernel(j gemm.ColumnMatch) bool {
	if unsafe.Sizeof(T(0)) != 4 {
		return false
	}
	t.job = j
	ran := matchColumns(&t.job)
	t.job = gemm.ColumnMatch{} // keeps nothing alive
	return ran
}

// f32 is v as float32s; only for a T of 4 bytes (kernel).
func f32[T feature.Float](v []T) []float32 {
	if unsafe.Sizeof(T(0)) != 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}

// variance is the variance of the values of col: their mean, then the mean squared deviation.
func variance[T feature.Float](col []T) float64 {
	mean := 0.0
	for _, v := range col {
		mean += float64(v)
	}
	mean /= float64(len(col))
	ss := 0.0
	for _, v := range col {
		d := float64(v) - mean
		ss += d * d
	}
	return ss / float64(len(col))
}

// sortExemplar is setExemplar's sorting on the workers: blocks of colBlock columns, each column
// sorted into t.sorted and its variance into t.vars.
func (t *sortedMatch[T]) sortExemplar(vals []T, ne, k, blocks int) {
	t.sc.prepare(gemm.Workers())
	gemm.Tasks(blocks, func(w, b int) {
		wk := t.sc.workers[w]
		c0 := b * colBlock
		width := min(colBlock, k-c0)
		cols := wk.columns(ne, width)
		gatherColumns(cols, vals, ne, k, c0, width)
		for j := 0; j < width; j++ {
			c := c0 + j
			col := t.sorted[c*ne : (c+1)*ne]
			_, sorted := wk.sorter.sortColumn(cols[j*(ne+colPad):][:ne])
			copy(col, sorted)
			t.vars[c] = variance(col)
		}
	})
}

// match returns the loss Σ_(r,c) (sorted_r(vals_c) − target_r,c)² / (n·k·norm) of the n×k matrix
// vals (with perColumn, column c's own variance in place of norm) and writes scale·∂loss/∂vals into out; target_c is the exemplar's column c sorted, resampled
// to n values when n ≠ ne (resample). out may be vals itself: every element is read before it is
// written, and each exactly once. The gradient goes back through the permutation the sort chose;
// at ties that is one valid subgradient. Blocks of colBlock columns go to the workers.
func (t *sortedMatch[T]) match(vals, out []T, n int, scale float64) float64 {
	k := t.k
	inv := 1 / (float64(n) * float64(k) * t.norm)
	coef := 2 * scale * inv
	// t.ratios is nil unless perColumn.
	if n != t.ne || !t.kernel(gemm.ColumnMatch{Vals: f32(vals), Out: f32(out), N: n, K: k, Targets: f32(t.sorted), DigitBits: digitBits(n),
		Coef: coef, Ratios: t.ratios, Sums: t.sums}) {
		t.matchBlocks(vals, out, n, coef)
	}
	sum := 0.0
	for _, v := range t.sums {
		sum += v
	}
	return sum * inv
}

// matchBlocks is match's work on the workers, blocks of colBlock columns, each block's sum into
// t.sums.
func (t *sortedMatch[T]) matchBlocks(vals, out []T, n int, coef float64) {
	k := t.k
	t.sc.prepare(gemm.Workers())
	gemm.Tasks(len(t.sums), func(w, b int) {
		wk := t.sc.workers[w]
		c0 := b * colBlock
		width := min(colBlock, k-c0)
		cols := wk.columns(n, width)
		gatherColumns(cols, vals, n, k, c0, width)
		sum := 0.0
		for j := 0; j < width; j++ {
			c := c0 + j
			// The column is sorted into the sorter's scratch, then overwritten by its gradient.
			col := cols[j*(n+colPad):][:n]
			order, sorted := wk.sorter.sortColumn(col)
			if t.perColumn {
				// inv and coef are norm's; column c's own variance replaces it.
				r := t.ratios[c]
				sum += r * matchColumn(0, col, order, sorted, t.target(wk, c, n), coef*r)
				continue
			}
			sum = matchColumn(sum, col, order, sorted, t.target(wk, c, n), coef)
		}
		scatterColumns(out, cols, n, k, c0, width)
		t.sums[b] = sum
	})
}

// target returns the exemplar's column c sorted and resampled to n values: the column itself when
// n == ne, else in the worker's scratch (resampling as it is needed rather than keeping n×k
// targets, which for an output larger than the exemplar would cost as much as its features).
func (t *sortedMatch[T]) target(wk *worker[T], c, n int) []T {
	col := t.sorted[c*t.ne : (c+1)*t.ne]
	if n == t.ne {
		return col
	}
	if cap(wk.target) < n {
		wk.target = make([]T, n)
	}
	wk.target = wk.target[:n]
	resample(wk.target, col)
	return wk.target
}

// matchColumn adds to sum the squared differences d_r = sorted[r] − tgt[r], in order of r, and
// writes coef·d_r into col[order[r]]. order is a permutation of 0 … len(order)−1, so the writes
// need no bounds check; without them, Go's wasm code runs this loop about twice as fast.
func matchColumn[T feature.Float](sum float64, col []T, order []int32, sorted, tgt []T, coef float64) float64 {
	col = col[:len(order)]
	sorted, tgt = sorted[:len(order)], tgt[:len(order)]
	to := unsafe.Pointer(unsafe.SliceData(col))
	for r, i := range order {
		d := float64(sorted[r]) - float64(tgt[r])
		sum += d * d
		*(*T)(unsafe.Add(to, uintptr(i)*unsafe.Sizeof(col[0]))) = T(coef * d)
	}
	return sum
}

// gatherColumns copies columns c0 … c0+w−1 of the n×k row-major matrix vals into cols, column
// c0+j contiguous at cols[j*(n+colPad):][:n].
func gatherColumns[T feature.Float](cols, vals []T, n, k, c0, w int) {
	stride := n + colPad
	if w == colBlock && n > 0 {
		// Written out with the bounds checked once, here: Go's wasm code pays for every branch,
		// and with a 16-step inner loop and a bounds check per value this copy ran 15× slower.
		_ = cols[(colBlock-1)*stride+n-1]
		_ = vals[(n-1)*k+c0+colBlock-1]
		size := unsafe.Sizeof(cols[0])
		to, from := unsafe.Pointer(unsafe.SliceData(cols)), unsafe.Pointer(unsafe.SliceData(vals))
		s := uintptr(stride) * size
		for i := 0; i < n; i++ {
			row := (*[colBlock]T)(unsafe.Add(from, uintptr(i*k+c0)*size))
			p := unsafe.Add(to, uintptr(i)*size)
			*(*T)(p) = row[0]
			*(*T)(unsafe.Add(p, s)) = row[1]
			*(*T)(unsafe.Add(p, 2*s)) = row[2]
			*(*T)(unsafe.Add(p, 3*s)) = row[3]
			*(*T)(unsafe.Add(p, 4*s)) = row[4]
			*(*T)(unsafe.Add(p, 5*s)) = row[5]
			*(*T)(unsafe.Add(p, 6*s)) = row[6]
			*(*T)(unsafe.Add(p, 7*s)) = row[7]
			*(*T)(unsafe.Add(p, 8*s)) = row[8]
			*(*T)(unsafe.Add(p, 9*s)) = row[9]
			*(*T)(unsafe.Add(p, 10*s)) = row[10]
			*(*T)(unsafe.Add(p, 11*s)) = row[11]
			*(*T)(unsafe.Add(p, 12*s)) = row[12]
			*(*T)(unsafe.Add(p, 13*s)) = row[13]
			*(*T)(unsafe.Add(p, 14*s)) = row[14]
			*(*T)(unsafe.Add(p, 15*s)) = row[15]
		}
		return
	}
	for i := 0; i < n; i++ {
		row := vals[i*k+c0:][:w]
		for j, v := range row {
			cols[j*stride+i] = v
		}
	}
}

// scatterColumns is gatherColumns' inverse: it writes the w contiguous columns of cols back into
// columns c0 … c0+w−1 of the n×k matrix out.
func scatterColumns[T feature.Float](out, cols []T, n, k, c0, w int) {
	stride := n + colPad
	if w == colBlock && n > 0 {
		_ = cols[(colBlock-1)*stride+n-1]
		_ = out[(n-1)*k+c0+colBlock-1]
		size := unsafe.Sizeof(cols[0])
		from, to := unsafe.Pointer(unsafe.SliceData(cols)), unsafe.Pointer(unsafe.SliceData(out))
		s := uintptr(stride) * size
		for i := 0; i < n; i++ {
			row := (*[colBlock]T)(unsafe.Add(to, uintptr(i*k+c0)*size))
			p := unsafe.Add(from, uintptr(i)*size)
			row[0] = *(*T)(p)
			row[1] = *(*T)(unsafe.Add(p, s))
			row[2] = *(*T)(unsafe.Add(p, 2*s))
			row[3] = *(*T)(unsafe.Add(p, 3*s))
			row[4] = *(*T)(unsafe.Add(p, 4*s))
			row[5] = *(*T)(unsafe.Add(p, 5*s))
			row[6] = *(*T)(unsafe.Add(p, 6*s))
			row[7] = *(*T)(unsafe.Add(p, 7*s))
			row[8] = *(*T)(unsafe.Add(p, 8*s))
			row[9] = *(*T)(unsafe.Add(p, 9*s))
			row[10] = *(*T)(unsafe.Add(p, 10*s))
			row[11] = *(*T)(unsafe.Add(p, 11*s))
			row[12] = *(*T)(unsafe.Add(p, 12*s))
			row[13] = *(*T)(unsafe.Add(p, 13*s))
			row[14] = *(*T)(unsafe.Add(p, 14*s))
			row[15] = *(*T)(unsafe.Add(p, 15*s))
		}
		return
	}
	for i := 0; i < n; i++ {
		row := out[i*k+c0:][:w]
		for j := range row {
			row[j] = cols[j*stride+i]
		}
	}
}
