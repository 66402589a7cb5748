package convert

import (
	"encoding/binary"
	"math"
)

// step runs one opcode: those of protocols 2 to 5 that torch.save writes
// for a state dict. REDUCE and NEWOBJ build only what m.call knows (an
// unknown class becomes an opaque *pyObject), so no pickle runs code.
func (m *machine) step(op byte) error {
	switch op {
	case 0x80: // PROTO
		if _, err := m.uint(1); err != nil {
			return err
		}
	case 0x95: // FRAME: a length hint only
		if _, err := m.uint(8); err != nil {
			return err
		}
	case '.': // STOP
		return errStop
	case '(': // MARK
		m.marks = append(m.marks, len(m.stack))
	case '0': // POP
		_, err := m.pop()
		return err
	case '1': // POP_MARK
		_, err := m.popMark()
		return err
	case '2': // DUP
		v, err := m.top()
		if err != nil {
			return err
		}
		m.push(v)
	case 'N':
		m.push(nil)
	case 0x88:
		m.push(true)
	case 0x89:
		m.push(false)
	case 'J': // BININT
		v, err := m.uint(4)
		if err != nil {
			return err
		}
		m.push(int64(int32(uint32(v))))
	case 'K': // BININT1
		v, err := m.uint(1)
		if err != nil {
			return err
		}
		m.push(int64(v))
	case 'M': // BININT2
		v, err := m.uint(2)
		if err != nil {
			return err
		}
		m.push(int64(v))
	case 0x8a, 0x8b: // LONG1, LONG4
		n := uint64(1)
		if op == 0x8b {
			n = 4
		}
		b, err := m.bytesArg(n)
		if err != nil {
			return err
		}
		if len(b) > 8 {
			m.push(bigInt(b))
			break
		}
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		if len(b) > 0 && len(b) < 8 && b[len(b)-1]&0x80 != 0 {
			v |= ^uint64(0) << (8 * len(b)) // sign-extend
		}
		m.push(int64(v))
	case 'G': // BINFLOAT, big-endian
		b, ok := m.take(8)
		if !ok {
			return m.errf("truncated")
		}
		m.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case 'X', 0x8c, 0x8d, 'T', 'U': // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, BINSTRING, SHORT_BINSTRING
		n := map[byte]uint64{'X': 4, 0x8c: 1, 0x8d: 8, 'T': 4, 'U': 1}[op]
		b, err := m.bytesArg(n)
		if err != nil {
			return err
		}
		m.push(string(b))
	case 'B', 'C', 0x8e: // BINBYTES, SHORT_BINBYTES, BINBYTES8
		n := map[byte]uint64{'B': 4, 'C': 1, 0x8e: 8}[op]
		b, err := m.bytesArg(n)
		if err != nil {
			return err
		}
		m.push(append([]byte(nil), b...))
	case ']': // EMPTY_LIST
		m.push(&pyList{})
	case 'l': // LIST
		items, err := m.popMark()
		if err != nil {
			return err
		}
		m.push(&pyList{items: items})
	case 'a', 'e': // APPEND, APPENDS
		var items []any
		if op == 'a' {
			v, err := m.pop()
			if err != nil {
				return err
			}
			items = []any{v}
		} else {
			var err error
			if items, err = m.popMark(); err != nil {
				return err
			}
		}
		v, err := m.top()
		if err != nil {
			return err
		}
		l, ok := v.(*pyList)
		if !ok {
			return m.errf("APPEND to %s", describe(v))
		}
		l.items = append(l.items, items...)
	case ')': // EMPTY_TUPLE
		m.push(pyTuple{})
	case 't': // TUPLE
		items, err := m.popMark()
		if err != nil {
			return err
		}
		m.push(pyTuple(items))
	case 0x85, 0x86, 0x87: // TUPLE1, TUPLE2, TUPLE3
		n := int(op - 0x84)
		t := make(pyTuple, n)
		for i := n - 1; i >= 0; i-- {
			v, err := m.pop()
			if err != nil {
				return err
			}
			t[i] = v
		}
		m.push(t)
	case '}': // EMPTY_DICT
		m.push(&pyDict{})
	case 'd': // DICT
		items, err := m.popMark()
		if err != nil {
			return err
		}
		if len(items)%2 != 0 {
			return m.errf("DICT with an odd number of items")
		}
		d := &pyDict{}
		for i := 0; i < len(items); i += 2 {
			d.set(items[i], items[i+1])
		}
		m.push(d)
	case 's', 'u': // SETITEM, SETITEMS
		var items []any
		if op == 's' {
			v, err := m.pop()
			if err != nil {
				return err
			}
			k, err := m.pop()
			if err != nil {
				return err
			}
			items = []any{k, v}
		} else {
			var err error
			if items, err = m.popMark(); err != nil {
				return err
			}
			if len(items)%2 != 0 {
				return m.errf("SETITEMS with an odd number of items")
			}
		}
		v, err := m.top()
		if err != nil {
			return err
		}
		d, ok := v.(*pyDict)
		if !ok {
			return m.errf("SETITEM on %s", describe(v))
		}
		for i := 0; i < len(items); i += 2 {
			d.set(items[i], items[i+1])
		}
	case 'c': // GLOBAL
		mod, err := m.line()
		if err != nil {
			return err
		}
		name, err := m.line()
		if err != nil {
			return err
		}
		m.push(pyGlobal{mod, name})
	case 0x93: // STACK_GLOBAL
		name, err := m.pop()
		if err != nil {
			return err
		}
		mod, err := m.pop()
		if err != nil {
			return err
		}
		ms, ok1 := mod.(string)
		ns, ok2 := name.(string)
		if !ok1 || !ok2 {
			return m.errf("STACK_GLOBAL of %s and %s", describe(mod), describe(name))
		}
		m.push(pyGlobal{ms, ns})
	case 'R', 0x81: // REDUCE, NEWOBJ
		args, err := m.pop()
		if err != nil {
			return err
		}
		f, err := m.pop()
		if err != nil {
			return err
		}
		g, ok := f.(pyGlobal)
		t, ok2 := args.(pyTuple)
		if !ok || !ok2 {
			return m.errf("calling %s with %s", describe(f), describe(args))
		}
		if m.call != nil {
			v, known, err := m.call(g, t)
			if err != nil {
				return m.errf("%s: %v", g, err)
			}
			if known {
				m.push(v)
				break
			}
		}
		m.push(&pyObject{class: g})
	case 'b': // BUILD: set an object's state; the state is not needed
		if _, err := m.pop(); err != nil {
			return err
		}
		if _, err := m.top(); err != nil {
			return err
		}
	case 'Q', 'P': // BINPERSID, PERSID
		var pid any
		if op == 'Q' {
			v, err := m.pop()
			if err != nil {
				return err
			}
			pid = v
		} else {
			s, err := m.line()
			if err != nil {
				return err
			}
			pid = s
		}
		if m.persistent == nil {
			return m.errf("persistent id %s, and no storages to resolve it", describe(pid))
		}
		v, err := m.persistent(pid)
		if err != nil {
			return m.errf("%v", err)
		}
		m.push(v)
	case 'h', 'j': // BINGET, LONG_BINGET
		n := uint64(1)
		if op == 'j' {
			n = 4
		}
		i, err := m.uint(n)
		if err != nil {
			return err
		}
		v, ok := m.memo[int64(i)]
		if !ok {
			return m.errf("memo %d is empty", i)
		}
		m.push(v)
	case 'q', 'r': // BINPUT, LONG_BINPUT
		n := uint64(1)
		if op == 'r' {
			n = 4
		}
		i, err := m.uint(n)
		if err != nil {
			return err
		}
		v, err := m.top()
		if err != nil {
			return err
		}
		m.memo[int64(i)] = v
	case 0x94: // MEMOIZE
		v, err := m.top()
		if err != nil {
			return err
		}
		m.memo[int64(len(m.memo))] = v
	default:
		return m.errf("opcode %#02x is not supported (not a torch.save state dict?)", op)
	}
	return nil
}
