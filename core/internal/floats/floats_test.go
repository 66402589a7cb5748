package floats

import (
	"math"
	"testing"
)

func TestFloats(t *testing.T) {
	want := []float64{3, 4}
	if e := RelErr(want, want); e != 0 {
		t.Errorf("RelErr of equal vectors = %g", e)
	}
	if e := RelErr([]float64{3, 5}, want); math.Abs(e-0.2) > 1e-15 {
		t.Errorf("RelErr([3 5], [3 4]) = %g, want 0.2", e)
	}
	if e := RelErr([]float64{0, 0}, []float64{0, 0}); e != 0 {
		t.Errorf("RelErr of zero vectors = %g", e)
	}
	v := ToF32([]float64{0.1, -2.5, 1e40})
	if v[0] != float32(0.1) || v[1] != -2.5 || !math.IsInf(float64(v[2]), 1) {
		t.Errorf("ToF32 = %v", v)
	}
	w := Widen([]float32{0.5, -1})
	if len(w) != 2 || w[0] != 0.5 || w[1] != -1 {
		t.Errorf("Widen = %v", w)
	}
}
