package weights

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Random returns an untrained VGG-16: its layers conv1_1 to upto ("" for all
// thirteen), He-normal kernels with zero biases, quantised to int8, with
// ImageNet preprocessing. Random features of this kind already make a
// usable texture descriptor. The same seed gives the same file on every
// platform. upto must be a name in VGG16.
func Random(seed uint64, upto string) (*File, error) {
	return RandomBits(seed, upto, 8)
}

// RandomBits is Random with the kernels stored at the given bits: 8 (what
// Random returns), 4, or 32 (the float32 kernels themselves, unquantised:
// the reference that Random's quantisation error is measured against).
func RandomBits(seed uint64, upto string, bits int) (*File, error) {
	f, err := randomNet(seed, VGG16, upto, bits)
	if err != nil {
		return nil, err
	}
	f.Provenance = RandomProvenance(seed)
	if bits != 8 {
		f.Provenance = fmt.Sprintf("untrained VGG-16 (random features, He-normal, seed %d, %d bits)", seed, bits)
	}
	return f, nil
}

// RandomProvenance is the provenance Random(seed, …) writes into its File.
func RandomProvenance(seed uint64) string {
	return fmt.Sprintf("untrained VGG-16 (random features, He-normal, seed %d)", seed)
}

// RandomVGG19 is Random for VGG-19: its layers conv1_1 to upto ("" for all
// sixteen), drawn as Random draws them, so that the layers the two networks
// share (conv1_1 … conv3_3) hold the same numbers for the same seed.
func RandomVGG19(seed uint64, upto string) (*File, error) {
	f, err := randomNet(seed, VGG19, upto, 8)
	if err != nil {
		return nil, err
	}
	f.Provenance = fmt.Sprintf("untrained VGG-19 (random features, He-normal, seed %d)", seed)
	return f, nil
}

func randomNet(seed uint64, specs []LayerSpec, upto string, bits int) (*File, error) {
	specs, err := prefix(specs, upto)
	if err != nil {
		return nil, err
	}
	return randomLayers(seed, specs, bits)
}

// RandomLayers returns a File of untrained 3×3 convolutions with the given
// names and channel counts, as Random does for VGG16 (Random(seed, "") is
// RandomLayers(seed, VGG16) with another provenance). Narrow specs make
// small test networks.
//
// Layer i's kernel is drawn from its own generator,
// rand.NewPCG(seed, i), as NormFloat64 · sqrt(2/(In·3·3)) in OIHW order (He
// normal, fan-in, not mean-subtracted), so a layer never depends on the
// others and math/rand/v2's pure-Go generators give the same numbers on
// every platform. Biases are zero.
func RandomLayers(seed uint64, specs []LayerSpec) (*File, error) {
	return randomLayers(seed, specs, 8)
}

func randomLayers(seed uint64, specs []LayerSpec, bits int) (*File, error) {
	f := &File{
		Layers:     make([]Layer, len(specs)),
		Pre:        ImageNet,
		Provenance: fmt.Sprintf("untrained convolutions (random features, He-normal, seed %d)", seed),
	}
	// One kernel buffer, reused: the largest VGG layer has 2.4M weights.
	var kernel []float32
	for i, s := range specs {
		if s.In < 1 || s.Out < 1 {
			return nil, fmt.Errorf("weights: layer %q: %d in and %d out channels, want ≥ 1", s.Name, s.In, s.Out)
		}
		n := s.Out * s.In * 9
		if cap(kernel) < n {
			kernel = make([]float32, n)
		}
		kernel = kernel[:n]
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		std := math.Sqrt(2 / float64(s.In*9))
		for j := range kernel {
			kernel[j] = float32(rng.NormFloat64() * std)
		}
		l, err := QuantizeBits(s.Name, kernel, make([]float32, s.Out), bits, s.Out, s.In, 3, 3)
		if err != nil {
			return nil, err
		}
		f.Layers[i] = l
	}
	return f, nil
}
