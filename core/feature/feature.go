// Package feature holds what flows between the network (core/vgg) and the losses (core/loss):
// Map, one tap's activations or their gradient, and Float, the element types the core computes
// in — float32 for synthesis, float64 for the gradient checks. It is its own package so that
// neither of the two needs the other.
package feature

import "fmt"

// Float is the element type of the core's numbers: images, feature maps, matrix products. The
// plain types (not ~float32 | ~float64), so that GoMLX takes it too (core/vgg/reference).
type Float interface{ float32 | float64 }

// Map is one tap's activations (or ∂loss/∂activations): H·W positions × C channels, row-major,
// channel fastest (NHWC with N = 1). Row i of the N×C matrix F the losses speak of is
// Data[i*C : (i+1)*C].
type Map[T Float] struct {
	H, W, C int
	Data    []T
}

// Positions returns H·W, the number of rows of F.
func (m Map[T]) Positions() int { return m.H * m.W }

// Validate reports a map whose sizes do not describe its data.
func (m Map[T]) Validate() error {
	if m.H <= 0 || m.W <= 0 || m.C <= 0 {
		return fmt.Errorf("feature map %d×%d×%d: sizes must be positive", m.H, m.W, m.C)
	}
	if len(m.Data) != m.H*m.W*m.C {
		return fmt.Errorf("feature map %d×%d×%d holds %d values, want %d", m.H, m.W, m.C, len(m.Data), m.H*m.W*m.C)
	}
	return nil
}

// SameShape tells whether a and b have the same H, W and C.
func SameShape[T Float](a, b Map[T]) bool { return a.H == b.H && a.W == b.W && a.C == b.C }
