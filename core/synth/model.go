package synth

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/backends"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/optim"
	"github.com/texsynth/texsynth/core/picture"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

// ErrDiverged is returned by Step when the loss or its gradient stops being a finite number.
var ErrDiverged = errors.New("synthesis diverged")

// Model is one synthesis run: the exemplar's statistics, the image being optimised and the
// optimiser's state. Each Step is one optimiser iteration and yields a Frame.
type Model struct {
	settings Settings
	net      *vgg.Net[float32]
	loss     *loss.Set[float32]
	opt      optim.Optimizer
	size     int
	x        []float32   // the image: size×size×3 in [0,1]
	grads    [][]float32 // ∂loss/∂features, one per tap, reused
	maps     []loss.Map[float32]
	iter     int
	redrawAt int        // evaluation count at which sw directions are next redrawn
	ext      *extension // coarse-to-fine and spectrum term (extension.go); nil when unused
}

// Frame is the state after one Step.
type Frame struct {
	Iter, Iters int
	Loss        float64
	Seconds     float64 // wall time of this step
	Evals       int     // loss evaluations so far
}

// New prepares a run: it builds the network to the deepest layer in use, computes the
// exemplar's features and starts from the exemplar's mean colour plus seeded noise.
func New(backend backends.Backend, w *weights.File, exemplar *picture.RGB, s Settings) (*Model, error) {
	s.Levels = s.levels()
	p, err := s.parse()
	if err != nil {
		return nil, err
	}
	net, err := vgg.New[float32](backend, w, p.taps, p.pad)
	if err != nil {
		return nil, err
	}
	ex := s.PrepareExemplar(exemplar)
	m := &Model{settings: s, net: net, size: s.Size, redrawAt: s.Redraw}
	// A pyramid sets up its first level itself (extend): the full-size exemplar features and
	// loss would only be thrown away.
	if s.Levels <= 1 {
		if err := m.start(ex, p); err != nil {
			return nil, err
		}
	}
	if err := m.extend(ex); err != nil {
		return nil, err
	}
	return m, nil
}

// start sets up a single-scale run: the exemplar's features and the loss at the output size, the
// optimiser, and the start image.
func (m *Model) start(ex *picture.RGB, p parsed) error {
	s := m.settings
	set, opt, err := m.scale(ex, p, s.Size, s.Seed)
	if err != nil {
		return err
	}
	m.loss, m.opt = set, opt
	m.x = startImage(ex.Mean(), s.Size, s.Seed)
	return nil
}

// scale builds what optimising a size×size image against ex needs: the loss on ex's features
// (its random directions drawn from seed) and a fresh optimiser. A single-scale run needs it
// once, a pyramid once per level.
func (m *Model) scale(ex *picture.RGB, p parsed, size int, seed uint64) (*loss.Set[float32], optim.Optimizer, error) {
	feats, err := m.net.Features(ex.Pix, ex.H, ex.W)
	if err != nil {
		return nil, nil, err
	}
	set, err := loss.New[float32](loss.Options{Kind: p.kind, GramNorm: m.settings.GramNorm, Seed: seed}, feats, p.weights)
	if err != nil {
		return nil, nil, err
	}
	opt, err := optim.New(m.settings.Optimizer, size*size*3, optim.Box{Lo: 0, Hi: 1})
	if err != nil {
		return nil, nil, err
	}
	return set, opt, nil
}

// prepareExemplar crops and scales the exemplar as the settings say.
func prepareExemplar(ex *picture.RGB, s Settings) *picture.RGB {
	side := s.ExemplarSize
	if side == 0 {
		side = s.Size
	}
	if side < 0 {
		return ex
	}
	sq := min(ex.W, ex.H)
	if ex.W != ex.H {
		ex = picture.CenterCrop(ex, sq, sq)
	}
	if sq != side {
		ex = picture.Resize(ex, side, side)
	}
	return ex
}

// startImage is the exemplar's mean colour plus Gaussian noise (σ = 0.1), clipped to [0,1]:
// starting at the right mean colour saves the optimiser its first, dullest iterations.
func startImage(mean [3]float32, size int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	x := make([]float32, size*size*3)
	for i := range x {
		v := mean[i%3] + float32(0.1*rng.NormFloat64())
		x[i] = min(max(v, 0), 1)
	}
	return x
}

// evaluate is the optimiser's objective: features, loss and its gradient, then the network's
// backward pass to the pixels (on the fast conv path, one forward and one backward pass).
func (m *Model) evaluate(x, grad []float32) (float64, error) {
	var value float64
	g, err := m.net.Evaluate(x, m.size, m.size, func(feats []loss.Map[float32]) ([]loss.Map[float32], error) {
		if m.grads == nil {
			m.grads = make([][]float32, len(feats))
			m.maps = make([]loss.Map[float32], len(feats))
			for i, f := range feats {
				m.grads[i] = make([]float32, len(f.Data))
			}
		}
		var err error
		if value, err = m.loss.Eval(feats, m.grads); err != nil {
			return nil, err
		}
		for i, f := range feats {
			m.maps[i] = loss.Map[float32]{H: f.H, W: f.W, C: f.C, Data: m.grads[i]}
		}
		return m.maps, nil
	})
	if err != nil {
		return 0, err
	}
	copy(grad, g)
	return value, nil
}

// Step runs one optimiser iteration and reports it. With the sliced Wasserstein loss, new
// random directions are drawn every Settings.Redraw evaluations; the optimiser's history is
// then dropped, since it describes a different objective.
func (m *Model) Step() (Frame, error) {
	if m.Done() {
		return Frame{}, fmt.Errorf("synth: all %d iterations are done", m.settings.Iters)
	}
	if err := m.beforeStep(); err != nil {
		return Frame{}, err
	}
	start := time.Now()
	if m.opt.Evals() >= m.redrawAt {
		m.loss.Redraw()
		m.opt.Reset()
		m.redrawAt = m.opt.Evals() + m.settings.Redraw
	}
	value, err := m.opt.Step(m.x, m.objective)
	if errors.Is(err, optim.ErrNotFinite) {
		return Frame{}, fmt.Errorf("%w at iteration %d: %v; try fewer or shallower layers, smaller layer weights, or -optimizer adam", ErrDiverged, m.iter+1, err)
	}
	if err != nil {
		return Frame{}, err
	}
	m.iter++
	return Frame{Iter: m.iter, Iters: m.settings.Iters, Loss: value, Seconds: time.Since(start).Seconds(), Evals: m.opt.Evals()}, nil
}

// Done tells whether every iteration has run.
func (m *Model) Done() bool { return m.iter >= m.settings.Iters }

// Image returns a copy of the current image.
func (m *Model) Image() *picture.RGB {
	return &picture.RGB{W: m.size, H: m.size, Pix: append([]float32(nil), m.x...)}
}

// Layers returns the tap names in use, in network order.
func (m *Model) Layers() []string { return m.net.Taps() }
