package gemm

// The sliced losses match, each iteration, every column of an n×k matrix (a layer's projections)
// with the exemplar's column sorted (core/loss, sortedMatch): gather a block of columns, sort
// each, write each value's difference from its rank's target where the value came from, scatter
// the block back. In wasm, Go's own code runs those loops several times slower than native code
// and on one thread; the wasm build hands whole blocks to a kernel in its module (match_js.go),
// which the page's worker pool shares block by block.

// MatchBlock is how many columns a block holds: 16 float32s are one 64-byte cache line of each
// row, so the gather and the scatter read and write every line of the matrix once. The loss adds
// its blocks' sums in block order, so the result is the same however the blocks are shared.
const MatchBlock = 16

// ColumnMatch is one call of MatchColumns on the n×k row-major matrix Vals, k a multiple of
// MatchBlock, and Targets, k columns of n ascending values (column c at Targets[c·n:]), each
// column sorted as RadixSortColumn sorts with digits of DigitBits bits (8 or 11):
//   - with Exemplar set, each column of Vals is sorted into its column of Targets;
//   - otherwise column c's values, sorted, are matched rank for rank with Targets' column c: with
//     d_r the r-th smallest value minus the target at rank r, coef·d_r (coef = Coef, times
//     Ratios[c] when Ratios is set) is written into Out where that value sits in Vals, and block
//     b's sum goes to Sums[b]: without Ratios, Σ d_r² over its columns in order, one running sum;
//     with them, Σ_c Ratios[c]·(Σ_r d_r²). Out may be Vals: a block is read whole before it
//     is written.
//
// The arithmetic is core/loss's (float64 differences, sums in rank order, the gradient rounded to
// float32 once), so the kernel gives the bits the Go loops give.
type ColumnMatch struct {
	Vals, Out []float32
	N, K      int
	Targets   []float32
	DigitBits int
	Exemplar  bool
	Coef      float64
	Ratios    []float64
	Sums      []float64
}

// columnMatchNow, when set (match_js.go), is MatchColumns' kernel.
var columnMatchNow func(j *ColumnMatch)

// MatchColumns runs j where there is a kernel for it and reports whether it did; without one (or
// for a shape it does not take) it does nothing and the caller runs its own loops.
func MatchColumns(j *ColumnMatch) bool {
	n, k := j.N, j.K
	if columnMatchNow == nil || n <= 0 || k <= 0 || k%MatchBlock != 0 || len(j.Vals) < n*k || len(j.Targets) < n*k ||
		(j.DigitBits != 8 && j.DigitBits != 11) {
		return false
	}
	if !j.Exemplar && (len(j.Out) < n*k || len(j.Sums) < k/MatchBlock || (j.Ratios != nil && len(j.Ratios) < k)) {
		return false
	}
	columnMatchNow(j)
	return true
}
