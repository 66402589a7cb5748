package convert

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// bnEps is PyTorch's default batch-norm epsilon (nn.BatchNorm2d), which
// torchvision's vgg16_bn uses.
const bnEps = 1e-5

// convsOfStateDict finds the convolutions of a torchvision-style VGG state
// dict: 4-D tensors named PREFIX.features.N.weight, in order of N, with
// PREFIX.features.N.bias and, for vgg16_bn, the batch norm at
// features.N+1 folded in. The classifier is ignored.
func convsOfStateDict(sd *stateDict) ([]Conv, error) {
	type found struct {
		idx    int
		prefix string // everything before N
	}
	var convs []found
	var other4D []string
	for _, name := range sd.names {
		t := sd.tensors[name]
		if len(t.shape) != 4 || !strings.HasSuffix(name, ".weight") {
			continue
		}
		base := strings.TrimSuffix(name, ".weight")
		dot := strings.LastIndexByte(base, '.')
		idx, err := strconv.Atoi(base[dot+1:])
		if dot < 0 || err != nil || idx < 0 || !strings.HasSuffix(base[:dot+1], "features.") {
			other4D = append(other4D, name)
			continue
		}
		convs = append(convs, found{idx, base[:dot+1]})
	}
	if len(convs) == 0 {
		if len(other4D) > 0 {
			return nil, fmt.Errorf("no VGG feature layers (features.N.weight); the convolutions are named %s — not a torchvision-style VGG-16 (a ResNet?)", listSome(other4D))
		}
		return nil, fmt.Errorf("no convolution kernels (4-D weights) among the tensors %s: a classifier-only file?", listSome(sd.names))
	}
	if len(other4D) > 0 {
		return nil, fmt.Errorf("convolutions outside features: %s; want a plain VGG-16", listSome(other4D))
	}
	for _, c := range convs[1:] {
		if c.prefix != convs[0].prefix {
			return nil, fmt.Errorf("convolutions under two prefixes, %q and %q", convs[0].prefix, c.prefix)
		}
	}
	sort.Slice(convs, func(i, j int) bool { return convs[i].idx < convs[j].idx })

	out := make([]Conv, 0, len(convs))
	for _, c := range convs {
		key := c.prefix + strconv.Itoa(c.idx)
		w := sd.tensors[key+".weight"]
		conv := Conv{Source: key, Out: w.shape[0], In: w.shape[1], KH: w.shape[2], KW: w.shape[3]}
		var err error
		if conv.Kernel, err = w.floats(); err != nil {
			return nil, err
		}
		if conv.Bias, err = vector(sd, key+".bias", conv.Out, false); err != nil {
			return nil, err
		}
		bn := c.prefix + strconv.Itoa(c.idx+1)
		if _, ok := sd.tensors[bn+".running_mean"]; ok {
			if err := foldStateDictBN(sd, bn, &conv); err != nil {
				return nil, err
			}
		}
		out = append(out, conv)
	}
	return out, nil
}

// vector reads a 1-D tensor of n floats; a missing optional one is zeros.
func vector(sd *stateDict, name string, n int, required bool) ([]float32, error) {
	t, ok := sd.tensors[name]
	if !ok {
		if required {
			return nil, fmt.Errorf("no tensor %s", name)
		}
		return make([]float32, n), nil
	}
	if len(t.shape) != 1 || t.shape[0] != n {
		return nil, fmt.Errorf("tensor %s has shape %v, want [%d]", name, t.shape, n)
	}
	return t.floats()
}

func foldStateDictBN(sd *stateDict, bn string, c *Conv) error {
	var v [4][]float32
	for i, part := range []string{"weight", "bias", "running_mean", "running_var"} {
		var err error
		if v[i], err = vector(sd, bn+"."+part, c.Out, true); err != nil {
			return fmt.Errorf("batch norm after %s: %v", c.Source, err)
		}
	}
	return foldBN(c, v[0], v[1], v[2], v[3], bnEps)
}

// foldBN folds an inference-mode batch norm that follows c into c:
// y = γ(conv(x) − μ)/√(σ²+ε) + β becomes a convolution with kernel
// W·s and bias (b − μ)·s + β, s = γ/√(σ²+ε), per output channel.
func foldBN(c *Conv, gamma, beta, mean, variance []float32, eps float64) error {
	per := c.In * c.KH * c.KW
	for o := range c.Out {
		vv := float64(variance[o]) + eps
		if !(vv > 0) || math.IsInf(vv, 0) {
			return fmt.Errorf("batch norm after %s: variance[%d] = %v", c.Source, o, variance[o])
		}
		s := float64(gamma[o]) / math.Sqrt(vv)
		for i := o * per; i < (o+1)*per; i++ {
			c.Kernel[i] = float32(float64(c.Kernel[i]) * s)
		}
		c.Bias[o] = float32((float64(c.Bias[o])-float64(mean[o]))*s + float64(beta[o]))
	}
	c.FoldedBN = true
	return nil
}

// listSome lists up to five names for an error message.
func listSome(names []string) string {
	if len(names) > 5 {
		return strings.Join(names[:5], ", ") + fmt.Sprintf(" and %d more", len(names)-5)
	}
	return strings.Join(names, ", ")
}
