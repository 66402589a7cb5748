//go:build js && wasm

package gpu

import (
	"fmt"
	"testing"

	"github.com/texsynth/texsynth/core/internal/floats"
)

// Each shader against a plain float64 loop, on sizes that leave partial workgroup tiles.

// dispatch uploads inputs into fresh buffers, adds an output buffer of n floats, runs the steps
// built on them, and returns the output.
func dispatch(t *testing.T, d *Device, inputs [][]float64, n int, steps func(in []int, out int) []step) []float64 {
	t.Helper()
	sizes := make([]int, len(inputs)+1)
	for i, in := range inputs {
		sizes[i] = 4 * len(in)
	}
	sizes[len(inputs)] = 4 * n
	first, err := d.storage(sizes)
	if err != nil {
		t.Fatal(err)
	}
	bufs := make([]int, len(inputs))
	for i, in := range inputs {
		bufs[i] = first + i
		if err := d.write(bufs[i], floats.ToF32(in)); err != nil {
			t.Fatal(err)
		}
	}
	out := first + len(inputs)
	prog, err := d.program(steps(bufs, out), []read{{buffer: out, count: n}})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, n)
	if _, err := d.run(prog, got); err != nil {
		t.Fatal(err)
	}
	ids := []int{prog}
	for i := range sizes {
		ids = append(ids, first+i)
	}
	d.release(ids)
	return floats.Widen(got)
}

// source is padIndex of core/vgg.
func source(i, n int, pad uint32) int {
	if i >= 0 && i < n {
		return i
	}
	switch pad {
	case padReflect:
		if n == 1 {
			return 0
		}
		if i < 0 {
			return -i
		}
		return 2*n - 2 - i
	case padCircular:
		return (i + n) % n
	}
	return -1
}

var padNames = map[uint32]string{padZero: "zero", padReflect: "reflect", padCircular: "circular"}

// convSizes are (h, w, in, out): one pixel, a thin input, a tile-crossing width.
var convSizes = [][4]int{{1, 1, 3, 2}, {5, 7, 3, 9}, {9, 6, 17, 70}, {11, 13, 20, 5}}

func TestConvForward(t *testing.T) {
	d := device(t)
	for _, tiled := range []bool{true, false} {
		for _, sz := range convSizes {
			convForward(t, d, tiled, sz)
		}
	}
}

func convForward(t *testing.T, d *Device, tiled bool, sz [4]int) {
	h, w, cin, cout := sz[0], sz[1], sz[2], sz[3]
	x := randoms(h*w*cin, 1)
	k := randoms(9*cin*cout, 2) // [t·cin + c][o]
	b := randoms(cout, 3)
	for _, pad := range []uint32{padZero, padReflect, padCircular} {
		want := make([]float64, h*w*cout)
		for i := range h {
			for j := range w {
				for o := range cout {
					s := b[o]
					for t := range 9 {
						si, sj := source(i+t/3-1, h, pad), source(j+t%3-1, w, pad)
						if si < 0 || sj < 0 {
							continue
						}
						for c := range cin {
							s += x[(si*w+sj)*cin+c] * k[(t*cin+c)*cout+o]
						}
					}
					want[(i*w+j)*cout+o] = max(s, 0)
				}
			}
		}
		got := dispatch(t, d, [][]float64{x, k, b}, len(want), func(in []int, out int) []step {
			return []step{testKernels(t, d, tiled).convStep(in[0], in[1], in[2], in[0], out, h, w, h, w, cin, cout, -1, pad, 0)}
		})
		check(t, fmt.Sprintf("conv (tiled %v) %v %s", tiled, sz, padNames[pad]), got, want, 1e-5)
	}
}

// TestConvBackward: mode 1 gives ∂/∂xp of ⟨conv(xp), g·[y > 0]⟩ on the (h+2) × (w+2) padded grid.
func TestConvBackward(t *testing.T) {
	d := device(t)
	for _, tiled := range []bool{true, false} {
		for _, sz := range convSizes {
			convBackward(t, d, tiled, sz)
		}
	}
}

func convBackward(t *testing.T, d *Device, tiled bool, sz [4]int) {
	h, w, cin, cout := sz[0], sz[1], sz[2], sz[3]
	g := randoms(h*w*cout, 4)
	y := randoms(h*w*cout, 5) // the mask: about half positive
	k := randoms(9*cin*cout, 6)
	bwd := make([]float64, len(k)) // [t·out + o][c] = forward [(8−t)·in + c][o]
	for t := range 9 {
		for c := range cin {
			for o := range cout {
				bwd[(t*cout+o)*cin+c] = k[((8-t)*cin+c)*cout+o]
			}
		}
	}
	wp := w + 2
	want := make([]float64, (h+2)*wp*cin)
	for i := range h {
		for j := range w {
			for o := range cout {
				if y[(i*w+j)*cout+o] <= 0 {
					continue
				}
				for t := range 9 {
					for c := range cin {
						want[((i+t/3)*wp+j+t%3)*cin+c] += g[(i*w+j)*cout+o] * k[(t*cin+c)*cout+o]
					}
				}
			}
		}
	}
	got := dispatch(t, d, [][]float64{g, bwd, y}, len(want), func(in []int, out int) []step {
		return []step{testKernels(t, d, tiled).convStep(in[0], in[1], in[2], in[2], out, h+2, wp, h, w, cout, cin, -2, padZero, 1)}
	})
	check(t, fmt.Sprintf("conv adjoint (tiled %v) %v", tiled, sz), got, want, 1e-5)
}

// TestPadAdjoint: the fold is the adjoint of padding: ⟨pad(x), dp⟩ = ⟨x, fold(dp)⟩, i.e. every
// padded position's gradient goes to the pixel it copied.
func TestPadAdjoint(t *testing.T) {
	d := device(t)
	for _, sz := range [][3]int{{1, 1, 2}, {2, 3, 1}, {6, 5, 7}} {
		h, w, c := sz[0], sz[1], sz[2]
		wp := w + 2
		dp := randoms((h+2)*wp*c, 7)
		for _, pad := range []uint32{padZero, padReflect, padCircular} {
			want := make([]float64, h*w*c)
			for pi := range h + 2 {
				for pj := range wp {
					si, sj := source(pi-1, h, pad), source(pj-1, w, pad)
					if si < 0 || sj < 0 {
						continue
					}
					for k := range c {
						want[(si*w+sj)*c+k] += dp[(pi*wp+pj)*c+k]
					}
				}
			}
			got := dispatch(t, d, [][]float64{dp}, len(want), func(in []int, out int) []step {
				return []step{testKernels(t, d, false).foldStep(in[0], out, h, w, c, pad)}
			})
			check(t, fmt.Sprintf("pad adjoint %v %s", sz, padNames[pad]), got, want, 1e-6)
		}
	}
}

// poolSizes include odd sides (the last row or column is dropped).
var poolSizes = [][3]int{{2, 2, 1}, {5, 4, 3}, {7, 9, 70}}

func TestPool(t *testing.T) {
	d := device(t)
	for _, sz := range poolSizes {
		h, w, c := sz[0], sz[1], sz[2]
		x := randoms(h*w*c, 8)
		h2, w2 := h/2, w/2
		want := make([]float64, h2*w2*c)
		for i := range h2 {
			for j := range w2 {
				for k := range c {
					m := x[((2*i)*w+2*j)*c+k]
					for _, q := range [][2]int{{0, 1}, {1, 0}, {1, 1}} {
						m = max(m, x[((2*i+q[0])*w+2*j+q[1])*c+k])
					}
					want[(i*w2+j)*c+k] = m
				}
			}
		}
		got := dispatch(t, d, [][]float64{x}, len(want), func(in []int, out int) []step {
			return []step{testKernels(t, d, false).poolStep(in[0], out, h, w, c)}
		})
		check(t, fmt.Sprintf("pool %v", sz), got, want, 0)
	}
}

// TestPoolAdjoint: each output's gradient goes to the first input holding the maximum (ties
// included: the inputs are rounded so that some windows tie), the rest is zero.
func TestPoolAdjoint(t *testing.T) {
	d := device(t)
	for _, sz := range poolSizes {
		h, w, c := sz[0], sz[1], sz[2]
		x := randoms(h*w*c, 9)
		for i := range x {
			x[i] = float64(int(x[i] * 2)) // ties
		}
		h2, w2 := h/2, w/2
		gy := randoms(h2*w2*c, 10)
		want := make([]float64, h*w*c)
		for i := range h2 {
			for j := range w2 {
				for k := range c {
					best, at := x[((2*i)*w+2*j)*c+k], ((2*i)*w+2*j)*c+k
					for _, q := range [][2]int{{0, 1}, {1, 0}, {1, 1}} {
						p := ((2*i+q[0])*w+2*j+q[1])*c + k
						if x[p] > best {
							best, at = x[p], p
						}
					}
					want[at] += gy[(i*w2+j)*c+k]
				}
			}
		}
		got := dispatch(t, d, [][]float64{x, gy}, len(want), func(in []int, out int) []step {
			return []step{testKernels(t, d, false).unpoolStep(in[0], in[1], out, h, w, c)}
		})
		check(t, fmt.Sprintf("pool adjoint %v", sz), got, want, 0)
	}
}

func TestAdd(t *testing.T) {
	d := device(t)
	n := 70000
	u, g := randoms(n, 11), randoms(n, 12)
	want := make([]float64, n)
	for i := range want {
		want[i] = g[i] + u[i]
	}
	got := dispatch(t, d, [][]float64{u, g}, n, func(in []int, out int) []step {
		k := testKernels(t, d, false)
		return []step{copyStep(in[1], out, n), k.addStep(in[0], out, n)}
	})
	check(t, "add", got, want, 1e-6)
}

// TestLineGroups: a count beyond 65535 workgroups spreads over a second dimension, and the
// shaders' index covers every element exactly once.
func TestLineGroups(t *testing.T) {
	d := device(t)
	n := 65536*256 + 1000 // 16.8M: the size of conv1's output at 512 px
	u := make([]float64, n)
	for i := range u {
		u[i] = float64(i % 1000)
	}
	got := dispatch(t, d, [][]float64{u}, n, func(in []int, out int) []step {
		if g := lineGroups(n); g[1] < 2 {
			t.Fatalf("lineGroups(%d) = %v", n, g)
		}
		return []step{testKernels(t, d, false).addStep(in[0], out, n)}
	})
	check(t, "add over a 2-D grid", got, u, 0)
}

// testKernels returns the device's kernels with the tiled (GPU) or the direct (CPU) convolution.
func testKernels(t *testing.T, d *Device, tiled bool) kernels {
	t.Helper()
	k, err := d.kernelsWith(tiled)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// check compares with a float32 tolerance relative to the largest value.
func check(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	if e := floats.RelErr(got, want); e > tol {
		t.Errorf("%s: relative error %g > %g", what, e, tol)
	}
}
