package convert

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// An ONNX file is a protobuf ModelProto. This reader decodes only the few
// fields a VGG-16 needs, by their numbers in onnx.proto, with protowire:
// every length is checked by protowire against the bytes left, and nothing
// is allocated from a length field.

// onnx.proto field numbers.
const (
	modelGraph    = 7
	modelMetadata = 14

	graphNode        = 1
	graphInitializer = 5

	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5

	attrName  = 1
	attrI     = 3
	attrInts  = 8
	attrFloat = 2

	tensorDims         = 1
	tensorDataType     = 2
	tensorFloatData    = 4
	tensorName         = 8
	tensorRawData      = 9
	tensorDoubleData   = 10
	tensorDataLocation = 14
)

// What an ONNX model may hold, far above a VGG-16's (the fixture's graph of the 13
// convolutions has 31 nodes and 26 initializers; the classifier adds about ten nodes): each of
// these costs memory beyond its own bytes (a node of ten bytes becomes a struct with two maps),
// so without them a model of a million tiny nodes would cost sixty times its size.
const (
	maxONNXNodes        = 2000
	maxONNXInitializers = 2000
	maxONNXNodeFields   = 64 // inputs, outputs and attributes of one node
	maxONNXMetadata     = 256
)

// ONNX TensorProto data types.
var onnxTypes = map[uint64]dtype{1: f32, 10: f16, 16: bf16, 11: f64, 7: i64, 6: i32}

type onnxNode struct {
	name, op      string
	inputs, outps []string
	ints          map[string][]int64
	floats        map[string]float64
}

// onnxOps are the operators a VGG-16 graph may hold (features and
// classifier, as exported by PyTorch or found in the ONNX model zoo).
var onnxOps = map[string]bool{
	"Conv": true, "Relu": true, "MaxPool": true, "BatchNormalization": true,
	"Flatten": true, "Reshape": true, "Gemm": true, "MatMul": true, "Add": true,
	"Dropout": true, "Softmax": true, "Identity": true, "Constant": true,
	"Shape": true, "Gather": true, "Unsqueeze": true, "Concat": true,
	"AveragePool": true, "GlobalAveragePool": true,
}

// fields calls f for each field of the message b, stopping at the first
// error. v is the field's bytes for wire type 2, and its value otherwise.
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("protobuf: %v", protowire.ParseError(n))
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var y uint32
			y, n = protowire.ConsumeFixed32(b)
			x = uint64(y)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		default: // groups: not used by onnx.proto
			return fmt.Errorf("protobuf field %d: wire type %d", num, typ)
		}
		if n < 0 {
			return fmt.Errorf("protobuf field %d: %v", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

// varints appends a repeated int64 field, packed or not.
func varints(dst []int64, typ protowire.Type, v []byte, x uint64) ([]int64, error) {
	if typ == protowire.VarintType {
		return append(dst, int64(x)), nil
	}
	if typ != protowire.BytesType {
		return nil, fmt.Errorf("protobuf: repeated int64 of wire type %d", typ)
	}
	for len(v) > 0 {
		y, n := protowire.ConsumeVarint(v)
		if n < 0 {
			return nil, fmt.Errorf("protobuf: %v", protowire.ParseError(n))
		}
		dst = append(dst, int64(y))
		v = v[n:]
	}
	return dst, nil
}

// readONNX reads the initializers and nodes of an ONNX model.
func readONNX(data []byte) (*stateDict, []onnxNode, error) {
	var graph []byte
	sd := &stateDict{meta: map[string]string{}}
	err := fields(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == modelGraph && typ == protowire.BytesType:
			graph = v
		case num == modelMetadata && typ == protowire.BytesType:
			var k, val string
			if err := fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				if num == 1 {
					k = string(v)
				} else if num == 2 {
					val = string(v)
				}
				return nil
			}); err != nil {
				return err
			}
			if len(sd.meta) >= maxONNXMetadata {
				return fmt.Errorf("more than %d metadata properties", maxONNXMetadata)
			}
			sd.meta[k] = val
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("truncated or damaged model (%v)", err)
	}
	if graph == nil {
		return nil, nil, fmt.Errorf("not an ONNX model: no graph")
	}
	var nodes []onnxNode
	err = fields(graph, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case graphNode:
			if len(nodes) >= maxONNXNodes {
				return fmt.Errorf("more than %d nodes, far more than a VGG-16 has", maxONNXNodes)
			}
			n, err := readONNXNode(v)
			if err != nil {
				return fmt.Errorf("node %d: %v", len(nodes), err)
			}
			nodes = append(nodes, n)
		case graphInitializer:
			if len(sd.names) >= maxONNXInitializers {
				return fmt.Errorf("more than %d initializers, far more than a VGG-16 has", maxONNXInitializers)
			}
			t, err := readONNXTensor(v)
			if err != nil {
				return fmt.Errorf("initializer %d: %v", len(sd.names), err)
			}
			return sd.add(t)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("graph: %v", err)
	}
	if len(nodes) == 0 {
		return nil, nil, fmt.Errorf("not an ONNX model: the graph has no nodes")
	}
	return sd, nodes, nil
}

func readONNXNode(b []byte) (onnxNode, error) {
	n := onnxNode{ints: map[string][]int64{}, floats: map[string]float64{}}
	count := 0
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		if count++; count > maxONNXNodeFields {
			return fmt.Errorf("more than %d inputs, outputs and attributes", maxONNXNodeFields)
		}
		switch num {
		case nodeInput:
			n.inputs = append(n.inputs, string(v))
		case nodeOutput:
			n.outps = append(n.outps, string(v))
		case nodeName:
			n.name = string(v)
		case nodeOpType:
			n.op = string(v)
		case nodeAttribute:
			var name string
			var ints []int64
			var f float64
			hasF := false
			if err := fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				var err error
				switch {
				case num == attrName && typ == protowire.BytesType:
					name = string(v)
				case num == attrI && typ == protowire.VarintType:
					ints = append(ints, int64(x))
				case num == attrInts:
					ints, err = varints(ints, typ, v, x)
				case num == attrFloat && typ == protowire.Fixed32Type:
					f, hasF = float64(math.Float32frombits(uint32(x))), true
				}
				return err
			}); err != nil {
				return err
			}
			if hasF {
				n.floats[name] = f
			} else {
				n.ints[name] = ints
			}
		}
		return nil
	})
	return n, err
}

func readONNXTensor(b []byte) (*tensor, error) {
	t := &tensor{}
	var dims []int64
	var typ uint64
	var raw, floats []byte
	var external bool
	err := fields(b, func(num protowire.Number, wt protowire.Type, v []byte, x uint64) error {
		var err error
		switch num {
		case tensorDims:
			dims, err = varints(dims, wt, v, x)
		case tensorDataType:
			typ = x
		case tensorName:
			t.name = string(v)
		case tensorRawData:
			raw = v
		case tensorFloatData:
			if wt == protowire.BytesType {
				floats = append(floats, v...)
			} else if wt == protowire.Fixed32Type {
				floats = binary.LittleEndian.AppendUint32(floats, uint32(x))
			}
		case tensorDoubleData:
			if wt == protowire.BytesType || wt == protowire.Fixed64Type {
				return fmt.Errorf("double_data is not supported; store the weights as float or raw_data")
			}
		case tensorDataLocation:
			external = x == 1
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if external {
		return nil, fmt.Errorf("tensor %q is stored outside the .onnx file (external data), which is not supported", t.name)
	}
	dt, ok := onnxTypes[typ]
	if !ok {
		dt = other
	}
	t.dtype = dt
	if len(dims) > maxDims {
		return nil, fmt.Errorf("tensor %q: %d dimensions", t.name, len(dims))
	}
	for _, d := range dims {
		if d < 0 || d > math.MaxInt32 {
			return nil, fmt.Errorf("tensor %q: dimension %d", t.name, d)
		}
		t.shape = append(t.shape, int(d))
	}
	t.raw = raw
	if raw == nil {
		if dt == f32 {
			t.raw = floats
		} else if dt != other {
			return nil, fmt.Errorf("tensor %q of type %v without raw_data", t.name, dt)
		}
	}
	count, ok := numel(t.shape, math.MaxInt/8)
	if !ok || (dt != other && count*dt.size() != len(t.raw)) {
		return nil, fmt.Errorf("tensor %q: shape %v of %v needs another size than its %d bytes", t.name, t.shape, dt, len(t.raw))
	}
	t.stride = contiguous(t.shape)
	return t, nil
}

// convsOfONNX finds the convolutions of a VGG-16 graph in graph order, with
// their weights from the initializers and any BatchNormalization applied
// to a convolution's output folded in. Any operator outside onnxOps is
// refused.
func convsOfONNX(sd *stateDict, nodes []onnxNode) ([]Conv, error) {
	var convs []Conv
	producer := map[string]int{} // conv output name → index in convs
	for i, n := range nodes {
		label := fmt.Sprintf("node %d (%s %q)", i, n.op, n.name)
		if !onnxOps[n.op] {
			return nil, fmt.Errorf("%s: operator %q is not part of a VGG-16 graph (want Conv, Relu, MaxPool, BatchNormalization and classifier ops)", label, n.op)
		}
		switch n.op {
		case "Conv":
			if len(n.inputs) < 2 || len(n.outps) != 1 {
				return nil, fmt.Errorf("%s: %d inputs and %d outputs", label, len(n.inputs), len(n.outps))
			}
			w, ok := sd.tensors[n.inputs[1]]
			if !ok || len(w.shape) != 4 {
				return nil, fmt.Errorf("%s: weight %q is not a 4-D initializer", label, n.inputs[1])
			}
			for attr, want := range map[string]int64{"group": 1, "strides": 1, "dilations": 1} {
				for _, v := range n.ints[attr] {
					if v != want {
						return nil, fmt.Errorf("%s: %s %v, VGG-16 uses %d", label, attr, n.ints[attr], want)
					}
				}
			}
			c := Conv{Source: n.inputs[1], Out: w.shape[0], In: w.shape[1], KH: w.shape[2], KW: w.shape[3]}
			for _, p := range n.ints["pads"] {
				if int(p) != c.KH/2 {
					return nil, fmt.Errorf("%s: pads %v, VGG-16 pads 3x3 convolutions by 1", label, n.ints["pads"])
				}
			}
			var err error
			if c.Kernel, err = w.floats(); err != nil {
				return nil, err
			}
			c.Bias = make([]float32, c.Out)
			if len(n.inputs) > 2 && n.inputs[2] != "" {
				b, ok := sd.tensors[n.inputs[2]]
				if !ok || len(b.shape) != 1 || b.shape[0] != c.Out {
					return nil, fmt.Errorf("%s: bias %q is not an initializer of %d values", label, n.inputs[2], c.Out)
				}
				if c.Bias, err = b.floats(); err != nil {
					return nil, err
				}
			}
			producer[n.outps[0]] = len(convs)
			convs = append(convs, c)
		case "BatchNormalization":
			if len(n.inputs) != 5 {
				return nil, fmt.Errorf("%s: %d inputs, want 5", label, len(n.inputs))
			}
			k, ok := producer[n.inputs[0]]
			if !ok {
				return nil, fmt.Errorf("%s: its input %q is not a convolution's output; only batch norm right after a convolution can be folded", label, n.inputs[0])
			}
			c := &convs[k]
			if c.FoldedBN {
				return nil, fmt.Errorf("%s: a second batch norm on %s", label, c.Source)
			}
			var v [4][]float32
			for j := range v {
				t, ok := sd.tensors[n.inputs[j+1]]
				if !ok || len(t.shape) != 1 || t.shape[0] != c.Out {
					return nil, fmt.Errorf("%s: input %q is not an initializer of %d values", label, n.inputs[j+1], c.Out)
				}
				var err error
				if v[j], err = t.floats(); err != nil {
					return nil, err
				}
			}
			eps := bnEps
			if e, ok := n.floats["epsilon"]; ok {
				eps = e
			}
			if err := foldBN(c, v[0], v[1], v[2], v[3], eps); err != nil {
				return nil, err
			}
		}
	}
	if len(convs) == 0 {
		return nil, fmt.Errorf("the graph has no Conv nodes: a classifier-only model?")
	}
	return convs, nil
}
