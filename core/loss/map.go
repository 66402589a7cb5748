package loss

import (
	"fmt"

	"github.com/texsynth/texsynth/core/feature"
)

// checkChannels reports a synthesised map whose channel count differs from the exemplar's.
func checkChannels[T feature.Float](f feature.Map[T], c int) error {
	if f.C != c {
		return fmt.Errorf("feature map has %d channels, the exemplar's has %d", f.C, c)
	}
	return nil
}
