package synth

import (
	"strings"
	"testing"

	"github.com/texsynth/texsynth/core/vgg"
)

// TestPlan: the levels (the Model's own), their iterations and work on VGG-16 and VGG-19, and
// the memory estimate against the measurements it was fitted to.
func TestPlan(t *testing.T) {
	s := Defaults()
	s.Size, s.Iters, s.HalfScaleWeight = 128, 101, 0
	p, err := s.Plan(vgg.VGG16, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Levels) != 2 || p.Levels[0].Size != 64 || p.Levels[0].Iters != 50 || p.Levels[1].Size != 128 || p.Levels[1].Iters != 51 {
		t.Fatalf("%+v", p.Levels)
	}
	// docs/performance.md: 4.56 GMAC forward at 128 px for the default layers, twice that with the gradient.
	if m := p.Levels[1].MACs; m < 9.0e9 || m > 9.3e9 {
		t.Errorf("128 px: %d MACs", m)
	}
	if r := float64(p.Levels[1].MACs) / float64(p.Levels[0].MACs); r != 4 {
		t.Errorf("a level twice the side costs %g×", r)
	}
	if len(p.Layers) != 10 || len(p.LayerWeights) != 10 {
		t.Errorf("%v %v", p.Layers, p.LayerWeights)
	}
	// The half-scale term runs the network on the image averaged down 2×2: a quarter more work
	// at each level, and more memory.
	h := s
	h.HalfScaleWeight = 1
	ph, err := h.Plan(vgg.VGG16, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range ph.Levels {
		if want := p.Levels[i].MACs + p.Levels[i].MACs/4; l.MACs != want {
			t.Errorf("half-scale term, level %d: %d MACs, want %d", i, l.MACs, want)
		}
	}
	if ph.Memory <= p.Memory {
		t.Errorf("half-scale term: %d bytes, without %d", ph.Memory, p.Memory)
	}
	// VGG-19 on VGG-16's layers: conv3_4 at a quarter of the side and conv4_4 at an eighth are
	// the extra work.
	s16 := s
	s16.Layers = strings.Join(vgg.VGG16.Default(), ",") + ",conv4_4"
	p19, err := s16.Plan(vgg.VGG19, 0)
	if err != nil {
		t.Fatal(err)
	}
	extra := int64(2 * 9 * (256*256*32*32 + 512*512*16*16))
	if got := p19.Levels[1].MACs - p.Levels[1].MACs; got != extra || len(p19.Layers) != 11 {
		t.Errorf("VGG-19 at 128 px: %d more MACs than VGG-16, want %d; layers %v", got, extra, p19.Layers)
	}
	if p19.Memory <= p.Memory {
		t.Errorf("VGG-19 %d bytes, VGG-16 %d", p19.Memory, p.Memory)
	}
	// VGG-19's own default layers stop at relu3_4: no 512-channel layer.
	if d19, _ := s.Plan(vgg.VGG19, 0); len(d19.Layers) != 8 || d19.Levels[1].MACs >= p.Levels[1].MACs {
		t.Errorf("VGG-19's default: %v, %d MACs at 128 px (VGG-16's %d)", d19.Layers, d19.Levels[1].MACs, p.Levels[1].MACs)
	}
	// Measured (plan.go), without and with the half-scale term: within 10 %.
	for _, c := range []struct {
		arch *vgg.Arch
		size int
		half float64
		mib  float64
	}{
		{vgg.VGG19, 128, 0, 173}, {vgg.VGG19, 256, 0, 393}, {vgg.VGG19, 512, 0, 1288},
		{vgg.VGG16, 128, 0, 357}, {vgg.VGG16, 512, 0, 1492},
		{vgg.VGG19, 128, 1, 185}, {vgg.VGG19, 256, 1, 437}, {vgg.VGG19, 512, 1, 1438},
		{vgg.VGG16, 128, 1, 378}, {vgg.VGG16, 512, 1, 1668},
	} {
		m := s
		m.Size, m.HalfScaleWeight = c.size, c.half
		p, err := m.Plan(c.arch, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := float64(p.Memory) / (1 << 20); got < 0.9*c.mib || got > 1.1*c.mib {
			t.Errorf("%s at %d px, half-scale weight %g: %.0f MiB estimated, %.0f measured", c.arch.Name, c.size, c.half, got, c.mib)
		}
	}
	s.Size, s.Iters = 32, 5
	s.Layers, s.LayerWeights = "conv1_1", "1,2"
	if _, err := s.Plan(vgg.VGG16, 0); err == nil {
		t.Error("a plan with bad settings")
	}
}

// TestPlanIsTheRun: a run steps through exactly the levels its plan lists.
func TestPlanIsTheRun(t *testing.T) {
	s := small("sw", "lbfgs")
	s.Size, s.Iters, s.Levels = 32, 7, 2
	p, err := s.Plan(vgg.VGG16, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(t, s)
	var sizes []int
	for !m.Done() {
		if _, err := m.Step(); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, m.Size())
	}
	i := 0
	for _, l := range p.Levels {
		for range l.Iters {
			if i >= len(sizes) || sizes[i] != l.Size {
				t.Fatalf("plan %+v, the run's sizes %v", p.Levels, sizes)
			}
			i++
		}
	}
	if i != len(sizes) {
		t.Errorf("plan %+v, the run's sizes %v", p.Levels, sizes)
	}
}
