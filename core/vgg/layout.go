package vgg

import "fmt"

// axis is one axis (rows or columns) of a map as one evaluation of the fast engine holds it:
// how many positions it has, which of them a 3×3 conv's padding copies ahead of the first and
// after the last, and how a 2×2 pool pairs them. For a whole image these follow from the
// padding mode alone; for a tile (tile.go) they say where the tile's positions sit in the whole
// image's map, so that a tile computes exactly what the whole image computes at its interior.
type axis struct {
	n int
	// before and after are the positions the padding of a conv reading this map copies ahead of
	// position 0 and after position n−1, or −1 for a zero.
	before, after int
	// pairs holds, for a pool reading this map, the first of the two positions each of its
	// outputs takes the maximum over; nil means 0, 2, 4, … (n/2 outputs: an odd last position is
	// dropped, as in PyTorch's and Caffe's VGG).
	pairs []int
}

// pooled is the number of positions a pool reading the map outputs.
func (a *axis) pooled() int {
	if a.pairs != nil {
		return len(a.pairs)
	}
	return a.n / 2
}

// pair is the first input position of pool output i.
func (a *axis) pair(i int) int {
	if a.pairs != nil {
		return a.pairs[i]
	}
	return 2 * i
}

// source maps a position of the padded axis (−1 … n) to the position it copies, or −1 for a
// zero.
func (a *axis) source(p int) int {
	switch p {
	case -1:
		return a.before
	case a.n:
		return a.after
	}
	return p
}

// copiedAt lists the positions of the padded axis (0 … n+1) that hold position a: itself at
// a+1, and the padding's before and after where they copy it.
func (ax *axis) copiedAt(a int) (at [3]int, k int) {
	at[0], k = a+1, 1
	if ax.before == a {
		at[k], k = 0, k+1
	}
	if ax.after == a {
		at[k], k = ax.n+1, k+1
	}
	return at, k
}

// layout holds the axes of every map of one evaluation: index 0 is the image, index i+1 the
// output of stage i.
type layout struct {
	rows, cols []axis
}

// wholeLayout is the layout of an h×w image and its maps under pad: the whole image evaluated
// at once.
func wholeLayout(stages []Stage, pad Pad, h, w int) (layout, error) {
	var l layout
	side := func(n int) axis { return axis{n: n, before: pad.Source(-1, n), after: pad.Source(n, n)} }
	l.rows, l.cols = []axis{side(h)}, []axis{side(w)}
	for _, s := range stages {
		r, c := l.rows[len(l.rows)-1], l.cols[len(l.cols)-1]
		if s.Pool {
			if r.n < 2 || c.n < 2 {
				return layout{}, fmt.Errorf("vgg: a %dx%d image is too small for %s", h, w, s.Name)
			}
			r, c = side(r.n/2), side(c.n/2)
		}
		l.rows, l.cols = append(l.rows, r), append(l.cols, c)
	}
	return l, nil
}

// positions is the number of positions of map i.
func (l *layout) positions(i int) int { return l.rows[i].n * l.cols[i].n }
