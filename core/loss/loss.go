// Package loss holds the texture losses compared on VGG feature maps (Gram matrices, sliced
// Wasserstein, per-channel EMD and the seed's EMD as written), each with its analytic gradient
// with respect to the features, and the layer-weight schedules.
//
// The losses are plain Go on the host, outside any network engine: sliced Wasserstein and EMD
// need a sort, which a GoMLX graph on simplego cannot do, and autodiff of a Gram product would
// build a C×C×H·W intermediate (docs/design.md). One evaluation hands a network engine's tap
// features (core/vgg) to a Set, and the Set's gradient maps back to the engine. The layers are
// evaluated one after another, each split over core/gemm's workers (GOMAXPROCS natively, one
// in wasm) by blocks of columns or rows, with the same result whatever their number; with one
// worker Eval does not allocate once its scratch is sized, because it runs every optimiser
// evaluation.
package loss

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/texsynth/texsynth/core/feature"
	"github.com/texsynth/texsynth/core/input"
)

// ErrSpec marks errors about user-given specifications (loss name, Gram normalisation, layer-weight
// schedule, an output size a loss cannot compare). It is of the input kind: errors.Is(err,
// input.Err) holds too.
var ErrSpec = input.New("loss: bad specification")

// Options chooses the loss.
type Options struct {
	// Kind is the loss: KindGram, KindSW, KindEMD or KindEMDSeed.
	Kind Kind
	// GramNorm is the Gram normalisation, for KindGram: GramRelative (or empty) or GramSeed.
	GramNorm string
	// Seed seeds the random directions of KindSW (math/rand/v2 PCG, the same on every platform).
	Seed uint64
	// Refeed, for KindSW: the Set keeps no copy of the exemplar's features, and the caller hands
	// them again to every redraw (RedrawFrom) — at large sizes the copy is gigabytes.
	Refeed bool
	// Norm is how KindSW and KindEMD normalise a layer's squared differences: NormLayer (or
	// empty) divides them by the mean variance of the exemplar's projections (channels for emd),
	// NormDirection each projection's by that projection's own variance.
	Norm string
}

// layer is one tap's loss, holding the exemplar's statistics for that tap.
type layer[T feature.Float] interface {
	// check reports whether the synthesised map f can be compared with the exemplar.
	check(f feature.Map[T]) error
	// eval returns the layer's unweighted loss and writes scale·∂loss/∂f into grad (overwriting
	// it); grad may be f.Data itself.
	eval(f feature.Map[T], grad []T, scale float64) float64
}

// Set holds the exemplar's statistics for every layer in use and evaluates the weighted loss.
// A Set is not safe for concurrent use: Eval works in scratch space kept in the Set.
type Set[T feature.Float] struct {
	weights []float64
	layers  []layer[T]
	losses  []float64
	grads   []feature.Map[T] // Eval's result, reused
	// rng draws the sliced Wasserstein directions; one stream for all layers so the whole
	// sequence of draws follows from Options.Seed alone.
	rng    *rand.Rand
	sc     *scratch[T] // the layers' shared working memory
	refeed bool        // Options.Refeed
}

// directionStream is the PCG stream of the sliced Wasserstein directions; a constant so that a
// seed means the same directions in every build.
const directionStream = 0x5357 // "SW"

// New builds the loss for an exemplar given as one feature map per layer, with one non-negative
// weight per layer. It keeps what it needs of the exemplar (a copy, for sw, whose targets are
// recomputed by Redraw), so the caller may reuse the maps' storage afterwards.
func New[T feature.Float](opts Options, exemplar []feature.Map[T], weights []float64) (*Set[T], error) {
	kind, err := ParseKind(string(opts.Kind))
	if err != nil {
		return nil, err
	}
	seedNorm := false
	switch opts.GramNorm {
	case "", GramRelative:
	case GramSeed:
		seedNorm = true
	default:
		return nil, fmt.Errorf("%w: unknown Gram normalisation %q; valid: %s, %s", ErrSpec, opts.GramNorm, GramRelative, GramSeed)
	}
	perColumn := false
	switch opts.Norm {
	case "", NormLayer:
	case NormDirection:
		perColumn = true
	default:
		return nil, fmt.Errorf("%w: unknown normalisation %q; valid: %s, %s", ErrSpec, opts.Norm, NormLayer, NormDirection)
	}
	if len(exemplar) == 0 {
		return nil, fmt.Errorf("%w: no layers", ErrSpec)
	}
	if len(weights) != len(exemplar) {
		return nil, fmt.Errorf("%w: %d layer weights for %d layers", ErrSpec, len(weights), len(exemplar))
	}
	for l, w := range weights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return nil, fmt.Errorf("%w: layer %d weight %v: weights must be finite and non-negative", ErrSpec, l, w)
		}
	}
	for l, m := range exemplar {
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("loss: exemplar layer %d: %w", l, err)
		}
	}

	s := &Set[T]{
		weights: append([]float64(nil), weights...),
		layers:  make([]layer[T], len(exemplar)),
		losses:  make([]float64, len(exemplar)),
		rng:     rand.New(rand.NewPCG(opts.Seed, directionStream)),
		sc:      newScratch[T](),
		refeed:  opts.Refeed,
	}
	for l, m := range exemplar {
		switch kind {
		case KindGram:
			s.layers[l] = newGramLayer(m, seedNorm)
		case KindSW:
			s.layers[l] = newSWLayer(m, s.rng, s.sc, !opts.Refeed, perColumn)
		case KindEMD:
			s.layers[l] = newEMDLayer(m, s.sc, perColumn)
		case KindEMDSeed:
			s.layers[l] = newEMDSeedLayer(m, s.sc)
		}
	}
	return s, nil
}

// Eval returns total = (1/n)·Σ_l weights[l]·L_l(feats[l]), the mean over the n layers of the
// weighted layer losses (as the seed's tf.reduce_mean), and ∂total/∂feats: one map per layer,
// shaped like feats[l], in the Set's own storage (valid until the next Eval), ready for the
// network's backward pass. Layers of weight 0 are not evaluated: their gradient is zero. It
// returns an error, before evaluating anything, if a map's shape does not match what the loss
// can compare with the exemplar; errors that come from the user's choice of output size
// (emd-seed) wrap ErrSpec.
func (s *Set[T]) Eval(feats []feature.Map[T]) (float64, []feature.Map[T], error) {
	if err := s.check(feats); err != nil {
		return 0, nil, err
	}
	grads := s.gradients(feats)
	return s.eval(feats, grads), grads, nil
}

// EvalInPlace is Eval writing the gradient over the features themselves (the same values Eval
// returns), for a caller whose network does not read the maps again (vgg.Fast.MapsFree): the
// Set then holds no gradient maps, as many bytes as the features.
func (s *Set[T]) EvalInPlace(feats []feature.Map[T]) (float64, error) {
	if err := s.check(feats); err != nil {
		return 0, err
	}
	return s.eval(feats, feats), nil
}

// check reports, before anything is evaluated, whether feats can be compared with the exemplar,
// so that an error leaves the gradients and Layers untouched.
func (s *Set[T]) check(feats []feature.Map[T]) error {
	if len(feats) != len(s.layers) {
		return fmt.Errorf("loss: %d feature maps for %d layers", len(feats), len(s.layers))
	}
	for l, f := range feats {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("loss: layer %d: %w", l, err)
		}
		if err := s.layers[l].check(f); err != nil {
			if errors.Is(err, ErrSpec) {
				return err // says what to change; the same at every layer
			}
			return fmt.Errorf("loss: layer %d: %w", l, err)
		}
	}
	return nil
}

// eval evaluates every layer, its gradient into grads (which may be feats itself: every layer's
// eval reads each feature before it overwrites it).
func (s *Set[T]) eval(feats, grads []feature.Map[T]) float64 {
	n := float64(len(s.layers))
	total := 0.0
	for l, f := range feats {
		w := s.weights[l]
		if w == 0 {
			clear(grads[l].Data)
			s.losses[l] = math.NaN()
			continue
		}
		v := s.layers[l].eval(f, grads[l].Data, w/n)
		s.losses[l] = v
		total += w * v
	}
	return total / n
}

// gradients returns the Set's gradient maps shaped like feats, reallocating only on a change of
// shape.
func (s *Set[T]) gradients(feats []feature.Map[T]) []feature.Map[T] {
	if s.grads == nil {
		s.grads = make([]feature.Map[T], len(feats))
	}
	for l, f := range feats {
		if g := &s.grads[l]; !feature.SameShape(*g, f) {
			*g = feature.Map[T]{H: f.H, W: f.W, C: f.C, Data: make([]T, len(f.Data))}
		}
	}
	return s.grads
}

// Redraw draws new random directions for every layer and recomputes the exemplar's sorted
// projections (sw only; a no-op otherwise). The caller calls it every few optimiser iterations, so
// that over the run the loss sees many more directions than one draw holds.
func (s *Set[T]) Redraw() {
	if s.refeed {
		panic("loss: Redraw of a Set built with Refeed; use RedrawFrom")
	}
	for _, ly := range s.layers {
		if sw, ok := ly.(*swLayer[T]); ok {
			sw.redraw(s.rng, sw.exemplar)
		}
	}
}

// RedrawFrom is Redraw for a Set built with Options.Refeed: exemplar is what New was given (the
// same maps, recomputed). It draws the same directions Redraw would.
func (s *Set[T]) RedrawFrom(exemplar []feature.Map[T]) error {
	if len(exemplar) != len(s.layers) {
		return fmt.Errorf("loss: %d exemplar layers for %d", len(exemplar), len(s.layers))
	}
	for l, ly := range s.layers {
		if sw, ok := ly.(*swLayer[T]); ok {
			if m := exemplar[l]; m.C != sw.c || m.Positions() != sw.ne || len(m.Data) != sw.ne*sw.c {
				return fmt.Errorf("loss: exemplar layer %d is %dx%dx%d, not the exemplar's %d positions × %d", l, m.H, m.W, m.C, sw.ne, sw.c)
			}
		}
	}
	for l, ly := range s.layers {
		if sw, ok := ly.(*swLayer[T]); ok {
			sw.redraw(s.rng, exemplar[l].Data)
		}
	}
	return nil
}

// Layers returns the last Eval's per-layer unweighted losses, for reporting; NaN for layers of
// weight 0, which are not evaluated. The slice is the Set's own: the next Eval overwrites it.
func (s *Set[T]) Layers() []float64 { return s.losses }
