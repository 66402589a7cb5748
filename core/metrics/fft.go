package metrics

import (
	"math"
	"math/cmplx"
)

// FFT returns the discrete Fourier transform of x, X[k] = Σ_n x[n]·e^{−2πi·kn/N}, or with inverse
// the inverse transform (1/N)·Σ_k X[k]·e^{+2πi·kn/N}. Any length works: the transform is a
// recursive mixed-radix Cooley–Tukey over the prime factors of N (radix 2, 3, 5 … fast; a large
// prime factor falls back to its direct O(p²) sum). x is not modified.
func FFT(x []complex128, inverse bool) []complex128 {
	n := len(x)
	out := make([]complex128, n)
	if n == 0 {
		return out
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	fft(out, x, 1, n, sign)
	if inverse {
		for i := range out {
			out[i] /= complex(float64(n), 0)
		}
	}
	return out
}

// fft writes into out (length n) the transform of x[0], x[stride], x[2·stride], ….
func fft(out, x []complex128, stride, n int, sign float64) {
	if n == 1 {
		out[0] = x[0]
		return
	}
	p := smallestFactor(n)
	if p == n { // prime: direct sum
		for k := range n {
			var s complex128
			for j := range n {
				s += x[j*stride] * twiddle(sign, (j*k)%n, n)
			}
			out[k] = s
		}
		return
	}
	m := n / p
	// Sub-transforms of the p decimated sequences x[r], x[r+p], … into out[r·m : (r+1)·m].
	sub := make([]complex128, n)
	for r := range p {
		fft(sub[r*m:(r+1)*m], x[r*stride:], stride*p, m, sign)
	}
	// X[k] = Σ_r W_n^{rk} · Sub_r[k mod m].
	for k := range n {
		var s complex128
		km := k % m
		for r := range p {
			s += sub[r*m+km] * twiddle(sign, (r*k)%n, n)
		}
		out[k] = s
	}
}

func twiddle(sign float64, k, n int) complex128 {
	return cmplx.Rect(1, sign*2*math.Pi*float64(k)/float64(n))
}

func smallestFactor(n int) int {
	for p := 2; p*p <= n; p++ {
		if n%p == 0 {
			return p
		}
	}
	return n
}

// FFT2 transforms a w×h row-major plane (rows of length w) in place: each row, then each column.
func FFT2(x []complex128, w, h int, inverse bool) {
	row := make([]complex128, w)
	for y := range h {
		copy(row, x[y*w:(y+1)*w])
		copy(x[y*w:(y+1)*w], FFT(row, inverse))
	}
	col := make([]complex128, h)
	for xx := range w {
		for y := range h {
			col[y] = x[y*w+xx]
		}
		for y, v := range FFT(col, inverse) {
			x[y*w+xx] = v
		}
	}
}
