package loss

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
)

// tiedValues returns n float32 values with many ties: a few distinct magnitudes of both signs,
// zeros of both signs, and some continuous values.
func tiedValues(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		switch rng.IntN(6) {
		case 0:
			v[i] = 0
		case 1:
			v[i] = float32(math.Copysign(0, -1))
		case 2, 3:
			v[i] = float32(rng.IntN(7)-3) * 0.5
		default:
			v[i] = float32(rng.NormFloat64())
		}
	}
	return v
}

// TestSortColumnMatchesStableSort: the sorter must order float32 values by their ordered bits
// (−0 below +0), ties by index ascending, exactly as a stable comparison sort does, and report
// the values in that order; float64 values as slices.SortFunc orders (value, index) pairs.
func TestSortColumnMatchesStableSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	s32 := newSorter[float32]()
	s64 := newSorter[float64]()
	for _, n := range []int{1, 2, 17, 127, 128, 129, 255, 256, 1000, 1024, 2049, 16384,
		smallRadixThreshold - 1, smallRadixThreshold, smallRadixThreshold + 1,
		radixThreshold - 1, radixThreshold, radixThreshold + 1} {
		for trial := range 3 {
			vals := tiedValues(rng, n)
			if trial == 2 {
				// One value everywhere: every radix pass is skipped.
				for i := range vals {
					vals[i] = 1.5
				}
			}
			want := make([]int32, n)
			for i := range want {
				want[i] = int32(i)
			}
			slices.SortStableFunc(want, func(a, b int32) int {
				return cmp.Compare(orderedBits(vals[a]), orderedBits(vals[b]))
			})
			order, sorted := s32.sortColumn(vals)
			if !slices.Equal(order, want) {
				t.Fatalf("n %d trial %d: float32 order differs from the stable sort", n, trial)
			}
			for r, i := range order {
				if math.Float32bits(sorted[r]) != math.Float32bits(vals[i]) {
					t.Fatalf("n %d trial %d: sorted[%d] = %v, want %v", n, trial, r, sorted[r], vals[i])
				}
			}
			// The strided form on the same values, laid out every third element.
			spread := make([]float32, 3*n)
			for i, v := range vals {
				spread[1+3*i] = v
			}
			if !slices.Equal(s32.sort(spread, n, 3, 1), want) {
				t.Fatalf("n %d trial %d: strided float32 order differs", n, trial)
			}

			v64 := make([]float64, n)
			pairs := make([]pair[float64], n)
			for i, v := range vals {
				v64[i] = float64(v)
				pairs[i] = pair[float64]{float64(v), int32(i)}
			}
			slices.SortFunc(pairs, func(a, b pair[float64]) int { return cmp.Compare(a.v, b.v) })
			order64, sorted64 := s64.sortColumn(v64)
			for r, p := range pairs {
				if order64[r] != p.i || math.Float64bits(sorted64[r]) != math.Float64bits(p.v) {
					t.Fatalf("n %d trial %d: float64 order differs from slices.SortFunc at rank %d", n, trial, r)
				}
			}
		}
	}
}

// TestOrderedBitsRoundTrip: valueBits inverts orderedBits, and orderedBits is monotonic.
func TestOrderedBitsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.MaxFloat32, -math.MaxFloat32,
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, float32(math.Inf(1)), float32(math.Inf(-1))}
	for i := 0; i < 100000; i++ {
		var f float32
		if i < len(special) {
			f = special[i]
		} else {
			f = math.Float32frombits(rng.Uint32())
		}
		if got := valueBits(orderedBits(f)); got != math.Float32bits(f) {
			t.Fatalf("valueBits(orderedBits(%x)) = %x", math.Float32bits(f), got)
		}
		g := float32(rng.NormFloat64())
		if f < g && orderedBits(f) >= orderedBits(g) || f > g && orderedBits(f) <= orderedBits(g) {
			t.Fatalf("orderedBits does not keep %v < %v", f, g)
		}
	}
}

// TestMatchBitForBit: setExemplar and match give, bit for bit, what the previous implementation
// (refSetExemplar, refMatch below: strided gathers, radixSort on packed keys; match's loss taken
// in partial sums over blocks of colBlock columns as the workers take them) gave, in float32 and
// float64, with ties and signed zeros, at sizes around radixThreshold, with out == vals and not.
func TestMatchBitForBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, sz := range []struct{ ne, n, k int }{
		{300, 300, 5}, {radixThreshold - 1, radixThreshold + 1, 17}, {radixThreshold, radixThreshold, 33},
		{smallRadixThreshold, smallRadixThreshold - 1, 20}, {100, 130, 18},
		{2000, 1500, 16}, {5000, 4096, 3}, {64, 2048, 40},
	} {
		ex := tiedValues(rng, sz.ne*sz.k)
		im := tiedValues(rng, sz.n*sz.k)
		checkMatchBitForBit(t, ex, im, sz.ne, sz.n, sz.k)
		ex64 := make([]float64, len(ex))
		for i, v := range ex {
			ex64[i] = float64(v) * (1 + 1e-9*rng.Float64())
		}
		im64 := make([]float64, len(im))
		for i, v := range im {
			im64[i] = float64(v)
		}
		checkMatchBitForBit(t, ex64, im64, sz.ne, sz.n, sz.k)
	}
}

func checkMatchBitForBit[T feature.Float](t *testing.T, ex, im []T, ne, n, k int) {
	t.Helper()
	m := newSortedMatch(newScratch[T](), false)
	m.setExemplar(ex, ne, k)
	ref := refSetExemplar(ex, ne, k)
	if m.norm != ref.norm || !sameBits(m.sorted, ref.sorted) {
		t.Fatalf("ne %d k %d: setExemplar differs from the reference", ne, k)
	}
	for _, inPlace := range []bool{false, true} {
		vals := slices.Clone(im)
		out := make([]T, len(im))
		if inPlace {
			out = vals
		}
		got := m.match(vals, out, n, 0.7)
		wantOut := make([]T, len(im))
		want := refMatch(ref, im, wantOut, n, 0.7)
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("ne %d n %d k %d: loss %v, reference %v", ne, n, k, got, want)
		}
		if !sameBits(out, wantOut) {
			t.Fatalf("ne %d n %d k %d in place %v: gradient differs from the reference", ne, n, k, inPlace)
		}
	}
}

func sameBits[T feature.Float](a, b []T) bool {
	return slices.EqualFunc(a, b, func(x, y T) bool {
		return math.Float64bits(float64(x)) == math.Float64bits(float64(y))
	})
}

// refExemplar is the previous implementation's exemplar state.
type refExemplar[T feature.Float] struct {
	k, ne  int
	sorted []T
	norm   float64
}

// refSort is the previous sorter.sort, kept as the reference the new one must equal.
func refSort[T feature.Float](vals []T, n, stride, off int) []int32 {
	order := make([]int32, n)
	var x T
	if any(x) == any(float32(0)) {
		keys := make([]uint64, n)
		for i := range keys {
			f := float32(vals[off+i*stride])
			b := math.Float32bits(f)
			if b>>31 != 0 {
				b = ^b
			} else {
				b |= 1 << 31
			}
			keys[i] = uint64(b)<<32 | uint64(i)
		}
		slices.Sort(keys) // equal to the previous radixSort, as TestRadixSort checks
		for r, k := range keys {
			order[r] = int32(uint32(k))
		}
		return order
	}
	pairs := make([]pair[T], n)
	for i := range pairs {
		pairs[i] = pair[T]{vals[off+i*stride], int32(i)}
	}
	slices.SortFunc(pairs, func(a, b pair[T]) int { return cmp.Compare(a.v, b.v) })
	for r, p := range pairs {
		order[r] = p.i
	}
	return order
}

func refSetExemplar[T feature.Float](vals []T, ne, k int) refExemplar[T] {
	t := refExemplar[T]{k: k, ne: ne, sorted: make([]T, ne*k)}
	varSum := 0.0
	for c := 0; c < k; c++ {
		col := t.sorted[c*ne : (c+1)*ne]
		order := refSort(vals, ne, k, c)
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
	return t
}

func refMatch[T feature.Float](t refExemplar[T], vals, out []T, n int, scale float64) float64 {
	k := t.k
	target := make([]T, n*k)
	for c := 0; c < k; c++ {
		resample(target[c*n:(c+1)*n], t.sorted[c*t.ne:(c+1)*t.ne])
	}
	inv := 1 / (float64(n) * float64(k) * t.norm)
	coef := 2 * scale * inv
	sum, part := 0.0, 0.0
	for c := 0; c < k; c++ {
		if c%colBlock == 0 && c > 0 {
			sum, part = sum+part, 0
		}
		order := refSort(vals, n, k, c)
		tgt := target[c*n:][:len(order)]
		for r, i := range order {
			p := int(i)*k + c
			d := float64(vals[p]) - float64(tgt[r])
			part += d * d
			out[p] = T(coef * d)
		}
	}
	return (sum + part) * inv
}
