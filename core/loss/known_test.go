package loss

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
)

// evalOne evaluates a one-layer Set of weight 1 and returns the loss and gradient.
func evalOne(t *testing.T, opts Options, ex, im feature.Map[float64]) (float64, []float64) {
	t.Helper()
	s, err := New(opts, []feature.Map[float64]{ex}, []float64{1})
	if err != nil {
		t.Fatal(err)
	}
	total, g, err := evalCopy(s, []feature.Map[float64]{im})
	if err != nil {
		t.Fatal(err)
	}
	return total, g[0]
}

func TestZeroWhenImageIsExemplar(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ex := randMaps(rng, []shape{{3, 3, 4}, {2, 5, 3}})
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			s, err := New(v.opts, ex, []float64{1, 2})
			if err != nil {
				t.Fatal(err)
			}
			for round := 0; round < 2; round++ {
				// After Redraw the targets must be recomputed for the new directions.
				if round > 0 {
					s.Redraw()
				}
				total, grads, err := evalCopy(s, ex)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(total) > 1e-12 {
					t.Errorf("round %d: loss %v, want 0", round, total)
				}
				for l, g := range grads {
					for _, x := range g {
						if math.Abs(x) > 1e-12 {
							t.Fatalf("round %d layer %d: gradient %v, want 0", round, l, x)
						}
					}
				}
			}
		})
	}
}

// TestGramHandExample: F_exemplar = I (2 positions × 2 channels), F_image = [[1,1],[0,0]].
func TestGramHandExample(t *testing.T) {
	ex := feature.Map[float64]{H: 1, W: 2, C: 2, Data: []float64{1, 0, 0, 1}}
	im := feature.Map[float64]{H: 1, W: 2, C: 2, Data: []float64{1, 1, 0, 0}}

	// Seed: G = FᵀF/(N·C) = FᵀF/4, so T = I/4 and G = [[1,1],[1,1]]/4; G−T = [[0,¼],[¼,0]];
	// Σ(G−T)² = 1/8; /4 → 1/32. ∂L/∂F = (2·¼/4)·F·2(G−T) = [[1/16, 1/16], [0, 0]].
	loss, g := evalOne(t, Options{Kind: KindGram, GramNorm: GramSeed}, ex, im)
	if math.Abs(loss-1.0/32) > 1e-15 {
		t.Errorf("seed gram loss %v, want 1/32", loss)
	}
	if want := []float64{1.0 / 16, 1.0 / 16, 0, 0}; !slices.Equal(g, want) {
		t.Errorf("seed gram gradient %v, want %v", g, want)
	}

	// Relative: G = FᵀF/2, T = I/2 (‖T‖² = ½), G−T = [[0,½],[½,0]] (‖·‖² = ½): loss 1.
	loss, _ = evalOne(t, Options{Kind: KindGram}, ex, im)
	if math.Abs(loss-1) > 1e-15 {
		t.Errorf("relative gram loss %v, want 1", loss)
	}
}

// TestEMDSeedVersusEMD shows the seed's EMD's flaw on a hand example: it is blind to channels
// permuted within a position and sees positions permuted; the per-channel EMD is the reverse.
func TestEMDSeedVersusEMD(t *testing.T) {
	ex := feature.Map[float64]{H: 1, W: 2, C: 2, Data: []float64{1, 2, 3, 4}}
	positionsSwapped := feature.Map[float64]{H: 1, W: 2, C: 2, Data: []float64{3, 4, 1, 2}}
	channelsSwapped := feature.Map[float64]{H: 1, W: 2, C: 2, Data: []float64{2, 1, 4, 3}}
	seed := Options{Kind: KindEMDSeed}
	emd := Options{Kind: KindEMD}

	// Rows sorted: [3,4] vs [1,2] and [1,2] vs [3,4]: four differences of 2 → 16.
	if l, _ := evalOne(t, seed, ex, positionsSwapped); l != 16 {
		t.Errorf("emd-seed, positions permuted: %v, want 16", l)
	}
	if l, _ := evalOne(t, seed, ex, channelsSwapped); l != 0 {
		t.Errorf("emd-seed, channels permuted: %v, want 0", l)
	}
	if l, _ := evalOne(t, emd, ex, positionsSwapped); l != 0 {
		t.Errorf("emd, positions permuted: %v, want 0", l)
	}
	// Channel 0 becomes {2,4} against {1,3}, channel 1 {1,3} against {2,4}: four differences of
	// 1, divided by N·K = 4 and by the mean channel variance 1 (+ε).
	if l, _ := evalOne(t, emd, ex, channelsSwapped); math.Abs(l-1) > 1e-7 {
		t.Errorf("emd, channels permuted: %v, want 1", l)
	}
}

// TestPositionsPermuted: the distribution losses do not care where things are.
func TestPositionsPermuted(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	ex := randMap(rng, shape{4, 4, 5})
	im := feature.Map[float64]{H: 4, W: 4, C: 5, Data: make([]float64, len(ex.Data))}
	perm := rng.Perm(16)
	for i, p := range perm {
		copy(im.Data[i*5:(i+1)*5], ex.Data[p*5:(p+1)*5])
	}
	for _, v := range variants {
		l, _ := evalOne(t, v.opts, ex, im)
		zero := v.opts.Kind != KindEMDSeed
		if zero && math.Abs(l) > 1e-12 {
			t.Errorf("%s: loss %v with positions permuted, want 0", v.name, l)
		}
		if !zero && l < 1 {
			t.Errorf("%s: loss %v with positions permuted, want it large", v.name, l)
		}
	}
}

func TestResample(t *testing.T) {
	src := []float64{0, 1, 2, 3}
	for _, tc := range []struct {
		n    int
		want []float64
	}{
		{4, []float64{0, 1, 2, 3}},
		{2, []float64{0.5, 2.5}},
		{8, []float64{0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3}},
		{1, []float64{1.5}},
	} {
		got := make([]float64, tc.n)
		resample(got, src)
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-15 {
				t.Errorf("resample to %d: %v, want %v", tc.n, got, tc.want)
				break
			}
		}
	}
}

// TestSorter checks both sorting paths, including negative values, zeros and a stride.
func TestSorter(t *testing.T) {
	vals := []float64{3, -1, 0.5, -7, 0, 2.25, -0.125, 9, -3, 1e-30, -1e30, 4}
	check := func(name string, order []int32, at func(int) float64) {
		t.Helper()
		got := make([]float64, len(order))
		for r, i := range order {
			got[r] = at(int(i))
		}
		if !sort.Float64sAreSorted(got) {
			t.Errorf("%s: %v not sorted", name, got)
		}
		seen := map[int32]bool{}
		for _, i := range order {
			seen[i] = true
		}
		if len(seen) != len(order) {
			t.Errorf("%s: order %v is not a permutation", name, order)
		}
	}
	s64 := newSorter[float64]()
	check("float64", s64.sort(vals, len(vals), 1, 0), func(i int) float64 { return vals[i] })
	v32 := make([]float32, len(vals))
	for i, x := range vals {
		v32[i] = float32(x)
	}
	s32 := newSorter[float32]()
	if !s32.narrow || s64.narrow {
		t.Fatal("sorter picked the wrong path")
	}
	check("float32", s32.sort(v32, len(v32), 1, 0), func(i int) float64 { return float64(v32[i]) })
	// Every third value starting at 1.
	check("float32 strided", s32.sort(v32, 4, 3, 1), func(i int) float64 { return float64(v32[1+3*i]) })
}

// TestRadixSort: radixSort must give slices.Sort's order, with ties in the value bits (the
// index below breaks them) and with a byte that is the same in every key (skipped pass).
func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 17))
	for _, n := range []int{1, 10, 1023, 1024, 1500, 5000} {
		for _, spread := range []uint32{1 << 31, 1000, 3} {
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = uint64(0x40000000+rng.Uint32N(spread))<<32 | uint64(i)
			}
			rng.Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			// Re-number so the low halves are indices again, in a scrambled value order.
			for i := range keys {
				keys[i] = keys[i]&^0xffffffff | uint64(i)
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			radixSort(keys, make([]uint64, n))
			if !slices.Equal(keys, want) {
				t.Fatalf("n %d spread %d: radixSort differs from slices.Sort", n, spread)
			}
		}
	}
}
