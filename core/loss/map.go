package loss

import "fmt"

// Map is one tap's activations: H·W positions × C channels, row-major, channel fastest (the layout
// GoMLX gives for an NHWC tensor with N = 1). Row i of the N×C matrix F the losses speak of is
// Data[i*C : (i+1)*C].
type Map[T Float] struct {
	H, W, C int
	Data    []T
}

// positions returns H·W, the number of rows of F.
func (m Map[T]) positions() int { return m.H * m.W }

// validate reports a map whose sizes do not describe its data.
func (m Map[T]) validate() error {
	if m.H <= 0 || m.W <= 0 || m.C <= 0 {
		return fmt.Errorf("feature map %d×%d×%d: sizes must be positive", m.H, m.W, m.C)
	}
	if len(m.Data) != m.H*m.W*m.C {
		return fmt.Errorf("feature map %d×%d×%d holds %d values, want %d", m.H, m.W, m.C, len(m.Data), m.H*m.W*m.C)
	}
	return nil
}

// checkChannels reports a synthesised map whose channel count differs from the exemplar's.
func checkChannels[T Float](f Map[T], c int) error {
	if f.C != c {
		return fmt.Errorf("feature map has %d channels, the exemplar's has %d", f.C, c)
	}
	return nil
}
