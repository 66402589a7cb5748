package loss

import (
	"fmt"
	"strings"
)

// Kind names a texture loss.
type Kind string

// The losses.
const (
	// KindGram compares Gram matrices (Gatys et al. 2015).
	KindGram Kind = "gram"
	// KindSW is the sliced Wasserstein loss (Heitz et al. 2021): random projections of the
	// feature vectors, each sorted over positions.
	KindSW Kind = "sw"
	// KindEMD is what the seed meant by its EMD: each channel sorted over positions.
	KindEMD Kind = "emd"
	// KindEMDSeed is the seed's EMD as written: each position's channels sorted, compared position
	// by position.
	KindEMDSeed Kind = "emd-seed"
)

// The Gram normalisations (Options.GramNorm).
const (
	// GramRelative is G = FᵀF/(H·W) and layer loss ‖G−T‖²/‖T‖²: layers of any depth weigh alike.
	GramRelative = "relative"
	// GramSeed is the seed's: G = FᵀF/(H·W·C) and layer loss Σ(G−T)²/4 (tf.nn.l2_loss(G_s−G_n)/2).
	GramSeed = "seed"
)

// kinds lists the valid names in the order error messages give them.
var kinds = []Kind{KindGram, KindSW, KindEMD, KindEMDSeed}

// ParseKind returns the loss named s (case and surrounding spaces ignored); the error, which wraps
// ErrSpec, lists the valid names.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	for _, v := range kinds {
		if k == v {
			return v, nil
		}
	}
	names := make([]string, len(kinds))
	for i, v := range kinds {
		names[i] = string(v)
	}
	return "", fmt.Errorf("%w: unknown loss %q; valid: %s", ErrSpec, s, strings.Join(names, ", "))
}

// The normalisations of the sorted losses, sw and emd (Options.Norm).
const (
	// NormLayer divides a layer's squared differences by the mean over its projections (emd: its
	// channels) of the exemplar's variance: layers of any activation scale weigh alike.
	NormLayer = "layer"
	// NormDirection divides each projection's squared differences by the exemplar's variance
	// along that projection, so that directions along which the exemplar varies little weigh as
	// much as those along which it varies most.
	NormDirection = "direction"
)
