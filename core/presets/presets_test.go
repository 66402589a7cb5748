package presets

import (
	"encoding/json"
	"testing"

	"github.com/texsynth/texsynth/core/loss"
	"github.com/texsynth/texsynth/core/vgg"
)

func TestQuestions(t *testing.T) {
	qs := All(48, 40)
	if len(qs) != 7 {
		t.Fatalf("%d questions, want 7", len(qs))
	}
	want := map[string]int{"q1": 2, "q2": 3, "q3": 11, "q4": 3, "q5": 12, "q6": 6, "q7": 6}
	for _, q := range qs {
		if len(q.Cells) != want[q.ID] {
			t.Errorf("%s: %d cells, want %d", q.ID, len(q.Cells), want[q.ID])
		}
		if q.Preset < 0 || q.Preset >= len(q.Cells) || q.Title == "" || q.Explanation == "" || q.Slug == "" {
			t.Errorf("%s: incomplete: %+v", q.ID, q)
		}
		for _, c := range q.Cells {
			if (c.Settings.Iters != 40 && c.Settings.Iters != 80) || (c.Settings.Size != 48 && c.Settings.Size != 96) {
				t.Errorf("%s %q: size %d iters %d", q.ID, c.Label, c.Settings.Size, c.Settings.Iters)
			}
		}
	}
	b, err := json.Marshal(qs)
	if err != nil {
		t.Fatal(err)
	}
	var back []Question
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back[6].Cells[1].Settings.Levels != 2 || back[3].Cells[0].Settings.Loss != "emd-seed" {
		t.Error("JSON round trip lost settings")
	}
}

func TestWithoutBlock(t *testing.T) {
	if got := withoutBlock(0); got != "conv2_1,conv2_2,conv3_1,conv3_2,conv3_3,conv4_1,conv4_2,conv4_3,conv5_1,conv5_2,conv5_3" {
		t.Errorf("without conv1: %s", got)
	}
}

// Every cell's layers and weights parse, so no grid fails on a typo.
func TestCellsParse(t *testing.T) {
	for _, q := range All(32, 2) {
		for _, c := range q.Cells {
			taps, err := vgg.VGG16.ParseTaps(c.Settings.Layers)
			if err != nil {
				t.Errorf("%s %q: %v", q.ID, c.Label, err)
				continue
			}
			if _, err := loss.Schedule(c.Settings.LayerWeights, len(taps)); err != nil {
				t.Errorf("%s %q: %v", q.ID, c.Label, err)
			}
			if _, err := loss.ParseKind(c.Settings.Loss); err != nil {
				t.Errorf("%s %q: %v", q.ID, c.Label, err)
			}
		}
	}
}
