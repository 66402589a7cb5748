package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// A kerasNode is one layer of a Keras topology, nested models flattened.
type kerasNode struct {
	class, name string
	config      map[string]json.RawMessage
}

// checkKerasTopology checks a model.json's modelTopology, when it has one,
// against the convolutions its weights name: each is a Conv2D with a 3×3
// kernel, stride 1, "same" padding, no dilation, channels last, ReLU and
// as many filters as its kernel has outputs; a 2×2 max pool sits between
// blocks and nothing else sits among them. That refuses what would make the
// converted network compute something else than the model: strides, a
// batch norm, or a Rescaling or Normalization layer at the input (which
// would change the preprocessing).
func checkKerasTopology(raw json.RawMessage, listed []kerasLayer) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil // a weights-only model.json: nothing to check against
	}
	var top struct {
		ModelConfig json.RawMessage `json:"model_config"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return fmt.Errorf("modelTopology: %v", err)
	}
	if len(top.ModelConfig) > 0 {
		raw = top.ModelConfig // Keras' own to_json, as the Python converter writes it
	}
	var nodes []kerasNode
	if err := flattenKeras(raw, &nodes, 0); err != nil {
		return fmt.Errorf("modelTopology: %v", err)
	}
	at := func(name string) int {
		return slices.IndexFunc(nodes, func(n kerasNode) bool { return n.name == name })
	}
	prev := -1
	for i, l := range listed {
		pos := at(l.name())
		if pos < 0 {
			return fmt.Errorf("modelTopology has no layer %s, which the weights name", l.name())
		}
		if pos < prev {
			return fmt.Errorf("modelTopology: %s comes before %s", l.name(), listed[i-1].name())
		}
		pools := 0
		for _, n := range nodes[prev+1 : pos] {
			switch n.class {
			case "InputLayer":
			case "MaxPooling2D":
				if err := checkPool(n); err != nil {
					return err
				}
				pools++
			default:
				return fmt.Errorf("modelTopology: layer %s (%s) sits among VGG's convolutions, where Keras' VGG has only Conv2D and MaxPooling2D", n.name, n.class)
			}
		}
		if want := boolInt(i > 0 && l.block != listed[i-1].block); pools != want {
			return fmt.Errorf("modelTopology: %d max pools before %s, want %d", pools, l.name(), want)
		}
		if err := checkConv2D(nodes[pos], l); err != nil {
			return err
		}
		prev = pos
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// flattenKeras appends the layers of a Keras model config ({"class_name",
// "config": {"layers": […]}}, or an old Sequential's list) to nodes,
// descending into nested models.
func flattenKeras(raw json.RawMessage, nodes *[]kerasNode, depth int) error {
	if depth > 8 {
		return fmt.Errorf("models nested more than 8 deep")
	}
	var model struct {
		Class  string          `json:"class_name"`
		Config json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(raw, &model); err != nil {
		return err
	}
	var layers []json.RawMessage
	if err := json.Unmarshal(model.Config, &layers); err != nil { // old Sequential: config is the list
		var cfg struct {
			Layers []json.RawMessage `json:"layers"`
		}
		if err := json.Unmarshal(model.Config, &cfg); err != nil {
			return fmt.Errorf("%s config: %v", model.Class, err)
		}
		layers = cfg.Layers
	}
	for _, lr := range layers {
		var l struct {
			Class  string                     `json:"class_name"`
			Name   string                     `json:"name"`
			Config map[string]json.RawMessage `json:"config"`
		}
		if err := json.Unmarshal(lr, &l); err != nil {
			return fmt.Errorf("layer: %v", err)
		}
		switch l.Class {
		case "Model", "Functional", "Sequential":
			if err := flattenKeras(lr, nodes, depth+1); err != nil {
				return err
			}
			continue
		}
		name := l.Name
		if name == "" {
			json.Unmarshal(l.Config["name"], &name)
		}
		*nodes = append(*nodes, kerasNode{class: l.Class, name: name, config: l.Config})
	}
	return nil
}

// checkConv2D checks that a Keras layer is the 3×3 "same" ReLU convolution
// a VGG has, with the kernel's number of outputs.
func checkConv2D(n kerasNode, l kerasLayer) error {
	if n.class != "Conv2D" {
		return fmt.Errorf("modelTopology: %s is a %s, want Conv2D", n.name, n.class)
	}
	want := map[string]string{
		"kernel_size":   "[3,3]",
		"strides":       "[1,1]",
		"padding":       `"same"`,
		"dilation_rate": "[1,1]",
		"data_format":   `"channels_last"`,
		"activation":    `"relu"`,
		"groups":        "1",
	}
	optional := map[string]bool{"strides": true, "dilation_rate": true, "data_format": true, "groups": true}
	for _, key := range []string{"kernel_size", "strides", "padding", "dilation_rate", "data_format", "activation", "groups"} {
		got, ok := n.config[key]
		var v any
		if ok && json.Unmarshal(got, &v) == nil && v == nil {
			ok = false // null: Keras' default
		}
		if !ok {
			if optional[key] {
				continue
			}
			return fmt.Errorf("modelTopology: %s has no %s; a VGG conv has %s", n.name, key, want[key])
		}
		if compact(got) != want[key] && !(key == "dilation_rate" && compact(got) == "1") {
			return fmt.Errorf("modelTopology: %s has %s %s; a VGG conv has %s", n.name, key, compact(got), want[key])
		}
	}
	var filters int
	if json.Unmarshal(n.config["filters"], &filters) == nil && len(l.kernel.Shape) == 4 && filters != l.kernel.Shape[3] {
		return fmt.Errorf("modelTopology: %s has %d filters, its kernel %v has %d outputs", n.name, filters, l.kernel.Shape, l.kernel.Shape[3])
	}
	return nil
}

// checkPool checks a MaxPooling2D between blocks: 2×2, stride 2, valid.
func checkPool(n kerasNode) error {
	for key, want := range map[string]string{"pool_size": "[2,2]", "strides": "[2,2]", "padding": `"valid"`} {
		got, ok := n.config[key]
		if !ok || compact(got) == "null" {
			continue // Keras' defaults: 2×2, strides = pool_size, valid
		}
		if compact(got) != want {
			return fmt.Errorf("modelTopology: %s has %s %s; VGG pools with %s", n.name, key, compact(got), want)
		}
	}
	return nil
}

// compact is a JSON value without spaces, for comparing short values.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}
