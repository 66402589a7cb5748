package loss

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/texsynth/texsynth/core/feature"
)

// reluMap is a float32 map like a ReLU tap's: about half zeros.
func reluMap(rng *rand.Rand, n, c int) feature.Map[float32] {
	m := feature.Map[float32]{H: n, W: 1, C: c, Data: make([]float32, n*c)}
	for i := range m.Data {
		if x := rng.NormFloat64(); x > 0 {
			m.Data[i] = float32(x)
		}
	}
	return m
}

// benchEval times one Eval of a one-layer Set on n positions × c channels, the sizes of the
// first taps at 128 px (16384×64), relu4_x at 128 px (256×512) and at 256 px (1024×512).
func benchEval(b *testing.B, opts Options) {
	for _, sz := range []struct{ n, c int }{{16384, 64}, {256, 512}, {1024, 512}} {
		b.Run(fmt.Sprintf("%dx%d", sz.n, sz.c), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			ex := []feature.Map[float32]{reluMap(rng, sz.n, sz.c)}
			im := []feature.Map[float32]{reluMap(rng, sz.n, sz.c)}
			timeEval(b, opts, ex, im, []float64{1})
		})
	}
}

// timeEval times Eval of the Set for ex on im, once a first call has sized its scratch.
func timeEval(b *testing.B, opts Options, ex, im []feature.Map[float32], weights []float64) {
	s, err := New(opts, ex, weights)
	if err != nil {
		b.Fatal(err)
	}
	s.Eval(im)
	b.ResetTimer()
	for b.Loop() {
		s.Eval(im)
	}
}

func BenchmarkEvalSW32(b *testing.B)   { benchEval(b, Options{Kind: KindSW, Seed: 1}) }
func BenchmarkEvalGram32(b *testing.B) { benchEval(b, Options{Kind: KindGram}) }
func BenchmarkEvalEMD32(b *testing.B)  { benchEval(b, Options{Kind: KindEMD}) }
