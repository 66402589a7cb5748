package loss

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSchedule(t *testing.T) {
	for _, tc := range []struct {
		spec string
		n    int
		want []float64
	}{
		{"uniform", 3, []float64{1, 1, 1}},
		{" Uniform ", 1, []float64{1}},
		{"linear:1", 4, []float64{1, 2, 3, 4}},
		{"linear:0.5", 3, []float64{1, 1.5, 2}},
		{"linear:-0.5", 3, []float64{1, 0.5, 0}},
		{"linear: 2", 2, []float64{1, 3}},
		{"geometric:2", 4, []float64{1, 2, 4, 8}},
		{"geometric:3.5", 3, []float64{1, 3.5, 12.25}},
		{"geometric:0", 3, []float64{1, 0, 0}},
		{"geometric:0.5", 3, []float64{1, 0.5, 0.25}},
		{"1,2,3", 3, []float64{1, 2, 3}},
		{" 0, 1e-2 ,4.5", 3, []float64{0, 0.01, 4.5}},
		{"2", 1, []float64{2}},
	} {
		got, err := Schedule(tc.spec, tc.n)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("Schedule(%q, %d) = %v, %v; want %v", tc.spec, tc.n, got, err, tc.want)
		}
	}
}

func TestScheduleErrors(t *testing.T) {
	for _, tc := range []struct {
		spec string
		n    int
		says string // a piece of the message that names what was wrong
	}{
		{"", 3, "unknown form"},
		{"uniformly", 3, "unknown form"},
		{"exponential:2", 3, "unknown form"},
		{"uniform:2", 3, "unknown form"},
		{"linear", 3, "needs a number"},
		{"linear:", 3, "needs a number"},
		{"linear:abc", 3, "not a number"},
		{"geometric:two", 3, "not a number"},
		{"linear:NaN", 3, "finite"},
		{"geometric:Inf", 3, "finite"},
		{"geometric:1e300", 3, "finite"},
		{"linear:-1", 3, "negative"},
		{"geometric:-2", 3, "negative"},
		{"1,2", 3, "2 weights for 3 layers"},
		{"1,2,3,4", 3, "4 weights for 3 layers"},
		{"1,x,3", 3, "not a number"},
		{"1,,3", 3, "not a number"},
		{"1,-2,3", 3, "negative"},
		{"1,NaN,3", 3, "finite"},
		{"1,+Inf,3", 3, "finite"},
		{"0,0,0", 3, "all weights are zero"},
		{"geometric:0", 1 - 1, "at least one layer"},
	} {
		_, err := Schedule(tc.spec, tc.n)
		if !errors.Is(err, ErrSpec) {
			t.Errorf("Schedule(%q, %d): %v, want ErrSpec", tc.spec, tc.n, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.says) {
			t.Errorf("Schedule(%q, %d): %q does not say %q", tc.spec, tc.n, msg, tc.says)
		}
		if tc.n > 0 && !strings.Contains(msg, `"geometric:q"`) {
			t.Errorf("Schedule(%q, %d): %q does not list what would work", tc.spec, tc.n, msg)
		}
	}
}
