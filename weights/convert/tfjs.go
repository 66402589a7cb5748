package convert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/texsynth/texsynth/weights"
)

// A TensorFlow.js layers model is a model.json — the Keras topology and a
// weightsManifest — and binary shards beside it. The manifest is a list of
// groups; a group's shards, concatenated in the order of its paths, hold
// its weights back to back in the order it lists them, little-endian, each
// float32 or quantised (uint8/uint16 as q·scale + min, or float16). Keras'
// VGG16/VGG19 name their convolutions blockB_convC with a kernel in HWIO
// order [3, 3, in, out] and a bias [out], and expect Caffe's preprocessing.

// maxModelJSON bounds model.json: VGG-19's is 21 KB; a big topology is a
// few megabytes.
const maxModelJSON = 64 << 20

// tfjsModel is a model.json as read (the JSON fields) and the state of
// reading its shards.
type tfjsModel struct {
	Format          string          `json:"format"`
	ModelTopology   json.RawMessage `json:"modelTopology"`
	WeightsManifest []tfjsGroup     `json:"weightsManifest"`
	Metadata        map[string]any  `json:"userDefinedMetadata"`
	weightsByName   map[string]*tfjsEntry
	groups          []*tfjsGroupData
	hash            hash.Hash
	fsys            fs.FS
	dir             string
}

type tfjsGroup struct {
	Paths   []string     `json:"paths"`
	Weights []tfjsWeight `json:"weights"`
}

type tfjsWeight struct {
	Name         string            `json:"name"`
	Shape        []int             `json:"shape"`
	DType        string            `json:"dtype"`
	Quantization *tfjsQuantization `json:"quantization"`
}

type tfjsQuantization struct {
	DType string   `json:"dtype"`
	Scale *float64 `json:"scale"`
	Min   *float64 `json:"min"`
}

// kerasConv matches Keras' VGG layer names, with the kernel or bias suffix
// and an optional scope ("vgg19/") or TensorFlow ":0".
var kerasConv = regexp.MustCompile(`^(?:.*/)?block([1-9][0-9]?)_conv([1-9][0-9]?)/(kernel|bias)(?::0)?$`)

// ReadTFJS reads the TF.js layers model name (a model.json) in fsys, with
// the shards its manifest names, relative to its directory. Only the groups
// that hold convolutions are read, up to the first layer whose shard is
// missing: Source.Missing then names that layer and file. Errors wrap
// weights.ErrFormat when the content is at fault.
func ReadTFJS(fsys fs.FS, name string) (*Source, error) {
	s, err := readTFJS(fsys, name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && !errors.Is(err, weights.ErrFormat) {
			return nil, err // the file system's own error, e.g. permission denied
		}
		if !errors.Is(err, weights.ErrFormat) {
			err = bad("TF.js: %v", err)
		}
		return nil, err
	}
	return s, nil
}

func readTFJS(fsys fs.FS, name string) (*Source, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxModelJSON {
		return nil, fmt.Errorf("%d bytes: more than a model.json holds (at most %d)", st.Size(), maxModelJSON)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	m := &tfjsModel{fsys: fsys, dir: path.Dir(name), hash: sha256.New()}
	m.hash.Write(data)
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("not a model.json (%v)", err)
	}
	switch m.Format {
	case "", "layers-model":
	case "graph-model":
		return nil, fmt.Errorf("a TF.js graph model: its weights are named by graph operations; convert the Keras model as a layers model (tensorflowjs_converter --output_format tfjs_layers_model)")
	default:
		return nil, fmt.Errorf("format %q, want a layers-model", m.Format)
	}
	if len(m.WeightsManifest) == 0 {
		return nil, fmt.Errorf("no weightsManifest: a model.json without weights")
	}
	if err := m.index(); err != nil {
		return nil, err
	}
	listed, arch, err := m.listConvs()
	if err != nil {
		return nil, err
	}
	if err := checkKerasTopology(m.ModelTopology, listed); err != nil {
		return nil, err
	}
	s := &Source{Format: "TF.js", Arch: arch, Listed: len(listed)}
	var convs []Conv
	for i, l := range listed {
		c, missing, err := m.conv(l)
		if err != nil {
			return nil, err
		}
		if missing != "" {
			if i == 0 {
				return nil, fmt.Errorf("%s (%s) is in %s, which is missing: no layer to convert", arch.Layers[0].Name, l.kernel.Name, missing)
			}
			s.Missing = fmt.Sprintf("%s (%s) is in %s, which is missing", arch.Layers[i].Name, l.kernel.Name, missing)
			break
		}
		convs = append(convs, c)
	}
	if err := s.setConvs(convs); err != nil {
		return nil, err
	}
	meta := map[string]string{}
	for k, v := range m.Metadata {
		if str, ok := v.(string); ok {
			meta[k] = str
		}
	}
	if s.Pre, err = declared(meta, Caffe); err != nil {
		return nil, err
	}
	s.SHA256 = hex.EncodeToString(m.hash.Sum(nil))
	return s, nil
}

// A kerasLayer is a convolution the manifest lists.
type kerasLayer struct {
	block, conv  int
	kernel, bias *tfjsEntry // bias nil when the layer has none
}

func (l kerasLayer) name() string { return fmt.Sprintf("block%d_conv%d", l.block, l.conv) }

// listConvs returns the manifest's convolutions in network order and the
// architecture their names make: consecutive blocks from 1, consecutive
// convs from 1 within each, block sizes those of VGG-16 or VGG-19 (the
// last listed block may be short only in a model cut before its end).
func (m *tfjsModel) listConvs() ([]kerasLayer, *Architecture, error) {
	byKey := map[[2]int]*kerasLayer{}
	var other4D []string
	for name, e := range m.weightsByName {
		sub := kerasConv.FindStringSubmatch(name)
		if sub == nil {
			if len(e.Shape) == 4 {
				other4D = append(other4D, name)
			}
			continue
		}
		b, _ := strconv.Atoi(sub[1])
		c, _ := strconv.Atoi(sub[2])
		l := byKey[[2]int{b, c}]
		if l == nil {
			l = &kerasLayer{block: b, conv: c}
			byKey[[2]int{b, c}] = l
		}
		p := &l.kernel
		if sub[3] == "bias" {
			p = &l.bias
		}
		if *p != nil {
			return nil, nil, fmt.Errorf("two %s weights for block%d_conv%d: %q and %q", sub[3], b, c, (*p).Name, name)
		}
		*p = e
	}
	slices.Sort(other4D)
	if len(byKey) == 0 {
		if len(other4D) > 0 {
			return nil, nil, fmt.Errorf("no Keras VGG layers (blockB_convC/kernel); the 4-D weights are named %s — not a Keras VGG16/VGG19", listSome(other4D))
		}
		return nil, nil, fmt.Errorf("no convolution kernels among the weights: not a Keras VGG16/VGG19")
	}
	if len(other4D) > 0 {
		return nil, nil, fmt.Errorf("4-D weights outside the VGG blocks: %s; want a plain Keras VGG16/VGG19", listSome(other4D))
	}
	var listed []kerasLayer
	var counts []int
	for b := 1; ; b++ {
		n := 0
		for byKey[[2]int{b, n + 1}] != nil {
			n++
			listed = append(listed, *byKey[[2]int{b, n}])
		}
		if n == 0 {
			break
		}
		counts = append(counts, n)
	}
	if len(listed) != len(byKey) {
		var stray []string
		for _, l := range byKey {
			if !slices.ContainsFunc(listed, func(k kerasLayer) bool { return k.block == l.block && k.conv == l.conv }) {
				stray = append(stray, l.name())
			}
		}
		slices.Sort(stray)
		return nil, nil, fmt.Errorf("%s without the layers before it (blocks count from block1, convs from conv1 in each)", listSome(stray))
	}
	for _, l := range listed {
		if l.kernel == nil {
			return nil, nil, fmt.Errorf("%s has a bias and no kernel", l.name())
		}
	}
	arch := archOfBlocks(counts)
	if arch == nil {
		return nil, nil, fmt.Errorf("blocks of %v convolutions; VGG-16 has [2 2 3 3 3] and VGG-19 [2 2 4 4 4]", counts)
	}
	return listed, arch, nil
}

// archOfBlocks is the architecture whose blocks have these sizes, the
// sizes of a model cut short allowed: every block as the architecture's
// but the last listed one, which may be shorter. An exact match wins.
func archOfBlocks(counts []int) *Architecture {
	var prefix *Architecture
	for i := range Architectures {
		a := &Architectures[i]
		want := blockSizes(a)
		if len(counts) > len(want) {
			continue
		}
		last := len(counts) - 1
		if slices.Equal(counts[:last], want[:last]) {
			if counts[last] == want[last] {
				return a
			}
			if counts[last] < want[last] && prefix == nil {
				prefix = a
			}
		}
	}
	return prefix
}

// blockSizes counts an architecture's convs per block, from their names.
func blockSizes(a *Architecture) []int {
	var sizes []int
	prev := ""
	for _, l := range a.Layers {
		block, _, _ := strings.Cut(l.Name, "_")
		if block != prev {
			sizes = append(sizes, 0)
			prev = block
		}
		sizes[len(sizes)-1]++
	}
	return sizes
}

// conv reads one layer: the kernel HWIO [3, 3, in, out] transposed to
// OIHW, and the bias. If a shard it needs is absent it returns that
// shard's name instead.
func (m *tfjsModel) conv(l kerasLayer) (Conv, string, error) {
	k := l.kernel
	if len(k.Shape) != 4 {
		return Conv{}, "", fmt.Errorf("%s: shape %v, want a 4-D kernel [kh, kw, in, out]", k.Name, k.Shape)
	}
	c := Conv{Source: l.name(), KH: k.Shape[0], KW: k.Shape[1], In: k.Shape[2], Out: k.Shape[3]}
	if l.bias != nil && (len(l.bias.Shape) != 1 || l.bias.Shape[0] != c.Out) {
		return Conv{}, "", fmt.Errorf("%s: shape %v, want [%d]", l.bias.Name, l.bias.Shape, c.Out)
	}
	hwio, missing, err := m.floats(k)
	if err != nil || missing != "" {
		return Conv{}, missing, err
	}
	c.Bias = make([]float32, c.Out)
	if l.bias != nil {
		if c.Bias, missing, err = m.floats(l.bias); err != nil || missing != "" {
			return Conv{}, missing, err
		}
	}
	c.Kernel = make([]float32, len(hwio))
	for h := range c.KH {
		for w := range c.KW {
			for i := range c.In {
				src := hwio[((h*c.KW+w)*c.In+i)*c.Out:]
				for o := range c.Out {
					c.Kernel[((o*c.In+i)*c.KH+h)*c.KW+w] = src[o]
				}
			}
		}
	}
	return c, "", nil
}
