package convert

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/texsynth/texsynth/internal/userfile"
)

// A stateDict is the tensors of a checkpoint by name, in file order.
type stateDict struct {
	names   []string
	tensors map[string]*tensor
	meta    map[string]string // safetensors __metadata__, ONNX metadata_props
}

func (sd *stateDict) add(t *tensor) error {
	if sd.tensors == nil {
		sd.tensors = map[string]*tensor{}
	}
	if _, dup := sd.tensors[t.name]; dup {
		return fmt.Errorf("two tensors named %q", t.name)
	}
	sd.tensors[t.name] = t
	sd.names = append(sd.names, t.name)
	return nil
}

// storageRef is a torch storage named in a pickle: its data are read once
// the pickle is done.
type storageRef struct {
	key   string
	dtype dtype
	numel int
	raw   []byte // filled in after unpickling (legacy format)
	// zip format: the archive entry, read on first use
	entry *zip.File
}

// bytes returns the storage's data, reading a zip entry once.
func (s *storageRef) bytes() ([]byte, error) {
	if s.raw == nil && s.entry != nil {
		want := s.numel * s.dtype.size()
		raw, err := readEntry(s.entry, want)
		if err != nil {
			return nil, err
		}
		if len(raw) != want {
			return nil, fmt.Errorf("storage %q: %d bytes, want %d", s.key, len(raw), want)
		}
		s.raw = raw
	}
	return s.raw, nil
}

// tensorRef is a tensor rebuilt from a storage (torch._utils._rebuild_tensor_v2).
type tensorRef struct {
	storage *storageRef
	offset  int
	shape   []int
	stride  []int
}

var storageTypes = map[string]dtype{
	"FloatStorage": f32, "HalfStorage": f16, "BFloat16Storage": bf16, "DoubleStorage": f64,
	"LongStorage": i64, "IntStorage": i32,
	"ShortStorage": other, "CharStorage": other, "ByteStorage": other, "BoolStorage": other,
}

// storageType reads a storage class from a pickle: torch.FloatStorage etc.
func storageType(v any) (dtype, error) {
	g, ok := v.(pyGlobal)
	if !ok || g.module != "torch" || storageTypes[g.name] == 0 {
		return 0, fmt.Errorf("storage type %s, want torch.FloatStorage or another torch storage", describe(v))
	}
	return storageTypes[g.name], nil
}

func asInt(v any) (int, bool) {
	i, ok := v.(int64)
	if !ok || i < 0 || int64(int(i)) != i {
		return 0, false
	}
	return int(i), true
}

// maxDims bounds a tensor's rank (PyTorch's own limit is 64): building a
// tensor reads its shape and stride tuples, and one memoised tuple of
// thousands of ints could otherwise be rebuilt at a few bytes per call.
const maxDims = 64

func intTuple(v any) ([]int, bool) {
	t, ok := v.(pyTuple)
	if !ok || len(t) > maxDims {
		return nil, false
	}
	out := make([]int, len(t))
	for i, x := range t {
		if out[i], ok = asInt(x); !ok {
			return nil, false
		}
	}
	return out, true
}

// torchCall builds the objects a state dict pickle makes: ordered dicts,
// tensors and parameters. Other classes stay opaque objects.
func torchCall(g pyGlobal, args pyTuple) (any, bool, error) {
	switch g.String() {
	case "collections.OrderedDict":
		return &pyDict{}, true, nil
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
		if len(args) < 4 {
			return nil, false, fmt.Errorf("%d arguments, want at least 4", len(args))
		}
		s, ok := args[0].(*storageRef)
		if !ok {
			return nil, false, fmt.Errorf("storage is %s", describe(args[0]))
		}
		off, ok1 := asInt(args[1])
		shape, ok2 := intTuple(args[2])
		stride, ok3 := intTuple(args[3])
		if !ok1 || !ok2 || !ok3 || len(shape) != len(stride) {
			return nil, false, fmt.Errorf("offset %s, size %s and stride %s, want an int and two tuples of one length of at most 64 ints",
				describe(args[1]), describe(args[2]), describe(args[3]))
		}
		return &tensorRef{storage: s, offset: off, shape: shape, stride: stride}, true, nil
	case "torch._utils._rebuild_parameter":
		if len(args) < 1 {
			return nil, false, fmt.Errorf("no arguments")
		}
		return args[0], true, nil
	}
	return nil, false, nil
}

// readPyTorch reads a torch.save checkpoint: the zip format of PyTorch 1.6
// and later, or the legacy format before it (torchvision's vgg16-397923af.pth).
func readPyTorch(data []byte) (*stateDict, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06")) {
		return readTorchZip(data)
	}
	if isPickle(data) {
		return readTorchLegacy(data)
	}
	return nil, fmt.Errorf("not a PyTorch checkpoint: neither a zip archive nor a legacy pickle")
}

func readTorchZip(data []byte) (*stateDict, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("truncated or damaged zip archive (%v)", err)
	}
	var pkl *zip.File
	records := map[string]*zip.File{}
	prefix := ""
	for _, f := range zr.File {
		if path.Base(f.Name) == "data.pkl" && pkl == nil {
			pkl = f
			prefix = strings.TrimSuffix(f.Name, "data.pkl")
		}
	}
	if pkl == nil {
		for _, f := range zr.File {
			if path.Base(f.Name) == "constants.pkl" {
				return nil, fmt.Errorf("a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save")
			}
		}
		return nil, fmt.Errorf("zip archive without data.pkl: not a torch.save checkpoint")
	}
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, prefix) {
			records[strings.TrimPrefix(f.Name, prefix)] = f
		}
	}
	if bo, ok := records["byteorder"]; ok {
		b, err := readEntry(bo, 16)
		if err != nil {
			return nil, err
		}
		if string(b) != "little" {
			return nil, fmt.Errorf("byte order %q: only little-endian checkpoints are supported", b)
		}
	}
	p, err := readEntry(pkl, maxPickleBytes)
	if err != nil {
		return nil, err
	}
	storages := newStorageSet()
	m := &machine{data: p, call: torchCall}
	m.persistent = func(pid any) (any, error) {
		t, ok := pid.(pyTuple)
		if !ok || len(t) < 5 || t[0] != "storage" {
			return nil, fmt.Errorf("persistent id %s, want ('storage', type, key, location, numel)", describe(pid))
		}
		return storages.ref(t)
	}
	root, err := m.run()
	if err != nil {
		return nil, fmt.Errorf("data.pkl: %v", err)
	}
	for _, s := range storages.list {
		f, ok := records["data/"+s.key]
		if !ok {
			return nil, fmt.Errorf("storage %q: no data/%s in the archive", s.key, s.key)
		}
		want := uint64(s.numel) * uint64(s.dtype.size())
		if s.numel > len(data) || f.UncompressedSize64 != want {
			return nil, fmt.Errorf("storage %q: %d elements of %d bytes, the archive holds %d bytes", s.key, s.numel, s.dtype.size(), f.UncompressedSize64)
		}
		s.entry = f // read when a tensor of it is needed
	}
	return stateDictOf(root)
}

// readEntry reads a zip entry of at most limit bytes. The size the archive
// claims is checked against limit before the buffer is made, and
// archive/zip checks the claim (and the CRC) against what it inflates, so a
// small archive that inflates to gigabytes costs no more than limit.
func readEntry(f *zip.File, limit int) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%s: %s uncompressed, more than the %s accepted", f.Name, userfile.Bytes(int64(f.UncompressedSize64)), userfile.Bytes(int64(limit)))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	defer rc.Close()
	b := make([]byte, f.UncompressedSize64)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	if more, err := io.ReadAll(io.LimitReader(rc, 1)); err != nil || len(more) > 0 {
		return nil, fmt.Errorf("%s: more bytes than the archive says (%v)", f.Name, err)
	}
	return b, nil
}

// isPickle reports whether data starts like a binary pickle (protocol 2 to
// 5): a legacy torch.save file.
func isPickle(data []byte) bool {
	return len(data) > 2 && data[0] == 0x80 && data[1] >= 2 && data[1] <= 5
}

// legacyMagic is the first pickle of a legacy torch.save file.
var legacyMagic = bigInt{0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}

// readTorchLegacy reads the format torch.save wrote before PyTorch 1.6: five
// pickles (magic number, protocol version, system info, the object, the
// storage keys), then each storage as an int64 element count and its bytes.
func readTorchLegacy(data []byte) (*stateDict, error) {
	m := &machine{data: data}
	magicNum, err := m.run()
	if err != nil {
		return nil, fmt.Errorf("legacy PyTorch file: %v", err)
	}
	if b, ok := magicNum.(bigInt); !ok || !bytes.Equal(b, legacyMagic) {
		return nil, fmt.Errorf("a pickle, but not a PyTorch checkpoint (no torch.save magic number)")
	}
	if v, err := m.run(); err != nil || v != int64(1001) {
		return nil, fmt.Errorf("legacy PyTorch file: protocol version %v (%v), want 1001", v, err)
	}
	if _, err := m.run(); err != nil { // system info
		return nil, fmt.Errorf("legacy PyTorch file: %v", err)
	}
	storages := newStorageSet()
	m.memo = nil
	m.call = torchCall
	m.persistent = func(pid any) (any, error) {
		t, ok := pid.(pyTuple)
		if !ok || len(t) < 6 || t[0] != "storage" {
			return nil, fmt.Errorf("persistent id %s, want ('storage', type, key, location, size, view)", describe(pid))
		}
		if t[5] != nil {
			return nil, fmt.Errorf("storage views are not supported")
		}
		return storages.ref(t)
	}
	root, err := m.run()
	if err != nil {
		return nil, fmt.Errorf("legacy PyTorch file: %v", err)
	}
	m.memo, m.call, m.persistent = nil, nil, nil
	keysV, err := m.run()
	if err != nil {
		return nil, fmt.Errorf("legacy PyTorch file: storage keys: %v", err)
	}
	keys, ok := keysV.(*pyList)
	if !ok {
		return nil, fmt.Errorf("legacy PyTorch file: storage keys are %s, want a list", describe(keysV))
	}
	rest := data[m.pos:]
	for _, k := range keys.items {
		key, _ := k.(string)
		s, ok := storages.byKey[key]
		if !ok {
			return nil, fmt.Errorf("legacy PyTorch file: storage %s is not used by the pickle", describe(k))
		}
		if len(rest) < 8 {
			return nil, fmt.Errorf("legacy PyTorch file: truncated at storage %q", key)
		}
		n := binary.LittleEndian.Uint64(rest)
		rest = rest[8:]
		if n != uint64(s.numel) || n > uint64(len(rest))/uint64(s.dtype.size()) {
			return nil, fmt.Errorf("legacy PyTorch file: storage %q has %d elements, the pickle says %d, %d bytes are left", key, n, s.numel, len(rest))
		}
		size := int(n) * s.dtype.size()
		s.raw, rest = rest[:size], rest[size:]
	}
	for _, s := range storages.list {
		if s.raw == nil && s.numel > 0 {
			return nil, fmt.Errorf("legacy PyTorch file: storage %q has no data", s.key)
		}
	}
	return stateDictOf(root)
}

// stateDictOf checks that a checkpoint's object is a state dict (a dict of
// names to tensors; torchvision-style {"state_dict": …} or {"model": …}
// wrappers are unwrapped) and collects its tensors.
func stateDictOf(root any) (*stateDict, error) {
	d, ok := root.(*pyDict)
	if !ok {
		hint := ""
		if o, ok := root.(*pyObject); ok && strings.Contains(o.class.String(), "VGG") {
			hint = "; it holds a whole model: save model.state_dict() instead"
		}
		return nil, fmt.Errorf("the pickle holds %s, not a state dict (a dict of tensors)%s", describe(root), hint)
	}
	for _, wrap := range []string{"state_dict", "model", "model_state_dict"} {
		if i, ok := d.idx[wrap]; ok {
			if inner, ok := d.vals[i].(*pyDict); ok {
				d = inner
				break
			}
		}
	}
	sd := &stateDict{}
	for i, k := range d.keys {
		name, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("the pickle's dict has a key that is %s, not a state dict", describe(k))
		}
		tr, ok := d.vals[i].(*tensorRef)
		if !ok {
			continue // e.g. _metadata, epoch counters
		}
		t := &tensor{name: name, dtype: tr.storage.dtype, shape: tr.shape, raw: tr.storage.raw, offset: tr.offset, stride: tr.stride}
		if s := tr.storage; s.entry != nil {
			t.nbytes, t.load = s.numel*s.dtype.size(), s.bytes
		}
		if err := t.check(); err != nil {
			return nil, err
		}
		if err := sd.add(t); err != nil {
			return nil, err
		}
	}
	if len(sd.names) == 0 {
		return nil, fmt.Errorf("the pickle holds %s with no tensors, not a state dict", describe(d))
	}
	return sd, nil
}

// storageSet collects the storages a pickle refers to by persistent id, each once, in the order
// first seen: the zip and the legacy layouts name them the same way.
type storageSet struct {
	list  []*storageRef
	byKey map[string]*storageRef
}

func newStorageSet() *storageSet { return &storageSet{byKey: map[string]*storageRef{}} }

// ref returns the storage a ('storage', type, key, location, numel, …) tuple names.
func (ss *storageSet) ref(t pyTuple) (*storageRef, error) {
	dt, err := storageType(t[1])
	if err != nil {
		return nil, err
	}
	key, ok1 := t[2].(string)
	n, ok2 := asInt(t[4])
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("storage key %s and size %s, want a str and an int", describe(t[2]), describe(t[4]))
	}
	if s, ok := ss.byKey[key]; ok {
		return s, nil
	}
	s := &storageRef{key: key, dtype: dt, numel: n}
	ss.byKey[key] = s
	ss.list = append(ss.list, s)
	return s, nil
}
