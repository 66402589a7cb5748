package gpu

import (
	"fmt"
	"sync"
	"time"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/weights"
)

// Net is a VGG-like network on a WebGPU device, built up to the deepest tap, in float32.
type Net struct {
	dev    *Device
	k      kernels
	stages []Stage // up to the deepest tap
	isTap  []bool
	pad    uint32
	bgr    bool
	scale  [3]float32
	mean   [3]float32
	convs  []conv // per stage (pools: zero)

	mu      sync.Mutex
	plan    *plan
	weights []int // the weights' buffers
	failed  error // once the device has failed, every call reports it
	timing  Timing
}

// Timing is where the last evaluation's time went on the device: from submitting each pass to
// its results being in Go's memory (the rest of an evaluation is the loss, on the host).
type Timing struct {
	Forward, Backward time.Duration
}

// LastTiming returns the last evaluation's Timing.
func (n *Net) LastTiming() Timing {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.timing
}

// conv is one conv layer's buffers: the forward kernel [9·in × out] (row t·in + c), the
// backward one [9·out × in] (flipped and transposed), the bias.
type conv struct {
	in, out        int
	fwd, bwd, bias int
}

// New uploads the network to the device: stages in order (Stages(vgg.Taps()) for VGG-16), the
// conv layers' weights from w, the taps (stage names) whose features the loss reads, and the
// padding (zero, reflect or circular).
func New(dev *Device, stages []Stage, w *weights.File, taps []string, pad string) (*Net, error) {
	k, err := dev.kernels()
	if err != nil {
		return nil, err
	}
	return build(dev, k, stages, w, taps, pad)
}

// build is New with the given kernels.
func build(dev *Device, k kernels, stages []Stage, w *weights.File, taps []string, pad string) (*Net, error) {
	mode, ok := padMode(pad)
	if !ok {
		return nil, fmt.Errorf("gpu: unknown padding %q", pad)
	}
	n := &Net{dev: dev, k: k, pad: mode, bgr: w.Pre.Order == "bgr"}
	for c := range 3 {
		n.scale[c] = float32(float64(w.Pre.Scale) / float64(w.Pre.Std[c]))
		n.mean[c] = float32(float64(w.Pre.Mean[c]) / float64(w.Pre.Std[c]))
	}
	want := map[string]bool{}
	for _, t := range taps {
		want[t] = true
	}
	depth := 0
	for i, s := range stages {
		if want[s.Name] {
			depth = i + 1
		}
	}
	if depth == 0 || len(want) != countTaps(stages[:depth], want) {
		return nil, fmt.Errorf("gpu: taps %v are not all stages of the network", taps)
	}
	n.stages = stages[:depth]
	for _, s := range n.stages {
		n.isTap = append(n.isTap, want[s.Name])
	}
	n.convs = make([]conv, depth)
	in := 3
	for i, s := range n.stages {
		if s.Pool {
			continue
		}
		l, ok := w.Layer(s.Name)
		if !ok {
			return nil, fmt.Errorf("gpu: the weights (%s) have no %s", w.Provenance, s.Name)
		}
		if l.KH != 3 || l.KW != 3 || l.In != in {
			return nil, fmt.Errorf("gpu: %s is %d×%d×%d→%d, the network needs 3×3×%d", s.Name, l.KH, l.KW, l.In, l.Out, in)
		}
		fwd, bwd := convKernels(l)
		first, err := dev.storage([]int{4 * len(fwd), 4 * len(bwd), 4 * l.Out})
		if err != nil {
			return nil, err
		}
		c := conv{in: l.In, out: l.Out, fwd: first, bwd: first + 1, bias: first + 2}
		n.weights = append(n.weights, first, first+1, first+2)
		for _, u := range []struct {
			buf  int
			data []float32
		}{{c.fwd, fwd}, {c.bwd, bwd}, {c.bias, l.Bias}} {
			if err := dev.write(u.buf, u.data); err != nil {
				return nil, err
			}
		}
		n.convs[i] = c
		in = l.Out
	}
	return n, nil
}

func countTaps(stages []Stage, want map[string]bool) int {
	k := 0
	for _, s := range stages {
		if want[s.Name] {
			k++
		}
	}
	return k
}

// convKernels lays a layer's OIHW kernel out for conv.wgsl: forward [t·in + c][o] = K[o][c][t],
// backward [t·out + o][c] = K[o][c][8 − t] (the flipped kernel, transposed).
func convKernels(l *weights.Layer) (fwd, bwd []float32) {
	k := l.Kernel()
	fwd = make([]float32, 9*l.In*l.Out)
	bwd = make([]float32, 9*l.In*l.Out)
	for o := range l.Out {
		for c := range l.In {
			for t := range 9 {
				v := k[(o*l.In+c)*9+t]
				fwd[(t*l.In+c)*l.Out+o] = v
				bwd[((8-t)*l.Out+o)*l.In+c] = v
			}
		}
	}
	return fwd, bwd
}

// plan holds one image size's buffers and its two recorded programs.
type plan struct {
	h, w       int
	hs, ws, cs []int // per stage: output size
	x0         int   // the preprocessed image
	acts       []int // per stage: its output (kept for the backward pass)
	g          [2]int
	dp         int   // gradient with respect to a padded conv input
	ups        []int // per tap: its upstream gradient
	forward    int   // image → every stage; reads the taps
	backward   int   // upstream gradients → image gradient; reads it
	tapAt      []int // offset of each tap in feats
	feats      []float32
	grad       []float32
	x0Host     []float32
	ids        []int // its buffers and programs, released together
}

// releasePlan frees the current size's buffers and programs.
func (n *Net) releasePlan() {
	if n.plan != nil {
		n.dev.release(n.plan.ids)
		n.plan = nil
	}
}

// Close frees the network's buffers on the device (the device stays open for other networks).
func (n *Net) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.releasePlan()
	n.dev.release(n.weights)
	n.weights = nil
	n.failed = fmt.Errorf("%w: the network was closed", ErrDevice)
}

// planFor returns the buffers and programs for an h×w image, replacing the previous size's.
func (n *Net) planFor(h, w int) (*plan, error) {
	if p := n.plan; p != nil && p.h == h && p.w == w {
		return p, nil
	}
	n.releasePlan()
	p := &plan{h: h, w: w, x0Host: make([]float32, h*w*3), grad: make([]float32, h*w*3)}
	ch, cw, c := h, w, 3
	sizes := []int{h * w * 3} // x0
	gradMax, dpMax := h*w*3, 0
	for i, s := range n.stages {
		if s.Pool {
			if ch < 2 || cw < 2 {
				return nil, fmt.Errorf("gpu: a %dx%d image is too small for %s", h, w, s.Name)
			}
			ch, cw = ch/2, cw/2
		} else {
			dpMax = max(dpMax, (ch+2)*(cw+2)*c)
			c = n.convs[i].out
		}
		p.hs, p.ws, p.cs = append(p.hs, ch), append(p.ws, cw), append(p.cs, c)
		sizes = append(sizes, ch*cw*c)
		gradMax = max(gradMax, ch*cw*c)
	}
	sizes = append(sizes, gradMax, gradMax, max(dpMax, 1))
	total := 0
	for i := range n.stages {
		if n.isTap[i] {
			sizes = append(sizes, p.hs[i]*p.ws[i]*p.cs[i])
			p.tapAt = append(p.tapAt, total)
			total += p.hs[i] * p.ws[i] * p.cs[i]
		}
	}
	p.feats = make([]float32, total)
	bytes := make([]int, len(sizes))
	for i, s := range sizes {
		bytes[i] = 4 * s
	}
	first, err := n.dev.storage(bytes)
	if err != nil {
		return nil, err
	}
	for i := range sizes {
		p.ids = append(p.ids, first+i)
	}
	p.x0 = first
	for i := range n.stages {
		p.acts = append(p.acts, first+1+i)
	}
	next := first + 1 + len(n.stages)
	p.g = [2]int{next, next + 1}
	p.dp = next + 2
	for t := range p.tapAt {
		p.ups = append(p.ups, next+3+t)
	}
	n.plan = p
	if p.forward, err = n.dev.program(n.forwardSteps(p)); err != nil {
		return nil, err
	}
	p.ids = append(p.ids, p.forward)
	if p.backward, err = n.dev.program(n.backwardSteps(p)); err != nil {
		return nil, err
	}
	p.ids = append(p.ids, p.backward)
	return p, nil
}

// forwardSteps runs every stage on x0 and reads the taps.
func (n *Net) forwardSteps(p *plan) ([]step, []read) {
	var steps []step
	var reads []read
	x, ch, cw, c := p.x0, p.h, p.w, 3
	for i, s := range n.stages {
		if s.Pool {
			steps = append(steps, n.k.poolStep(x, p.acts[i], ch, cw, c))
		} else {
			cv := n.convs[i]
			steps = append(steps, n.k.convStep(x, cv.fwd, cv.bias, x, p.acts[i], ch, cw, ch, cw, c, cv.out, -1, n.pad, 0))
		}
		x, ch, cw, c = p.acts[i], p.hs[i], p.ws[i], p.cs[i]
		if n.isTap[i] {
			reads = append(reads, read{buffer: x, count: ch * cw * c})
		}
	}
	return steps, reads
}

// backwardSteps carries the upstream gradients back to the image: from the deepest tap, each
// stage's adjoint (pool: routed to the maximum; conv: ReLU mask, transposed convolution, the
// padding's adjoint), adding each tap's upstream gradient on the way; reads ∂/∂x0.
func (n *Net) backwardSteps(p *plan) ([]step, []read) {
	var steps []step
	tap := len(p.ups)
	cur := 0
	for i := len(n.stages) - 1; i >= 0; i-- {
		size := p.hs[i] * p.ws[i] * p.cs[i]
		if n.isTap[i] {
			tap--
			if i == len(n.stages)-1 {
				steps = append(steps, copyStep(p.ups[tap], p.g[cur], size))
			} else {
				steps = append(steps, n.k.addStep(p.ups[tap], p.g[cur], size))
			}
		}
		in, ih, iw, ic := p.x0, p.h, p.w, 3
		if i > 0 {
			in, ih, iw, ic = p.acts[i-1], p.hs[i-1], p.ws[i-1], p.cs[i-1]
		}
		gy, gx := p.g[cur], p.g[1-cur]
		if n.stages[i].Pool {
			steps = append(steps, n.k.unpoolStep(in, gy, gx, ih, iw, ic))
		} else {
			cv := n.convs[i]
			steps = append(steps,
				n.k.convStep(gy, cv.bwd, cv.bias, p.acts[i], p.dp, ih+2, iw+2, ih, iw, cv.out, ic, -2, padZero, 1),
				n.k.foldStep(p.dp, gx, ih, iw, ic, n.pad))
		}
		cur = 1 - cur
	}
	return steps, []read{{buffer: p.g[cur], count: p.h * p.w * 3}}
}

// Taps returns the tap names, in the order features are returned.
func (n *Net) Taps() []string {
	var names []string
	for i, s := range n.stages {
		if n.isTap[i] {
			names = append(names, s.Name)
		}
	}
	return names
}

// forward uploads the preprocessed image, runs the network and reads the taps into p.feats.
func (n *Net) forward(img []float32, h, w int) (*plan, error) {
	if n.failed != nil {
		return nil, n.failed
	}
	if h < 1 || w < 1 || len(img) != h*w*3 {
		return nil, fmt.Errorf("gpu: image of %d values is not %dx%dx3", len(img), h, w)
	}
	p, err := n.planFor(h, w)
	if err != nil {
		return nil, n.fail(err)
	}
	for i := 0; i < h*w; i++ {
		for c := range 3 {
			p.x0Host[i*3+c] = img[i*3+n.source(c)]*n.scale[c] - n.mean[c]
		}
	}
	if err := n.dev.write(p.x0, p.x0Host); err != nil {
		return nil, n.fail(err)
	}
	if n.timing.Forward, err = n.dev.run(p.forward, p.feats); err != nil {
		return nil, n.fail(err)
	}
	return p, nil
}

// source is the image channel the network's input channel c is: the weights may want BGR.
func (n *Net) source(c int) int {
	if n.bgr {
		return 2 - c
	}
	return c
}

// fail keeps a device error: the device is not used again.
func (n *Net) fail(err error) error {
	if n.failed == nil {
		n.failed = err
	}
	return err
}

// taps returns views of the tap features in p.feats (valid until the next forward).
func (n *Net) taps(p *plan) []loss.Map[float32] {
	var maps []loss.Map[float32]
	t := 0
	for i := range n.stages {
		if n.isTap[i] {
			size := p.hs[i] * p.ws[i] * p.cs[i]
			maps = append(maps, loss.Map[float32]{H: p.hs[i], W: p.ws[i], C: p.cs[i], Data: p.feats[p.tapAt[t] : p.tapAt[t]+size]})
			t++
		}
	}
	return maps
}

// Features runs the network on an image (H×W×3, values in [0,1]) and returns every tap.
func (n *Net) Features(img []float32, h, w int) ([]loss.Map[float32], error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	p, err := n.forward(img, h, w)
	if err != nil {
		return nil, err
	}
	maps := n.taps(p)
	for i := range maps {
		maps[i].Data = append([]float32(nil), maps[i].Data...)
	}
	return maps, nil
}

// Evaluate is core/vgg's Net.Evaluate on the GPU: it runs the network on img, calls upstream
// with the tap features (views valid only during the call) to get ∂loss/∂features, and returns
// the image gradient of Σ_tap ⟨F_tap, upstream_tap⟩. An error wrapping ErrDevice means the GPU
// failed; the caller can run the same evaluation on the wasm kernels instead. Like Open it
// blocks on the GPU, so it must not run inside a callback from JavaScript.
func (n *Net) Evaluate(img []float32, h, w int, upstream func(feats []loss.Map[float32]) ([]loss.Map[float32], error)) ([]float32, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	p, err := n.forward(img, h, w)
	if err != nil {
		return nil, err
	}
	feats := n.taps(p)
	up, err := upstream(feats)
	if err != nil {
		return nil, err
	}
	if len(up) != len(feats) {
		return nil, fmt.Errorf("gpu: %d upstream gradients for %d taps", len(up), len(feats))
	}
	for t, u := range up {
		if len(u.Data) != len(feats[t].Data) {
			return nil, fmt.Errorf("gpu: upstream gradient %d has %d values, want %d", t, len(u.Data), len(feats[t].Data))
		}
		if err := n.dev.write(p.ups[t], u.Data); err != nil {
			return nil, n.fail(err)
		}
	}
	if n.timing.Backward, err = n.dev.run(p.backward, p.grad); err != nil {
		return nil, n.fail(err)
	}
	out := make([]float32, h*w*3)
	for i := 0; i < h*w; i++ {
		for c := range 3 {
			out[i*3+n.source(c)] = p.grad[i*3+c] * n.scale[c]
		}
	}
	return out, nil
}
