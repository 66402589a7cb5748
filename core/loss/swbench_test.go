package loss

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
)

// vgg128 are the positions × channels of the default sw taps (relu1_1 … relu4_3) at 128 px.
var vgg128 = []struct{ n, c int }{
	{16384, 64}, {16384, 64},
	{4096, 128}, {4096, 128},
	{1024, 256}, {1024, 256}, {1024, 256},
	{256, 512}, {256, 512}, {256, 512},
}

// BenchmarkEvalSW128 times one Eval of the default sw layer set at 128 px: the products and the
// sorts of every layer, as the optimiser runs them.
func BenchmarkEvalSW128(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	ex := make([]feature.Map[float32], len(vgg128))
	im := make([]feature.Map[float32], len(vgg128))
	weights := make([]float64, len(vgg128))
	for i, sz := range vgg128 {
		ex[i] = reluMap(rng, sz.n, sz.c)
		im[i] = reluMap(rng, sz.n, sz.c)
		weights[i] = 1
	}
	timeEval(b, Options{Kind: KindSW, Seed: 1}, ex, im, weights)
}

// BenchmarkMatch128 times only the sorting and matching of the same layer set: sortedMatch.match
// on each layer's n×c projections (random normal values, as projections of ReLU features are).
func BenchmarkMatch128(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	matches := make([]sortedMatch[float32], len(vgg128))
	vals := make([][]float32, len(vgg128))
	out := make([][]float32, len(vgg128))
	for i, sz := range vgg128 {
		ex := make([]float32, sz.n*sz.c)
		for j := range ex {
			ex[j] = float32(rng.NormFloat64())
		}
		matches[i] = newSortedMatch(newScratch[float32](), false)
		matches[i].setExemplar(ex, sz.n, sz.c)
		vals[i] = make([]float32, sz.n*sz.c)
		for j := range vals[i] {
			vals[i][j] = float32(rng.NormFloat64())
		}
		out[i] = make([]float32, sz.n*sz.c)
		matches[i].match(vals[i], out[i], sz.n, 1)
	}
	b.ResetTimer()
	for b.Loop() {
		for i, sz := range vgg128 {
			matches[i].match(vals[i], out[i], sz.n, 1)
		}
	}
}

// BenchmarkSortColumn times the sorter alone on one column of each size of vgg128, of 64 keys
// (relu4_x at 64 px) and of 128 (where the radix sort takes over from pdqsort).
func BenchmarkSortColumn(b *testing.B) {
	for _, n := range []int{64, 128, 256, 1024, 4096, 16384} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 3))
			cols := make([][]float32, 64)
			for i := range cols {
				cols[i] = make([]float32, n)
				for j := range cols[i] {
					cols[i][j] = float32(rng.NormFloat64())
				}
			}
			s := newSorter[float32]()
			i := 0
			for b.Loop() {
				s.sortColumn(cols[i%len(cols)])
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/value")
		})
	}
}

// BenchmarkMatchLayer times sortedMatch.match on one layer of each shape of vgg128.
func BenchmarkMatchLayer(b *testing.B) {
	for _, sz := range []struct{ n, c int }{{16384, 64}, {4096, 128}, {1024, 256}, {256, 512}} {
		b.Run(fmt.Sprintf("%dx%d", sz.n, sz.c), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(4, 4))
			vals := make([]float32, sz.n*sz.c)
			for j := range vals {
				vals[j] = float32(rng.NormFloat64())
			}
			m := newSortedMatch(newScratch[float32](), false)
			m.setExemplar(vals, sz.n, sz.c)
			for j := range vals {
				vals[j] = float32(rng.NormFloat64())
			}
			out := make([]float32, len(vals))
			m.match(vals, out, sz.n, 1)
			for b.Loop() {
				m.match(vals, out, sz.n, 1)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vals)), "ns/value")
		})
	}
}
