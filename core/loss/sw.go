package loss

import (
	"math"
	"math/rand/v2"

	"github.com/texsynth/texsynth/core/feature"

	"github.com/texsynth/texsynth/core/gemm"
)

// swLayer is the sliced Wasserstein loss of one layer (Heitz et al., CVPR 2021): the feature
// vectors are projected on C random unit directions and each projection's distribution over
// positions is compared with the exemplar's by sorting (sortedMatch). Unlike a Gram matrix it
// matches whole distributions, not just second moments, and the directions are redrawn during the
// run so that over many iterations it constrains many more than C marginals.
type swLayer[T feature.Float] struct {
	c, ne int
	// exemplar is a copy of the exemplar's ne×c features, kept to recompute its projections on
	// every Redraw; nil for a Set built with Refeed, whose caller hands them in again.
	exemplar []T
	// vt is c×c with direction k in row k. v (its transpose: direction k in column k, so that
	// P = F·v) and vt are kept packed for the products P = F·v and ∂L/∂F = ∂L/∂P·vᵀ.
	vt    []T
	v, pt *gemm.Packed[T]
	match sortedMatch[T]
}

func newSWLayer[T feature.Float](m feature.Map[T], rng *rand.Rand, sc *scratch[T], keep, perDirection bool) *swLayer[T] {
	c, ne := m.C, m.Positions()
	l := &swLayer[T]{
		c:     c,
		ne:    ne,
		vt:    make([]T, c*c),
		match: newSortedMatch(sc, perDirection),
	}
	if keep {
		l.exemplar = append([]T(nil), m.Data...)
	}
	l.v = gemm.Pack(1, c, c, l.dir)
	l.pt = gemm.Pack(1, c, c, l.dirT)
	l.redraw(rng, m.Data)
	return l
}

func (l *swLayer[T]) dir(_, j, k int) T  { return l.vt[k*l.c+j] } // v[j, k]: direction k's entry j
func (l *swLayer[T]) dirT(_, k, j int) T { return l.vt[k*l.c+j] } // vᵀ[k, j]

// redraw draws c new directions, normal entries normalised to unit length (uniform on the sphere),
// and recomputes the sorted projections of the exemplar's features ex. It allocates nothing.
func (l *swLayer[T]) redraw(rng *rand.Rand, ex []T) {
	c := l.c
	for k := 0; k < c; k++ {
		dir := l.vt[k*c : (k+1)*c]
		ss := 0.0
		for j := range dir {
			x := rng.NormFloat64()
			dir[j] = T(x)
			ss += x * x
		}
		inv := 1 / math.Sqrt(ss)
		for j, x := range dir {
			dir[j] = T(float64(x) * inv)
		}
	}
	l.v.Set(l.dir)
	l.pt.Set(l.dirT)
	exProj := l.match.sc.projections(l.ne * c)
	gemm.Product(exProj, l.ne, ex, l.v)
	l.match.setExemplar(exProj, l.ne, c)
}

func (l *swLayer[T]) check(f feature.Map[T]) error { return checkChannels(f, l.c) }

// eval projects, matches the sorted projections, and takes the gradient back through the
// projection: ∂L/∂F = ∂L/∂P · vᵀ. The projections are made in grad's storage and turned into
// their gradient there, so the layer needs no buffer of its own the size of its features.
func (l *swLayer[T]) eval(f feature.Map[T], grad []T, scale float64) float64 {
	n := f.Positions()
	product(grad, n, f.Data, l.v)
	loss := l.match.match(grad, grad, n, scale)
	gemm.ProductInPlace(grad, n, l.pt)
	return loss
}
