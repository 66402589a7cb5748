package loss

// The two products below compute out (n×m) = a (n×k) · b (k×m), all row-major, in i-k-j order so
// that the inner loop runs over contiguous rows of b and out. Each pass over a row of out folds in
// four rows of b, which quarters the loads and stores of out. Reslicing every row to len(row) lets
// the compiler drop the bounds checks in the inner loops.

// matMulSparse skips the zero entries of a: ReLU features are about half zeros, so F·V and F·D
// do half the work. nz is scratch of capacity at least k.
func matMulSparse[T Float](out, a, b []T, n, k, m int, nz []int32) {
	for i := 0; i < n; i++ {
		row := out[i*m : (i+1)*m]
		ar := a[i*k : (i+1)*k]
		nz = nz[:0]
		for p, x := range ar {
			if x != 0 {
				nz = append(nz, int32(p))
			}
		}
		clear(row)
		q := 0
		for ; q+4 <= len(nz); q += 4 {
			p0, p1, p2, p3 := int(nz[q]), int(nz[q+1]), int(nz[q+2]), int(nz[q+3])
			x0, x1, x2, x3 := ar[p0], ar[p1], ar[p2], ar[p3]
			b0 := b[p0*m:][:len(row)]
			b1 := b[p1*m:][:len(row)]
			b2 := b[p2*m:][:len(row)]
			b3 := b[p3*m:][:len(row)]
			for j := range row {
				row[j] += x0*b0[j] + x1*b1[j] + x2*b2[j] + x3*b3[j]
			}
		}
		for ; q < len(nz); q++ {
			p := int(nz[q])
			axpy(row, ar[p], b[p*m:])
		}
	}
}

// matMulDense is for a dense a (the gradient with respect to the projections): it computes two
// rows of out at once, so every value loaded from b serves two multiply-adds. This is about 1.4×
// faster than one row at a time.
func matMulDense[T Float](out, a, b []T, n, k, m int) {
	i := 0
	for ; i+2 <= n; i += 2 {
		r0 := out[i*m : (i+1)*m]
		r1 := out[(i+1)*m : (i+2)*m][:len(r0)]
		a0 := a[i*k : (i+1)*k]
		a1 := a[(i+1)*k : (i+2)*k][:len(a0)]
		clear(r0)
		clear(r1)
		p := 0
		for ; p+4 <= len(a0); p += 4 {
			x0, x1, x2, x3 := a0[p], a0[p+1], a0[p+2], a0[p+3]
			y0, y1, y2, y3 := a1[p], a1[p+1], a1[p+2], a1[p+3]
			b0 := b[p*m:][:len(r0)]
			b1 := b[(p+1)*m:][:len(r0)]
			b2 := b[(p+2)*m:][:len(r0)]
			b3 := b[(p+3)*m:][:len(r0)]
			for j := range r0 {
				c0, c1, c2, c3 := b0[j], b1[j], b2[j], b3[j]
				r0[j] += x0*c0 + x1*c1 + x2*c2 + x3*c3
				r1[j] += y0*c0 + y1*c1 + y2*c2 + y3*c3
			}
		}
		for ; p < len(a0); p++ {
			axpy(r0, a0[p], b[p*m:])
			axpy(r1, a1[p], b[p*m:])
		}
	}
	if i < n {
		row := out[i*m : (i+1)*m]
		clear(row)
		for p, x := range a[i*k : (i+1)*k] {
			axpy(row, x, b[p*m:])
		}
	}
}

// axpy adds x·y[:len(row)] to row.
func axpy[T Float](row []T, x T, y []T) {
	y = y[:len(row)]
	for j := range row {
		row[j] += x * y[j]
	}
}
