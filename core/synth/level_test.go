package synth

import (
	"math"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/metrics"
	"github.com/texsynth/texsynth/core/vgg"
)

func TestPlanLevels(t *testing.T) {
	if got, want := planLevels(64, 3, 10, 0), []level{{16, 3}, {32, 6}, {64, 10}}; !slices.Equal(got, want) {
		t.Errorf("levels %v, want %v", got, want)
	}
	if got, want := planLevels(64, 1, 10, 0), []level{{64, 10}}; !slices.Equal(got, want) {
		t.Errorf("a single scale: %v, want %v", got, want)
	}
	// Above FullShare px each level takes half the share of the one below.
	if got, want := planLevels(1024, 4, 100, 0), []level{{128, 36}, {256, 72}, {512, 90}, {1024, 100}}; !slices.Equal(got, want) {
		t.Errorf("1024 px in four levels: %v, want %v", got, want)
	}
	// The finest level's share: 70 of 100 at 64 px, the two coarse levels 15 each.
	if got, want := planLevels(64, 3, 100, 0.7), []level{{16, 15}, {32, 30}, {64, 100}}; !slices.Equal(got, want) {
		t.Errorf("fine share 0.7: %v, want %v", got, want)
	}
	// Every level keeps at least one iteration.
	if got, want := planLevels(64, 3, 3, 0.9), []level{{16, 1}, {32, 2}, {64, 3}}; !slices.Equal(got, want) {
		t.Errorf("fine share 0.9 of 3: %v, want %v", got, want)
	}
	// Fewer iterations than levels: the finest levels, each with an iteration, so the run ends
	// at the size asked.
	if got, want := planLevels(64, 3, 2, 0), []level{{32, 1}, {64, 2}}; !slices.Equal(got, want) {
		t.Errorf("2 iterations in 3 levels: %v, want %v", got, want)
	}
	if got, want := planLevels(128, 2, 1, 0), []level{{128, 1}}; !slices.Equal(got, want) {
		t.Errorf("1 iteration in 2 levels: %v, want %v", got, want)
	}
}

func TestNearest2(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} // 2×2 px
	got := nearest2(x, 2)
	for y := range 4 {
		for xx := range 4 {
			src := 3 * ((y/2)*2 + xx/2)
			if !slices.Equal(got[3*(y*4+xx):][:3], x[src:src+3]) {
				t.Errorf("pixel (%d,%d) = %v, want %v", xx, y, got[3*(y*4+xx):][:3], x[src:src+3])
			}
		}
	}
}

// A nearest upsample starts the fine level with the coarse image's pixels repeated 2×2.
func TestUpsampleNearestRun(t *testing.T) {
	s := small("sw", "lbfgs")
	s.Size, s.Iters, s.Levels, s.Upsample = 32, 2, 2, UpsampleNearest
	m := newModel(t, s)
	if _, err := m.Step(); err != nil {
		t.Fatal(err)
	}
	coarse := append([]float32(nil), m.x...)
	if err := m.enterLevel(1); err != nil {
		t.Fatal(err)
	}
	if want := nearest2(coarse, 16); !slices.Equal(m.x, want) {
		t.Error("the fine level does not start from the coarse image repeated 2×2")
	}
}

// The half-scale term's gradient against central differences.
func TestHalfScaleGradient(t *testing.T) {
	s := small("sw", "lbfgs")
	s.Size, s.HalfScaleWeight = 32, 1.5
	m := newModel(t, s)
	if m.half == nil {
		t.Fatal("no half-scale term")
	}
	x := append([]float32(nil), m.x...)
	eval := func(x []float32) float64 {
		v, err := m.half.term(x, 32, s.HalfScaleWeight, make([]float32, len(x)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	grad := make([]float32, len(x))
	if _, err := m.half.term(x, 32, s.HalfScaleWeight, grad); err != nil {
		t.Fatal(err)
	}
	checkPixelGradient(t, x, grad, eval, 0.02, 1e-4)
}

// boxHalf averages 2×2 blocks and leaves an odd last row and column out.
func TestBoxHalf(t *testing.T) {
	pix := make([]float32, 3*3*3) // 3×3 px
	for i := range pix {
		pix[i] = float32(i)
	}
	got := boxHalf(pix, 3, 3)
	want := []float32{6, 7, 8} // pixels 0, 1, 3, 4: (0+3+9+12)/4, …
	if !slices.Equal(got, want) {
		t.Errorf("boxHalf = %v, want %v", got, want)
	}
}

func TestPyramidRun(t *testing.T) {
	s := small("sw", "lbfgs")
	s.Size, s.Iters, s.Levels = 32, 4, 2
	m := newModel(t, s)
	if m.Size() != 16 {
		t.Fatalf("starts at %d px, want 16", m.Size())
	}
	evals := 0
	for !m.Done() {
		f, err := m.Step()
		if err != nil {
			t.Fatal(err)
		}
		want := 16
		if f.Iter > 2 {
			want = 32
		}
		if m.Size() != want {
			t.Errorf("iteration %d at %d px, want %d", f.Iter, m.Size(), want)
		}
		// Evals is the total so far: it grows at every step, across the change of level too.
		if f.Evals <= evals || f.Evals != m.Evaluations() {
			t.Errorf("iteration %d: %d evaluations after %d (Evaluations %d)", f.Iter, f.Evals, evals, m.Evaluations())
		}
		evals = f.Evals
	}
	if img := m.Image(); img.W != 32 || len(img.Pix) != 32*32*3 {
		t.Errorf("final image %d px", img.W)
	}
}

func TestExtensionSettings(t *testing.T) {
	for _, mod := range []func(*Settings){
		func(s *Settings) { s.Levels = -1 },
		func(s *Settings) { s.Levels = 3; s.Size = 32 }, // coarsest 8 px
		func(s *Settings) { s.SpectrumWeight = -1 },
		func(s *Settings) { s.SpectrumWeight = math.NaN() },
		func(s *Settings) { s.HalfScaleWeight = -1 },
		func(s *Settings) { s.HalfScaleWeight = math.Inf(1) },
		func(s *Settings) { s.FineShare = 0.95 },
		func(s *Settings) { s.FineShare = -0.5 },
		func(s *Settings) { s.Upsample = "bicubic" },
		func(s *Settings) { s.Start = "pink" },
		func(s *Settings) { s.Norm = "channel" },
	} {
		s := Defaults()
		mod(&s)
		if _, err := s.parse(vgg.VGG16); err == nil {
			t.Errorf("settings %+v accepted", s)
		}
	}
}

// The exemplar's own projection is itself: it already has its modulus.
func TestSpectrumProjectionOfExemplar(t *testing.T) {
	ex := checker()
	tg := newSpectrumTarget(ex, 24)
	for c := range 3 {
		p := tg.project(ex.Pix, c)
		for i, v := range p {
			if math.Abs(v-float64(ex.Pix[3*i+c])) > 1e-5 {
				t.Fatalf("channel %d pixel %d: %g, want %g", c, i, v, ex.Pix[3*i+c])
			}
		}
	}
}

// A circular shift keeps the modulus: its projection is itself too, and the term is zero.
func TestSpectrumTermShiftInvariant(t *testing.T) {
	s := small("gram", "lbfgs")
	s.SpectrumWeight = 1
	m := newModel(t, s)
	ex := checker()
	shifted := make([]float32, len(ex.Pix))
	for y := range 24 {
		for x := range 24 {
			copy(shifted[3*(y*24+x):3*(y*24+x)+3], ex.Pix[3*(((y+5)%24)*24+(x+3)%24):])
		}
	}
	grad := make([]float32, len(shifted))
	if v := m.spectrumTerm(shifted, grad); v > 1e-9 {
		t.Errorf("term %g for a shifted exemplar, want 0", v)
	}
}

// The gradient of the spectrum term against central differences.
func TestSpectrumTermGradient(t *testing.T) {
	s := small("gram", "lbfgs")
	s.SpectrumWeight = 2
	m := newModel(t, s)
	x := append([]float32(nil), m.x...)
	grad := make([]float32, len(x))
	m.spectrumTerm(x, grad)
	scratch := make([]float32, len(x))
	checkPixelGradient(t, x, grad, func(x []float32) float64 { return m.spectrumTerm(x, scratch) }, 1e-3, 1e-5)
}

// With a strong spectrum term the output's spectrum comes closer to the exemplar's.
func TestSpectrumTermHelps(t *testing.T) {
	run := func(w float64) float64 {
		s := small("sw", "lbfgs")
		s.Iters, s.SpectrumWeight = 6, w
		m := newModel(t, s)
		for !m.Done() {
			if _, err := m.Step(); err != nil {
				t.Fatal(err)
			}
		}
		return metrics.SpectrumDistance(m.Image(), checker())
	}
	without, with := run(0), run(10)
	if !(with < without) {
		t.Errorf("spectrum distance %g with the term, %g without", with, without)
	}
}

// A larger output than the exemplar: the target modulus keeps the power per pixel.
func TestSpectrumTargetLarger(t *testing.T) {
	ex := checker()
	tg := newSpectrumTarget(ex, 48)
	power := func(mod []float64, n int) float64 {
		s := 0.0
		for i, v := range mod {
			if i > 0 {
				s += v * v
			}
		}
		return s / float64(n*n) / float64(n*n)
	}
	small := newSpectrumTarget(ex, 24)
	for c := range 3 {
		a, b := power(small.modulus[c], 24), power(tg.modulus[c], 48)
		if math.Abs(a-b) > 0.05*a {
			t.Errorf("channel %d: variance %g at 24 px, %g at 48 px", c, a, b)
		}
	}
}

// TestAutoLevels: Levels = 0 (the default) is two levels from AutoLevelsFrom px up, a single
// scale below, and one more level per doubling above 256 px (the coarsest at AutoCoarsest px);
// an explicit 1 is a single scale at any size.
func TestAutoLevels(t *testing.T) {
	for _, tc := range []struct{ size, levels int }{{32, 1}, {64, 2}, {128, 2}, {256, 2}, {511, 2}, {512, 3}, {1024, 4}, {2048, 5}} {
		if got := (Settings{Size: tc.size}).resolvedLevels(); got != tc.levels {
			t.Errorf("size %d: %d levels, want %d", tc.size, got, tc.levels)
		}
	}
	// An exemplar smaller than the output: auto keeps AutoExemplarLeast px of it at the
	// coarsest level (32 px → a single scale at 128 px; 16 px at 32 px with two levels asked for).
	for _, tc := range []struct{ size, exSize, levels, start int }{{128, 32, 0, 128}, {128, 64, 0, 64}, {128, 128, 0, 64}, {32, 16, 2, 16}} {
		s := small("sw", "lbfgs")
		s.Size, s.ExemplarSize, s.Iters, s.Levels = tc.size, tc.exSize, 2, tc.levels
		m := newModel(t, s)
		if m.Size() != tc.start {
			t.Errorf("size %d, exemplar %d px, levels %d: starts at %d px, want %d", tc.size, tc.exSize, tc.levels, m.Size(), tc.start)
		}
		if p, err := s.Plan(vgg.VGG16, 0); err != nil || p.Levels[0].Size != tc.start {
			t.Errorf("size %d, exemplar %d px, levels %d: the plan starts at %+v (%v), want %d px", tc.size, tc.exSize, tc.levels, p.Levels, err, tc.start)
		}
	}
	for _, tc := range []struct{ size, levels, start int }{{128, 0, 64}, {64, 0, 32}, {32, 0, 32}, {128, 1, 128}, {64, 2, 32}} {
		s := small("sw", "lbfgs")
		s.Size, s.Iters, s.Levels = tc.size, 2, tc.levels
		m := newModel(t, s)
		if m.Size() != tc.start {
			t.Errorf("size %d, levels %d: starts at %d px, want %d", tc.size, tc.levels, m.Size(), tc.start)
		}
	}
}

// checkPixelGradient compares grad, the gradient of f at x, with central differences at a few
// pixels, within rel·|fd| + abs.
func checkPixelGradient(t *testing.T, x, grad []float32, f func([]float32) float64, rel, abs float64) {
	t.Helper()
	for _, i := range []int{0, 7, 100, 1000, len(x) - 1} {
		const h = 1e-2
		xp := append([]float32(nil), x...)
		xm := append([]float32(nil), x...)
		xp[i] += h
		xm[i] -= h
		fd := (f(xp) - f(xm)) / (2 * h)
		if math.Abs(fd-float64(grad[i])) > rel*math.Abs(fd)+abs {
			t.Errorf("pixel %d: gradient %g, finite difference %g", i, grad[i], fd)
		}
	}
}

// release, which entering a level calls first, lets the level before's loss, optimiser and
// half-scale loss go before the next level's are built (a wasm memory never shrinks: what is
// still held then adds to the peak), and keeps the half-scale term's network, which on the fast
// engine is the main one.
func TestLevelReleasesTheOneBefore(t *testing.T) {
	s := small("sw", "lbfgs")
	s.Size, s.Iters, s.Levels, s.HalfScaleWeight = 64, 2, 2, 1
	m := newModel(t, s)
	if _, err := m.Step(); err != nil {
		t.Fatal(err)
	}
	if m.half == nil {
		t.Fatal("no half-scale term")
	}
	if m.half.net != m.net {
		t.Error("on the fast engine the half-scale term has a network of its own")
	}
	var freed atomic.Int32
	runtime.SetFinalizer(m.loss, func(*loss.Set[float32]) { freed.Add(1) })
	runtime.SetFinalizer(m.half.loss, func(*loss.Set[float32]) { freed.Add(1) })
	net := m.half.net
	m.release()
	// Finalizers run on a goroutine of their own after the collection that finds the object.
	for i := 0; i < 100 && freed.Load() < 2; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := freed.Load(); n < 2 {
		t.Errorf("%d of the level's two losses were released", n)
	}
	if m.Evaluations() < 1 {
		t.Errorf("%d evaluations counted after the release", m.Evaluations())
	}
	if err := m.enterLevel(1); err != nil {
		t.Fatal(err)
	}
	if m.half == nil || m.half.net != net {
		t.Error("the half-scale term's network was built again")
	}
	if _, err := m.Step(); err != nil {
		t.Fatal(err)
	}
}
