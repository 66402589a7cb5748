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
	// every Redraw.
	exemplar []T
	// vt is c×c with direction k in row k. v (its transpose: direction k in column k, so that
	// P = F·v) and vt are kept packed for the products P = F·v and ∂L/∂F = ∂L/∂P·vᵀ.
	vt    []T
	v, pt *gemm.Packed[T]
	// proj is scratch for the projections: the exemplar's on a redraw, the image's on every
	// evaluation, overwritten in place by the gradient with respect to them.
	proj  []T
	match sortedMatch[T]
}

func newSWLayer[T feature.Float](m feature.Map[T], rng *rand.Rand, perDirection bool) *swLayer[T] {
	c, ne := m.C, m.Positions()
	l := &swLayer[T]{
		c:        c,
		ne:       ne,
		exemplar: append([]T(nil), m.Data...),
		vt:       make([]T, c*c),
		match:    newSortedMatch[T](perDirection),
	}
	l.v = gemm.Pack(1, c, c, l.dir)
	l.pt = gemm.Pack(1, c, c, l.dirT)
	l.redraw(rng)
	return l
}

func (l *swLayer[T]) dir(_, j, k int) T  { return l.vt[k*l.c+j] } // v[j, k]: direction k's entry j
func (l *swLayer[T]) dirT(_, k, j int) T { return l.vt[k*l.c+j] } // vᵀ[k, j]

// redraw draws c new directions, normal entries normalised to unit length (uniform on the sphere),
// and recomputes the exemplar's sorted projections. It allocates nothing.
func (l *swLayer[T]) redraw(rng *rand.Rand) {
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
	exProj := l.scratch(l.ne)
	gemm.Product(exProj, l.ne, l.exemplar, l.v)
	l.match.setExemplar(exProj, l.ne, c)
}

func (l *swLayer[T]) check(f feature.Map[T]) error { return checkChannels(f, l.c) }

// scratch returns proj sized for n positions.
func (l *swLayer[T]) scratch(n int) []T {
	if cap(l.proj) < n*l.c {
		l.proj = make([]T, n*l.c)
	}
	return l.proj[:n*l.c]
}

// eval projects, matches the sorted projections, and takes the gradient back through the
// projection: ∂L/∂F = ∂L/∂P · vᵀ.
func (l *swLayer[T]) eval(f feature.Map[T], grad []T, scale float64) float64 {
	n := f.Positions()
	proj := l.scratch(n)
	gemm.Product(proj, n, f.Data, l.v)
	loss := l.match.match(proj, proj, n, scale)
	gemm.Product(grad, n, proj, l.pt)
	return loss
}
