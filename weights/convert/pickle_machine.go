package convert

import (
	"bytes"
	"fmt"
)

// A machine runs pickles: enough of Python's pickle protocols 2 to 5 to read
// what torch.save writes for a state dict, and nothing that runs code
// (pickle_opcodes.go has the opcodes, pickle_values.go the values).
//
// A pickle is input from anywhere, so what it may cost is bounded whatever
// its bytes say. Every length field is checked against the bytes that are
// left before anything is sliced, and nothing is allocated from a length
// field. Each opcode does work proportional to its own bytes or to values
// that earlier opcodes pushed, and the number of values, the depth of the
// stack and of the marks, the memo and the bytes read are capped, so one run
// allocates about 100 bytes per value pushed at most, plus the strings it
// copies out of its input: some 40 MB with the caps (the hostile pickles of
// TestHostilePickles allocate 8-28 MB). The fixture's state dict of 26
// tensors is a 2.2 kB pickle of 599 values; vgg16_bn has 97 tensors.
type machine struct {
	data       []byte
	pos        int
	stack      []any
	marks      []int
	memo       map[int64]any
	persistent func(pid any) (any, error)
	call       func(g pyGlobal, args pyTuple) (any, bool, error)

	end    int // the current run reads no further: at most maxPickleBytes from its start
	pushed int // values pushed by this machine, over all its runs
}

// The machine's limits, far above what a state dict needs (see machine).
const (
	maxPickleBytes = 8 << 20 // one pickle; also the cap on a zip's data.pkl
	maxValues      = 1 << 17 // values pushed, all runs of one machine together
	maxStack       = 1 << 16 // torch.save's SETITEMS batches hold 1,000 pairs
	maxMarks       = 1 << 10 // nesting depth
	maxMemo        = 1 << 16
)

var errMark = fmt.Errorf("pickle: MARK missing")

func (m *machine) errf(format string, args ...any) error {
	return fmt.Errorf("pickle at byte %d: "+format, append([]any{m.pos}, args...)...)
}

// take returns the next n bytes, or false if fewer are left. n comes from
// the input and may be anything.
func (m *machine) take(n uint64) ([]byte, bool) {
	if n > uint64(m.end-m.pos) {
		return nil, false
	}
	b := m.data[m.pos : m.pos+int(n)]
	m.pos += int(n)
	return b, true
}

func (m *machine) push(v any) {
	m.stack = append(m.stack, v)
	m.pushed++
}

func (m *machine) pop() (any, error) {
	if len(m.stack) == 0 || (len(m.marks) > 0 && len(m.stack) <= m.marks[len(m.marks)-1]) {
		return nil, m.errf("stack underflow")
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return v, nil
}

func (m *machine) top() (any, error) {
	if len(m.stack) == 0 || (len(m.marks) > 0 && len(m.stack) <= m.marks[len(m.marks)-1]) {
		return nil, m.errf("stack underflow")
	}
	return m.stack[len(m.stack)-1], nil
}

// popMark returns the items above the last mark and removes them and it.
func (m *machine) popMark() ([]any, error) {
	if len(m.marks) == 0 {
		return nil, m.errf("%v", errMark)
	}
	k := m.marks[len(m.marks)-1]
	m.marks = m.marks[:len(m.marks)-1]
	items := append([]any(nil), m.stack[k:]...)
	clear(m.stack[k:]) // the items now belong to the new value alone
	m.stack = m.stack[:k]
	return items, nil
}

// maxLine bounds a text opcode's argument (GLOBAL, PERSID): module and
// class names are short.
const maxLine = 4096

// line reads up to a newline (text opcodes: GLOBAL, PERSID).
func (m *machine) line() (string, error) {
	i := bytes.IndexByte(m.data[m.pos:min(m.end, m.pos+maxLine)], '\n')
	if i < 0 {
		return "", m.errf("unterminated line")
	}
	s := string(m.data[m.pos : m.pos+i])
	m.pos += i + 1
	return s, nil
}

// run executes opcodes from m.pos to STOP and returns the result.
func (m *machine) run() (any, error) {
	if m.memo == nil {
		m.memo = map[int64]any{}
	}
	m.stack, m.marks = m.stack[:0], m.marks[:0]
	m.end = min(len(m.data), m.pos+maxPickleBytes)
	for {
		if m.pos >= m.end {
			if m.end < len(m.data) {
				return nil, m.errf("no STOP in the first %d MB, %s", maxPickleBytes>>20, pickleHint)
			}
			return nil, m.errf("truncated: no STOP")
		}
		op := m.data[m.pos]
		m.pos++
		if err := m.step(op); err != nil {
			if err == errStop {
				if len(m.stack) != 1 || len(m.marks) != 0 {
					return nil, m.errf("STOP with %d values on the stack", len(m.stack))
				}
				return m.stack[0], nil
			}
			return nil, err
		}
		if err := m.checkLimits(); err != nil {
			return nil, err
		}
	}
}

const pickleHint = "far more than a state dict needs: not a torch.save checkpoint of a VGG-16?"

// checkLimits runs after every opcode, each of which pushes at most one
// value and makes at most one mark or memo entry: so no limit is exceeded
// by more than one.
func (m *machine) checkLimits() error {
	switch {
	case m.pushed > maxValues:
		return m.errf("more than %d values, %s", maxValues, pickleHint)
	case len(m.stack) > maxStack:
		return m.errf("more than %d values on the stack, %s", maxStack, pickleHint)
	case len(m.marks) > maxMarks:
		return m.errf("more than %d nested marks, %s", maxMarks, pickleHint)
	case len(m.memo) > maxMemo:
		return m.errf("more than %d memo entries, %s", maxMemo, pickleHint)
	}
	return nil
}

var errStop = fmt.Errorf("stop")

func (m *machine) uint(n uint64) (uint64, error) {
	b, ok := m.take(n)
	if !ok {
		return 0, m.errf("truncated")
	}
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

// bytesArg reads a length of lenBytes bytes and then that many bytes.
func (m *machine) bytesArg(lenBytes uint64) ([]byte, error) {
	n, err := m.uint(lenBytes)
	if err != nil {
		return nil, err
	}
	b, ok := m.take(n)
	if !ok {
		return nil, m.errf("a length of %d, only %d bytes left", n, m.end-m.pos)
	}
	return b, nil
}
