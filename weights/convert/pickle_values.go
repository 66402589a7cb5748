package convert

import "fmt"

// The values of the pickle machine (pickle_machine.go): nil, bool, int64,
// bigInt, float64, string, []byte, *pyList, pyTuple, *pyDict, pyGlobal,
// *pyObject, and what the persistent loader and the known callables return
// (storage and tensor references).

type (
	pyTuple []any
	pyList  struct{ items []any }
	bigInt  []byte // a LONG too wide for int64, little-endian two's complement
	// pyDict keeps insertion order, as an OrderedDict does.
	pyDict struct {
		keys []any
		vals []any
		idx  map[any]int // keys that are comparable (strings, ints)
	}
	pyGlobal struct{ module, name string }
	// pyObject is an instance of a class the machine does not know: kept
	// so that an error can name it.
	pyObject struct{ class pyGlobal }
)

func (d *pyDict) set(k, v any) {
	switch k.(type) {
	case string, int64, bool, nil, float64:
		if d.idx == nil {
			d.idx = map[any]int{}
		}
		if i, ok := d.idx[k]; ok {
			d.vals[i] = v
			return
		}
		d.idx[k] = len(d.keys)
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
}

func (g pyGlobal) String() string { return g.module + "." + g.name }

// describe names a value's type for error messages, as Python would.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		return "a bool"
	case int64, bigInt:
		return "an int"
	case float64:
		return "a float"
	case string:
		return "a str"
	case []byte:
		return "bytes"
	case *pyList:
		return fmt.Sprintf("a list of %d items", len(v.items))
	case pyTuple:
		return fmt.Sprintf("a tuple of %d items", len(v))
	case *pyDict:
		return fmt.Sprintf("a dict of %d items", len(v.keys))
	case pyGlobal:
		return "the class " + v.String()
	case *pyObject:
		return "an object of class " + v.class.String()
	case *tensorRef:
		return "a tensor"
	case *storageRef:
		return "a storage"
	}
	return fmt.Sprintf("%T", v)
}
