package vgg

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/gemm"
)

// Tiled evaluation (after Galerne et al. 2022, who compute VGG's forward and backward passes
// exactly, tile by tile, on 6048×8064 images): the image is cut into tiles whose interiors
// partition every tap's map, and each tile is evaluated on its interior plus the halo its
// interior's receptive field reaches, so that the interior features are exactly the whole
// image's. Forward assembles the interiors into whole maps; Backward runs each tile's forward
// pass again (only one tile's activations are ever held: the last tile's are still there, so it
// starts with that one) and its backward pass with the upstream
// gradient of its interior (zero on the halo), adding the tile's image gradient into the
// image's. Memory is then the assembled maps plus one tile's workspace, whatever the image's
// size (the loss may write its gradient over the assembled maps: MapsFree); the kernels are packed once and shared by every tile.
//
// A tile is described by the axes of its maps (layout.go), found from the whole image's: along
// each axis, the positions a tile needs at each map are found backwards from its interior at the
// deepest tap (a conv needs its neighbours through the padding, a pool its two inputs), and the
// tile holds, at the image, the shortest run of positions (around the image's edge, for circular
// padding) that covers them; its maps follow forwards, the pools pairing only positions the
// whole image's pools pair. So the padding of a conv applies where the whole image's does — zero
// or reflect at the image's border, never at a tile's — and circular padding wraps across the
// image's edge, at odd sizes too. The results equal the whole image's up to float rounding (the
// Winograd tiles and the sums of the halo's gradients fall differently).

// DefaultTileBudget is the size above which the fast engine tiles an image by default: an image
// whose whole-image workspace (every stage's output and the backward pass's buffers) would need
// more bytes is evaluated in tiles of DefaultTileSide.
var DefaultTileBudget = func() int64 {
	if runtime.GOOS == "js" {
		return 768 << 20 // wasm memory never shrinks, and holds 4 GiB at most
	}
	// 1024 px (about 1.8 GB whole) runs in four tiles: a fourth of the network's buffers and
	// none for the loss's gradient (MapsFree), for about 1.7× the network's work.
	return 1 << 30
}()

// DefaultTileSide is the side of a tile's interior, at the image, when an image is tiled by
// default: large enough that the halo (about 50 px each side for VGG-16 to conv4_3) costs
// little, small enough that a tile's workspace is a few hundred megabytes.
const DefaultTileSide = 512

// SetTiles sets how the engine tiles images: side > 0 evaluates any image wider or taller than
// side in tiles whose interiors are about side px (a multiple of the pools' 2^k); 0 restores the
// default (tiles of DefaultTileSide for an image whose workspace would exceed
// DefaultTileBudget); a negative side never tiles.
func (n *Fast[T]) SetTiles(side int) { n.tileSide = side }

// MapsFree reports whether the last Forward was tiled: its maps are then the engine's assembled
// copies of the tiles' interiors, which Backward does not read (it runs each tile's forward pass
// again), so the caller may write the loss's gradient over them (FreeMaps).
func (n *Fast[T]) MapsFree() bool { return n.tiles.active }

// tiled reports whether an h×w image is evaluated in tiles, and sets the interior side.
func (n *Fast[T]) tiled(h, w int) bool {
	switch {
	case n.tileSide < 0:
		return false
	case n.tileSide > 0:
		return h > n.tileSide || w > n.tileSide
	}
	lay, err := wholeLayout(n.plan.Stages, n.plan.Pad, h, w)
	if err != nil {
		return false // Forward reports it
	}
	total := int64(0)
	for _, s := range n.sizes(&lay) {
		total += int64(s)
	}
	return total*int64(unsafe.Sizeof(T(0))) > DefaultTileBudget && (h > DefaultTileSide || w > DefaultTileSide)
}

// tiling is the state of a tiled evaluation.
type tiling[T feature.Float] struct {
	active     bool // the last Forward was tiled: Backward runs the tiles
	fresh      bool // the workspace holds the last tile's forward pass
	h, w, side int  // what tiles was planned for
	tiles      []tile
	sizes      []int // the workspace sizes of the largest tile
	img        []T   // the image of the last Forward: Backward runs each tile's forward pass again
	maps       []feature.Map[T]
}

// tile is one tile: the layout of its maps, the image positions of its own, and where its
// interior sits in each tap's map.
type tile struct {
	lay        layout
	rows, cols []int // the image row (column) of each of the tile's rows (columns)
	taps       []interior
}

// interior is a tile's interior in one tap's map: its first local and global row and column, and
// its size.
type interior struct{ li, lj, gi, gj, h, w int }

// planTiles cuts an h×w image into tiles of about side px (at the image).
func (n *Fast[T]) planTiles(h, w, side int) error {
	t := &n.tiles
	whole, err := wholeLayout(n.plan.Stages, n.plan.Pad, h, w)
	if err != nil {
		return err
	}
	depth := len(n.plan.Stages)
	pools := 0
	for _, s := range n.plan.Stages {
		if s.Pool {
			pools++
		}
	}
	cuts := func(g []axis, size int) [][2]int {
		deep := g[depth].n
		parts := max(1, min(deep, (size+side-1)/side))
		var out [][2]int
		for p := range parts {
			out = append(out, [2]int{p * deep / parts, (p + 1) * deep / parts})
		}
		return out
	}
	var rowPlans, colPlans []axisPlan
	for _, c := range cuts(whole.rows, h) {
		rowPlans = append(rowPlans, planAxis(n.plan, whole.rows, c[0], c[1], pools))
	}
	for _, c := range cuts(whole.cols, w) {
		colPlans = append(colPlans, planAxis(n.plan, whole.cols, c[0], c[1], pools))
	}
	t.tiles = t.tiles[:0]
	t.sizes = nil
	for _, rp := range rowPlans {
		for _, cp := range colPlans {
			tl := tile{lay: layout{rows: rp.axes, cols: cp.axes}, rows: rp.global[0], cols: cp.global[0]}
			for i, isTap := range n.plan.IsTap {
				if !isTap {
					continue
				}
				m := i + 1
				r, c := rp.interior[m], cp.interior[m]
				tl.taps = append(tl.taps, interior{li: r[0], lj: c[0], gi: r[1], gj: c[1], h: r[2], w: c[2]})
			}
			sz := n.sizes(&tl.lay)
			if t.sizes == nil {
				t.sizes = sz
			}
			for k, v := range sz {
				t.sizes[k] = max(t.sizes[k], v)
			}
			t.tiles = append(t.tiles, tl)
		}
	}
	t.h, t.w, t.side = h, w, side
	// The assembled maps keep their storage from plan to plan: a run alternating between two
	// sizes (the exemplar's and the output's, at every redraw) must not allocate them anew.
	if t.maps == nil {
		t.maps = make([]feature.Map[T], len(n.plan.Taps))
	}
	j := 0
	for i, isTap := range n.plan.IsTap {
		if isTap {
			m := &t.maps[j]
			m.H, m.W, m.C = whole.rows[i+1].n, whole.cols[i+1].n, n.chans[i]
			m.Data = grow(&m.Data, m.H*m.W*m.C)
			j++
		}
	}
	return nil
}

// axisPlan is one tile's extent along one axis, at every map (0: the image, i+1: stage i's
// output).
type axisPlan struct {
	axes     []axis
	global   [][]int  // the whole map's position of each of the tile's positions
	interior [][3]int // the interior: first local position, first global position, length
}

// planAxis plans the tile whose interior at the deepest map is [u, v) along an axis of the whole
// image's maps g (pools: how many pools the stages hold).
func planAxis(p *Plan, g []axis, u, v, pools int) axisPlan {
	stages, depth := p.Stages, len(p.Stages)
	level := make([]int, depth+1) // pools before map m
	for i, s := range stages {
		level[i+1] = level[i]
		if s.Pool {
			level[i+1]++
		}
	}
	// The interior at map m: [u, v) scaled to its level; the last tile takes the odd positions
	// a pool drops at the far edge.
	lo := func(m int) int { return u << (pools - level[m]) }
	hi := func(m int) int {
		if v == g[depth].n {
			return g[m].n
		}
		return v << (pools - level[m])
	}
	// What each map must hold correctly, from the deepest back to the image.
	need := make([][]bool, depth+1)
	for m := range need {
		need[m] = make([]bool, g[m].n)
	}
	for r := lo(depth); r < hi(depth); r++ {
		need[depth][r] = true
	}
	for i := depth - 1; i >= 0; i-- {
		out, in := need[i+1], need[i]
		if i > 0 && p.IsTap[i-1] {
			for r := lo(i); r < hi(i); r++ {
				in[r] = true
			}
		}
		for r, ok := range out {
			if !ok {
				continue
			}
			if stages[i].Pool {
				in[2*r], in[2*r+1] = true, true
				continue
			}
			for d := -1; d <= 1; d++ {
				if s := p.Pad.Source(r+d, g[i].n); s >= 0 {
					in[s] = true
				}
			}
		}
	}
	ap := axisPlan{axes: make([]axis, depth+1), global: make([][]int, depth+1), interior: make([][3]int, depth+1)}
	ap.global[0] = cover(need[0])
	for m := 0; m <= depth; m++ {
		pos, size := ap.global[m], g[m].n
		a := axis{n: len(pos)}
		// locate finds global position q among the tile's, which run around the map from pos[0].
		locate := func(q int) int {
			if q < 0 {
				return -1
			}
			if k := (q - pos[0] + size) % size; k < len(pos) {
				return k
			}
			return -1
		}
		a.before, a.after = locate(p.Pad.Source(pos[0]-1, size)), locate(p.Pad.Source(pos[len(pos)-1]+1, size))
		if m > 0 && p.IsTap[m-1] {
			ap.interior[m] = [3]int{locate(lo(m)), lo(m), hi(m) - lo(m)}
		}
		if m < depth {
			next := pos
			if stages[m].Pool {
				// Pair positions as the whole map's pool does: an even one and the next, unless
				// the whole map's pool drops it.
				next = nil
				for k := 0; k+1 < len(pos); k++ {
					if q := pos[k]; q%2 == 0 && pos[k+1] == q+1 && q/2 < g[m+1].n {
						a.pairs = append(a.pairs, k)
						next = append(next, q/2)
						k++
					}
				}
				if a.pairs == nil {
					a.pairs = []int{} // no outputs, which is not the whole map's default
				}
			}
			ap.global[m+1] = next
		}
		ap.axes[m] = a
	}
	return ap
}

// cover returns the shortest run of positions, in order around the axis (0 follows n−1), that
// holds every needed one: all of them in order if nothing is left out.
func cover(need []bool) []int {
	n := len(need)
	// The longest run of unneeded positions, around the end; the run starts after it.
	best, bestEnd, run := 0, 0, 0
	for k := range 2 * n {
		if need[k%n] {
			run = 0
			continue
		}
		run++
		if run > best && run <= n {
			best, bestEnd = run, k
		}
	}
	start, count := 0, n
	if best > 0 {
		start, count = (bestEnd+1)%n, n-best
	}
	out := make([]int, count)
	for k := range out {
		out[k] = (start + k) % n
	}
	return out
}

// forwardTiles is Forward for a tiled image.
func (n *Fast[T]) forwardTiles(img []T, h, w int) ([]feature.Map[T], error) {
	t := &n.tiles
	t.active = false
	side := n.tileSide
	if side <= 0 {
		side = DefaultTileSide
	}
	if t.h != h || t.w != w || t.side != side {
		if err := n.planTiles(h, w, side); err != nil {
			return nil, err
		}
	}
	t.img = append(t.img[:0], img...)
	n.ws.reserve(t.sizes)
	for k := range t.tiles {
		tl := &t.tiles[k]
		n.runTile(tl)
		for j, in := range tl.taps {
			copyInterior(t.maps[j], n.ws.acts, tl, in, n.tapStage(j))
		}
	}
	t.active, t.fresh = true, true
	return t.maps, nil
}

// runTile runs a tile's forward pass on the image of the last Forward into the workspace.
func (n *Fast[T]) runTile(tl *tile) {
	n.preprocess(n.ws.x0[:len(tl.rows)*len(tl.cols)*3], n.tiles.img, n.tiles.w, tl.rows, tl.cols)
	n.forward(&n.ws, &tl.lay)
}

// tapStage is the stage of tap j.
func (n *Fast[T]) tapStage(j int) int {
	for i, isTap := range n.plan.IsTap {
		if isTap {
			if j == 0 {
				return i
			}
			j--
		}
	}
	panic("vgg: no such tap")
}

// copyInterior copies a tile's interior of stage i's output into the whole map m.
func copyInterior[T feature.Float](m feature.Map[T], acts [][]T, tl *tile, in interior, i int) {
	lw, c := tl.lay.cols[i+1].n, m.C
	local := acts[i]
	gemm.Ranges(in.h, gemm.Grain(in.h, 1), func(_, lo, hi int) {
		for r := lo; r < hi; r++ {
			copy(m.Data[((in.gi+r)*m.W+in.gj)*c:((in.gi+r)*m.W+in.gj+in.w)*c], local[((in.li+r)*lw+in.lj)*c:])
		}
	})
}

// backwardTiles is Backward for a tiled image.
func (n *Fast[T]) backwardTiles(upstream []feature.Map[T], grad []T) error {
	t := &n.tiles
	if len(grad) != t.h*t.w*3 {
		return fmt.Errorf("vgg: image gradient of %d values for a %dx%d image", len(grad), t.h, t.w)
	}
	for j, m := range t.maps {
		if !feature.SameShape(upstream[j], m) || len(upstream[j].Data) != len(m.Data) {
			return fmt.Errorf("vgg: upstream gradient for %s has %d values, want %d", n.plan.Taps[j], len(upstream[j].Data), len(m.Data))
		}
	}
	clear(grad)
	// Last tile first: the workspace still holds its forward pass.
	for k := len(t.tiles) - 1; k >= 0; k-- {
		tl := &t.tiles[k]
		if k != len(t.tiles)-1 || !t.fresh {
			n.runTile(tl)
		}
		t.fresh = false
		g := n.backward(&n.ws, &tl.lay, func(j int, g []T) {
			in, u := tl.taps[j], upstream[j]
			lw, c := tl.lay.cols[n.tapStage(j)+1].n, u.C
			gemm.Ranges(in.h, gemm.Grain(in.h, 1), func(_, lo, hi int) {
				for r := lo; r < hi; r++ {
					dst := g[((in.li+r)*lw+in.lj)*c : ((in.li+r)*lw+in.lj+in.w)*c]
					src := u.Data[((in.gi+r)*u.W+in.gj)*c:][:len(dst)]
					for q, v := range src {
						dst[q] += v
					}
				}
			})
		})
		// The tile's image gradient into the image's: its rows are distinct image rows, so
		// they can go to different workers.
		w := len(tl.cols)
		gemm.Ranges(len(tl.rows), gemm.Grain(len(tl.rows), 1), func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				for j, col := range tl.cols {
					q := (tl.rows[i]*t.w + col) * 3
					for c := range 3 {
						grad[q+n.source[c]] += g[(i*w+j)*3+c] * n.scale[c]
					}
				}
			}
		})
	}
	return nil
}
