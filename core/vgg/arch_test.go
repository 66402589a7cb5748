package vgg_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/texsynth/texsynth/core/input"
	"github.com/texsynth/texsynth/core/internal/vggtest"
	"github.com/texsynth/texsynth/core/vgg"
	"github.com/texsynth/texsynth/weights"
)

func TestStages(t *testing.T) {
	for _, tc := range []struct {
		arch     *vgg.Arch
		convs    int
		pools    []string // the stage before each pool
		defaults int      // every ReLU of the first four (VGG-16) or three (VGG-19) blocks
		deepest  string
	}{
		{vgg.VGG16, 13, []string{"conv1_2", "conv2_2", "conv3_3", "conv4_3"}, 10, "conv5_3"},
		{vgg.VGG19, 16, []string{"conv1_2", "conv2_2", "conv3_4", "conv4_4"}, 8, "conv5_4"},
	} {
		st := tc.arch.Stages()
		var before []string
		for i, s := range st {
			if s.Pool {
				before = append(before, st[i-1].Name)
			}
		}
		if !slices.Equal(before, tc.pools) || len(st) != tc.convs+4 || len(tc.arch.Convs()) != tc.convs {
			t.Errorf("%s: %d stages, pools after %v", tc.arch.Name, len(st), before)
		}
		if d := tc.arch.Default(); !slices.Equal(d, tc.arch.Convs()[:tc.defaults]) {
			t.Errorf("%s: default taps %v", tc.arch.Name, d)
		}
		if got := tc.arch.Deepest([]string{"pool1", tc.arch.Convs()[tc.convs-1], "conv1_1"}); got != tc.deepest {
			t.Errorf("%s: deepest %q", tc.arch.Name, got)
		}
	}
	if got := vgg.VGG16.Deepest([]string{"pool2"}); got != "conv2_2" {
		t.Errorf("pool2 needs %q, want conv2_2", got)
	}
}

func TestParseTaps(t *testing.T) {
	got, err := vgg.VGG16.ParseTaps("pool1, RELU1_1")
	if err != nil || !slices.Equal(got, []string{"conv1_1", "pool1"}) {
		t.Fatalf("ParseTaps = %v, %v", got, err)
	}
	if got, _ := vgg.VGG16.ParseTaps("all"); len(got) != 13 {
		t.Fatalf("all = %v", got)
	}
	if got, _ := vgg.VGG19.ParseTaps("all"); len(got) != 16 || got[15] != "conv5_4" {
		t.Fatalf("VGG-19 all = %v", got)
	}
	if got, _ := vgg.VGG16.ParseTaps(""); !slices.Equal(got, vgg.VGG16.Default()) {
		t.Fatalf("\"\" = %v", got)
	}
	for _, tc := range []struct {
		arch       *vgg.Arch
		list, want string
	}{
		{vgg.VGG16, "conv6_1", `unknown layer "conv6_1"; VGG-16 has conv1_1, conv1_2, pool1,`},
		{vgg.VGG16, "relu3_4", `unknown layer "relu3_4"; VGG-16 has`},
		{vgg.VGG19, "pool5", `VGG-19 has conv1_1, conv1_2, pool1, conv2_1, conv2_2, pool2, conv3_1, conv3_2, conv3_3, conv3_4, pool3`},
		{vgg.VGG16, "relu1_1,conv1_1", "conv1_1 is named twice"},
		{vgg.VGG16, "conv1_1,,pool1", "empty name"},
		{vgg.VGG16, strings.Repeat("conv1_1,", 2000) + "conv1_1", "conv1_1 is named twice"},
	} {
		_, err := tc.arch.ParseTaps(tc.list)
		if !errors.Is(err, vgg.ErrTap) || !errors.Is(err, input.Err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %.40q: %v, want ErrTap saying %s", tc.arch.Name, tc.list, err, tc.want)
		}
		if err != nil && len(err.Error()) > 400 {
			t.Errorf("%s %.40q: a %d-byte message", tc.arch.Name, tc.list, len(err.Error()))
		}
	}
}

// The architecture comes from the weights' layer names.
func TestArchOf(t *testing.T) {
	for _, tc := range []struct {
		arch *vgg.Arch
		upto string
		want *vgg.Arch
	}{
		{vgg.VGG16, "conv2_2", vgg.VGG16}, {vgg.VGG16, "conv5_3", vgg.VGG16},
		{vgg.VGG19, "conv3_3", vgg.VGG16}, {vgg.VGG19, "conv3_4", vgg.VGG19}, {vgg.VGG19, "conv5_4", vgg.VGG19},
	} {
		if got := vgg.ArchOf(vggtest.Tiny(t, tc.arch, tc.upto)); got != tc.want {
			t.Errorf("%s to %s: %s, want %s", tc.arch.Name, tc.upto, got.Name, tc.want.Name)
		}
	}
}

// A tap deeper than the weights, or one the weights' network lacks, is refused by name.
func TestNewRefuses(t *testing.T) {
	w := vggtest.Tiny(t, vgg.VGG16, "conv3_1")
	for _, tc := range []struct {
		taps []string
		want string
	}{
		{[]string{"conv4_1"}, "have no conv3_2"},
		{[]string{"conv3_4"}, `unknown layer "conv3_4"; VGG-16 has`},
		{nil, "no layers"},
	} {
		_, err := vgg.NewFast[float32](w, tc.taps, vgg.PadZero)
		if !errors.Is(err, vgg.ErrTap) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want ErrTap saying %s", tc.taps, err, tc.want)
		}
	}
	bad := vggtest.Tiny(t, vgg.VGG16, "conv1_2")
	bad.Layers[1].KH = 1
	if _, err := vgg.NewFast[float32](bad, []string{"conv1_2"}, vgg.PadZero); !errors.Is(err, weights.ErrFormat) {
		t.Errorf("a 1×3 kernel: %v", err)
	}
}

// This test binary does not import core/vgg/reference: the stock engine is not linked, and
// asking for it says so.
func TestParseConv(t *testing.T) {
	if c, err := vgg.ParseConv(""); c != vgg.ConvFast || err != nil {
		t.Errorf("\"\" = %q, %v", c, err)
	}
	if _, err := vgg.ParseConv("stock"); err == nil || !strings.Contains(err.Error(), "not built into this program; use fast") {
		t.Errorf("stock: %v", err)
	}
	if _, err := vgg.ParseConv("im2col"); err == nil || !strings.Contains(err.Error(), `unknown conv path "im2col"; use fast`) {
		t.Errorf("im2col: %v", err)
	}
	net, err := vgg.Build(vgg.ConvFast, vggtest.Tiny(t, vgg.VGG16, "conv1_1"), []string{"conv1_1"}, vgg.PadZero)
	if err != nil || !slices.Equal(net.Taps(), []string{"conv1_1"}) {
		t.Errorf("Build: %v, %v", net, err)
	}
}
