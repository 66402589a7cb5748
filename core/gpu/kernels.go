package gpu

import (
	_ "embed"
	"sync"
)

// The shaders (wgsl/): what each computes is written at the top of its file.
var (
	//go:embed wgsl/source.wgsl
	sourceWGSL string
	//go:embed wgsl/conv.wgsl
	convWGSL string
	//go:embed wgsl/conv_direct.wgsl
	convDirectWGSL string
	//go:embed wgsl/pool.wgsl
	poolWGSL string
	//go:embed wgsl/pad.wgsl
	padWGSL string
	//go:embed wgsl/add.wgsl
	addWGSL string
)

// Padding modes as the shaders number them.
const (
	padZero     = 0
	padReflect  = 1
	padCircular = 2
)

// padMode maps core/vgg's padding names.
func padMode(name string) (uint32, bool) {
	switch name {
	case "zero", "":
		return padZero, true
	case "reflect":
		return padReflect, true
	case "circular":
		return padCircular, true
	}
	return 0, false
}

// step is one dispatch of a recorded program (or, with copy set, a buffer copy: from, from
// offset, to, to offset, bytes). entries bind buffers to the shader's bindings 1…; binding 0 is
// params, a uniform buffer of u32s.
type step struct {
	pipeline int
	entries  [][2]int // binding, buffer
	params   []uint32
	groups   [2]int
	copy     []int
}

// read is a range of a buffer (in floats) read back after a program.
type read struct{ buffer, offset, count int }

// kernels are the compiled pipelines. conv is the convolution a Net uses: the tiled one on a
// GPU, the direct one on a CPU implementation (conv_direct.wgsl says why); both are tested.
type kernels struct {
	conv, pool, unpool, fold, add int
	convTiled                     bool // conv is conv.wgsl's tiled kernel
}

// kernelCache holds a device's compiled pipelines: compiling takes a while (seconds on a CPU
// implementation, the tiled convolution most), so every Net on the device shares them, and each
// convolution kernel is compiled only when one is asked for.
type kernelCache struct {
	mu     sync.Mutex
	common *kernels
	convs  map[bool]int // tiled → pipeline
}

// kernels returns the device's pipelines with the convolution that suits it.
func (d *Device) kernels() (kernels, error) { return d.kernelsWith(!d.Emulated()) }

// kernelsWith returns them with the tiled or the direct convolution.
func (d *Device) kernelsWith(tiled bool) (kernels, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.common == nil {
		var k kernels
		for _, p := range []struct {
			dst               *int
			code, entry, name string
		}{
			{&k.pool, poolWGSL, "forward", "pool"},
			{&k.unpool, poolWGSL, "backward", "pool adjoint"},
			{&k.fold, sourceWGSL + padWGSL, "main", "padding adjoint"},
			{&k.add, addWGSL, "main", "add"},
		} {
			var err error
			if *p.dst, err = d.pipeline(p.code, p.entry, p.name); err != nil {
				return k, err
			}
		}
		d.common, d.convs = &k, map[bool]int{}
	}
	k := *d.common
	conv, ok := d.convs[tiled]
	if !ok {
		code, name := convDirectWGSL, "direct conv"
		if tiled {
			code, name = convWGSL, "tiled conv"
		}
		var err error
		if conv, err = d.pipeline(sourceWGSL+code, "main", name); err != nil {
			return k, err
		}
		d.convs[tiled] = conv
	}
	k.conv, k.convTiled = conv, tiled
	return k, nil
}

// Workgroup tiles, as the shaders declare them.
const (
	convTileM = 64  // conv.wgsl BM; conv_direct.wgsl's workgroup
	convTileN = 64  // conv.wgsl BN
	directN   = 4   // conv_direct.wgsl: channels per invocation
	lineGroup = 256 // the element-wise shaders' workgroup size
	maxGroups = 65535
)

// convStep is y = conv3×3(x) on an oh × ow output grid read from an ih × iw input (see
// conv.wgsl for base and mode); mask is the backward's ReLU mask (x itself forward).
func (k kernels) convStep(x, wt, bias, mask, y int, oh, ow, ih, iw, cin, cout int, base int32, pad, mode uint32) step {
	m := oh * ow
	tileN := directN
	if k.convTiled {
		tileN = convTileN
	}
	return step{
		pipeline: k.conv,
		entries:  [][2]int{{1, x}, {2, wt}, {3, bias}, {4, mask}, {5, y}},
		params: []uint32{uint32(m), uint32(cout), uint32(9 * cin), uint32(cin), uint32(ow), uint32(ih), uint32(iw),
			uint32(base), pad, mode},
		groups: [2]int{ceilDiv(m, convTileM), ceilDiv(cout, tileN)},
	}
}

// poolStep is out = maxpool2(x) for x h × w × c.
func (k kernels) poolStep(x, out, h, w, c int) step {
	return step{pipeline: k.pool, entries: [][2]int{{1, x}, {3, out}},
		params: []uint32{uint32(h), uint32(w), uint32(c), 0}, groups: lineGroups((h / 2) * (w / 2) * c)}
}

// unpoolStep is gx = the pool's adjoint of gy, for the pool's input x h × w × c.
func (k kernels) unpoolStep(x, gy, gx, h, w, c int) step {
	return step{pipeline: k.unpool, entries: [][2]int{{1, x}, {2, gy}, {3, gx}},
		params: []uint32{uint32(h), uint32(w), uint32(c), 0}, groups: lineGroups(h * w * c)}
}

// foldStep is dx = the padding's adjoint of dp, the gradient of a (h+2) × (w+2) × c padded input.
func (k kernels) foldStep(dp, dx, h, w, c int, pad uint32) step {
	return step{pipeline: k.fold, entries: [][2]int{{1, dp}, {2, dx}},
		params: []uint32{uint32(h), uint32(w), uint32(c), pad}, groups: lineGroups(h * w * c)}
}

// addStep is g += u over n floats.
func (k kernels) addStep(u, g, n int) step {
	return step{pipeline: k.add, entries: [][2]int{{1, u}, {2, g}},
		params: []uint32{uint32(n), 0, 0, 0}, groups: lineGroups(n)}
}

// copyStep copies n floats.
func copyStep(from, to, n int) step { return step{copy: []int{from, 0, to, 0, 4 * n}} }

// lineGroups spreads n invocations of a 256-wide shader over a 2-D grid of workgroups (one
// dimension holds at most 65535), as the shaders' index gid.x + gid.y·nw.x·256 expects.
func lineGroups(n int) [2]int {
	g := ceilDiv(n, lineGroup)
	if g <= maxGroups {
		return [2]int{max(g, 1), 1}
	}
	return [2]int{maxGroups, ceilDiv(g, maxGroups)}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
