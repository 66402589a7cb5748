package loss

import (
	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
)

// gramLayer is the Gram loss of one layer (Gatys et al. 2015): G = FᵀF/s, the channels'
// uncentred covariance over positions, and layer loss a·Σ(G−T)² against the exemplar's T.
// Dividing by the number of positions is what lets a 128 px exemplar be the target of a 256 px
// output. Two normalisations:
//   - relative: s = N, a = 1/‖T‖², so each layer's loss is a relative error and deep layers, whose
//     Gram entries are orders of magnitude larger, do not drown the shallow ones;
//   - seed: s = N·C, a = 1/4 (the seed's tf.nn.l2_loss(G_s−G_n)/2).
type gramLayer[T feature.Float] struct {
	c        int
	seedNorm bool
	// target is the exemplar's normalised Gram matrix, c×c.
	target []T
	// a is the loss's factor.
	a float64
	// g is scratch: the image's Gram matrix, then the scaled difference the gradient multiplies,
	// packed into d for the product.
	g []T
	d *gemm.Packed[T]
}

func newGramLayer[T feature.Float](m feature.Map[T], seedNorm bool) *gramLayer[T] {
	c := m.C
	l := &gramLayer[T]{
		c:        c,
		seedNorm: seedNorm,
		target:   make([]T, c*c),
		g:        make([]T, c*c),
	}
	l.d = gemm.Pack(1, c, c, l.at)
	n := m.Positions()
	gram(l.target, m.Data, n, c)
	inv := 1 / l.size(n)
	norm2 := 0.0
	for i, x := range l.target {
		x = T(float64(x) * inv)
		l.target[i] = x
		norm2 += float64(x) * float64(x)
	}
	switch {
	case seedNorm:
		l.a = 0.25
	case norm2 > 0:
		l.a = 1 / norm2
	default:
		// An all-zero exemplar layer has nothing to be relative to: fall back to the plain sum.
		l.a = 1
	}
	return l
}

// size returns s, the divisor of FᵀF, for n positions.
func (l *gramLayer[T]) size(n int) float64 {
	if l.seedNorm {
		return float64(n) * float64(l.c)
	}
	return float64(n)
}

func (l *gramLayer[T]) check(f feature.Map[T]) error { return checkChannels(f, l.c) }

// eval uses ∂L/∂F = (2a/s)·F·(D+Dᵀ) with D = G−T; D is symmetric, so this is (4a/s)·F·D.
func (l *gramLayer[T]) eval(f feature.Map[T], grad []T, scale float64) float64 {
	c, n := l.c, f.Positions()
	s := l.size(n)
	gram(l.g, f.Data, n, c)
	coef := 4 * l.a / s * scale
	sum := 0.0
	for i, x := range l.g {
		d := float64(x)/s - float64(l.target[i])
		sum += d * d
		l.g[i] = T(coef * d)
	}
	l.d.Set(l.at)
	product(grad, n, f.Data, l.d)
	return l.a * sum
}

func (l *gramLayer[T]) at(_, i, j int) T { return l.g[i*l.c+j] }

// gram sets g (c×c) = FᵀF for the n×c matrix f. It accumulates rank-4 updates over four positions
// at a time into the upper triangle only, then mirrors it: that halves the work and quarters the
// passes over g, which for 512 channels (1 MB in float32) does not stay in cache. The rows of g
// go to the workers in ranges of about equal work (row a has c−a entries), each row summed over
// the positions in the same order whoever computes it.
func gram[T feature.Float](g, f []T, n, c int) {
	parts := min(c, 4*gemm.Workers())
	gemm.Tasks(parts, func(_, i int) { gramRows(g, f, n, c, gramStart(c, parts, i), gramStart(c, parts, i+1)) })
	gemm.Ranges(c, gemm.Grain(c, 8), func(_, lo, hi int) {
		for a := lo; a < hi; a++ {
			for b := 0; b < a; b++ {
				g[a*c+b] = g[b*c+a]
			}
		}
	})
}

// gramStart is the first row of part i of parts of the upper triangle of a c×c matrix: the
// first row at which the rows before hold at least i/parts of its entries.
func gramStart(c, parts, i int) int {
	if i >= parts {
		return c
	}
	total, acc := c*(c+1)/2, 0
	for a := 0; a < c; a++ {
		if acc*parts >= total*i {
			return a
		}
		acc += c - a
	}
	return c
}

// gramRows sets rows a0 … a1−1 of the upper triangle of g = FᵀF.
func gramRows[T feature.Float](g, f []T, n, c, a0, a1 int) {
	clear(g[a0*c : a1*c])
	i := 0
	for ; i+4 <= n; i += 4 {
		f0 := f[i*c : (i+1)*c]
		f1 := f[(i+1)*c : (i+2)*c]
		f2 := f[(i+2)*c : (i+3)*c]
		f3 := f[(i+3)*c : (i+4)*c]
		for a := a0; a < a1; a++ {
			x0, x1, x2, x3 := f0[a], f1[a], f2[a], f3[a]
			if x0 == 0 && x1 == 0 && x2 == 0 && x3 == 0 {
				continue
			}
			row := g[a*c+a : (a+1)*c]
			y0 := f0[a:][:len(row)]
			y1 := f1[a:][:len(row)]
			y2 := f2[a:][:len(row)]
			y3 := f3[a:][:len(row)]
			for j := range row {
				row[j] += x0*y0[j] + x1*y1[j] + x2*y2[j] + x3*y3[j]
			}
		}
	}
	for ; i < n; i++ {
		fi := f[i*c : (i+1)*c]
		for a := a0; a < a1; a++ {
			x := fi[a]
			if x == 0 {
				continue
			}
			row := g[a*c+a : (a+1)*c]
			y := fi[a:][:len(row)]
			for j := range row {
				row[j] += x * y[j]
			}
		}
	}
}
