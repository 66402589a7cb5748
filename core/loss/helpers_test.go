package loss

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/texsynth/texsynth/core/feature"
)

// shape is a feature map's size.
type shape struct{ h, w, c int }

// randMap returns a map of continuous random values (no ties, so sorts have one answer).
func randMap(rng *rand.Rand, s shape) feature.Map[float64] {
	m := feature.Map[float64]{H: s.h, W: s.w, C: s.c, Data: make([]float64, s.h*s.w*s.c)}
	for i := range m.Data {
		m.Data[i] = rng.NormFloat64()
	}
	return m
}

func randMaps(rng *rand.Rand, shapes []shape) []feature.Map[float64] {
	ms := make([]feature.Map[float64], len(shapes))
	for i, s := range shapes {
		ms[i] = randMap(rng, s)
	}
	return ms
}

// to32 rounds maps to float32.
func to32(ms []feature.Map[float64]) []feature.Map[float32] {
	out := make([]feature.Map[float32], len(ms))
	for i, m := range ms {
		d := make([]float32, len(m.Data))
		for j, x := range m.Data {
			d[j] = float32(x)
		}
		out[i] = feature.Map[float32]{H: m.H, W: m.W, C: m.C, Data: d}
	}
	return out
}

// to64 widens maps to float64.
func to64(ms []feature.Map[float32]) []feature.Map[float64] {
	out := make([]feature.Map[float64], len(ms))
	for i, m := range ms {
		d := make([]float64, len(m.Data))
		for j, x := range m.Data {
			d[j] = float64(x)
		}
		out[i] = feature.Map[float64]{H: m.H, W: m.W, C: m.C, Data: d}
	}
	return out
}

// evalCopy is Eval with the gradients copied out of the Set's storage, which the next Eval
// overwrites.
func evalCopy[T feature.Float](s *Set[T], feats []feature.Map[T]) (float64, [][]T, error) {
	total, grads, err := s.Eval(feats)
	if err != nil {
		return 0, nil, err
	}
	out := make([][]T, len(grads))
	for i, g := range grads {
		out[i] = append([]T(nil), g.Data...)
	}
	return total, out, nil
}

// directions returns the Set's current sw directions as float64 matrices, direction k in
// column k.
func directions[T feature.Float](s *Set[T]) [][]float64 {
	out := make([][]float64, len(s.layers))
	for l, ly := range s.layers {
		sw := ly.(*swLayer[T])
		c := sw.c
		v := make([]float64, c*c)
		for j := range c {
			for k := range c {
				v[j*c+k] = float64(sw.dir(0, j, k))
			}
		}
		out[l] = v
	}
	return out
}

// The reference implementations below are deliberately naive: plain loops over the definitions,
// float64 throughout, sort.Float64s.

// at returns F[i][c].
func at(m feature.Map[float64], i, c int) float64 { return m.Data[i*m.C+c] }

func refGram(ex, im feature.Map[float64], seedNorm bool) float64 {
	c := ex.C
	g := func(m feature.Map[float64]) [][]float64 {
		n := m.H * m.W
		s := float64(n)
		if seedNorm {
			s *= float64(c)
		}
		out := make([][]float64, c)
		for a := range out {
			out[a] = make([]float64, c)
			for b := range out[a] {
				for i := 0; i < n; i++ {
					out[a][b] += at(m, i, a) * at(m, i, b)
				}
				out[a][b] /= s
			}
		}
		return out
	}
	t, gi := g(ex), g(im)
	diff, norm := 0.0, 0.0
	for a := 0; a < c; a++ {
		for b := 0; b < c; b++ {
			diff += (gi[a][b] - t[a][b]) * (gi[a][b] - t[a][b])
			norm += t[a][b] * t[a][b]
		}
	}
	if seedNorm {
		return diff / 4
	}
	return diff / norm
}

// refResample returns the n quantiles of ascending src.
func refResample(src []float64, n int) []float64 {
	ne := len(src)
	out := make([]float64, n)
	for i := range out {
		t := (float64(i)+0.5)*float64(ne)/float64(n) - 0.5
		t = math.Max(0, math.Min(float64(ne-1), t))
		lo := int(math.Floor(t))
		hi := lo + 1
		if hi > ne-1 {
			hi = ne - 1
		}
		f := t - float64(lo)
		out[i] = src[lo]*(1-f) + src[hi]*f
	}
	return out
}

// refSorted compares columns: ex and im are lists of columns. The squared differences are
// divided by the mean of the exemplar columns' variances, or with perColumn each column's by its
// own.
func refSorted(ex, im [][]float64, perColumn bool) float64 {
	k := len(ex)
	n := len(im[0])
	sum, varSum, perSum := 0.0, 0.0, 0.0
	for c := 0; c < k; c++ {
		e := append([]float64(nil), ex[c]...)
		x := append([]float64(nil), im[c]...)
		sort.Float64s(e)
		sort.Float64s(x)
		mean := 0.0
		for _, v := range e {
			mean += v
		}
		mean /= float64(len(e))
		vr := 0.0
		for _, v := range e {
			vr += (v - mean) * (v - mean)
		}
		varSum += vr / float64(len(e))
		t := refResample(e, n)
		col := 0.0
		for i := range x {
			col += (x[i] - t[i]) * (x[i] - t[i])
		}
		sum += col
		perSum += col / (vr/float64(len(e)) + 1e-8)
	}
	if perColumn {
		return perSum / float64(n*k)
	}
	return sum / (float64(n*k) * (varSum/float64(k) + 1e-8))
}

// columns returns m's channels as columns, each projected on the directions v (c×c, direction k
// in column k) if v is not nil.
func columns(m feature.Map[float64], v []float64) [][]float64 {
	n, c := m.H*m.W, m.C
	cols := make([][]float64, c)
	for k := range cols {
		cols[k] = make([]float64, n)
		for i := 0; i < n; i++ {
			if v == nil {
				cols[k][i] = at(m, i, k)
				continue
			}
			for j := 0; j < c; j++ {
				cols[k][i] += at(m, i, j) * v[j*c+k]
			}
		}
	}
	return cols
}

func refEMDSeed(ex, im feature.Map[float64]) float64 {
	n, c := ex.H*ex.W, ex.C
	sum := 0.0
	for i := 0; i < n; i++ {
		e := append([]float64(nil), ex.Data[i*c:(i+1)*c]...)
		x := append([]float64(nil), im.Data[i*c:(i+1)*c]...)
		sort.Float64s(e)
		sort.Float64s(x)
		for j := range e {
			sum += (x[j] - e[j]) * (x[j] - e[j])
		}
	}
	return sum
}

// refLayers returns each layer's loss; dirs holds the sw directions (nil for other kinds).
func refLayers(opts Options, ex, im []feature.Map[float64], dirs [][]float64) []float64 {
	out := make([]float64, len(ex))
	perColumn := opts.Norm == NormDirection
	for l := range ex {
		switch opts.Kind {
		case KindGram:
			out[l] = refGram(ex[l], im[l], opts.GramNorm == GramSeed)
		case KindSW:
			out[l] = refSorted(columns(ex[l], dirs[l]), columns(im[l], dirs[l]), perColumn)
		case KindEMD:
			out[l] = refSorted(columns(ex[l], nil), columns(im[l], nil), perColumn)
		case KindEMDSeed:
			out[l] = refEMDSeed(ex[l], im[l])
		}
	}
	return out
}

// weightedMean is the total Eval must return for per-layer losses.
func weightedMean(losses, weights []float64) float64 {
	t := 0.0
	for l := range losses {
		t += weights[l] * losses[l]
	}
	return t / float64(len(losses))
}

// variant is one loss configuration the tests run through.
type variant struct {
	name string
	opts Options
	// sameSize: the loss needs the exemplar's size.
	sameSize bool
}

var variants = []variant{
	{"gram-relative", Options{Kind: KindGram, GramNorm: GramRelative}, false},
	{"gram-seed", Options{Kind: KindGram, GramNorm: GramSeed}, false},
	{"sw", Options{Kind: KindSW, Seed: 7}, false},
	{"sw-direction", Options{Kind: KindSW, Seed: 7, Norm: NormDirection}, false},
	{"emd", Options{Kind: KindEMD}, false},
	{"emd-direction", Options{Kind: KindEMD, Norm: NormDirection}, false},
	{"emd-seed", Options{Kind: KindEMDSeed}, true},
}

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}
