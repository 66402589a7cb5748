//go:build js && wasm

package gemm

// A few WebAssembly instructions as bytes: just enough to write simd_js.go's kernel by hand.
// Go cannot emit wasm SIMD itself, and a hand-assembled module needs no tool at build time.

const (
	wI32  = 0x7f
	wV128 = 0x7b
)

// code is a function body under construction.
type code []byte

func uleb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func sleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func (c *code) op(b ...byte)   { *c = append(*c, b...) }
func (c *code) get(l int)      { *c = uleb(append(*c, 0x20), uint64(l)) }
func (c *code) set(l int)      { *c = uleb(append(*c, 0x21), uint64(l)) }
func (c *code) i32(v int32)    { *c = sleb(append(*c, 0x41), int64(v)) }
func (c *code) block()         { c.op(0x02, 0x40) }
func (c *code) loop()          { c.op(0x03, 0x40) }
func (c *code) end()           { c.op(0x0b) }
func (c *code) br(depth int)   { *c = uleb(append(*c, 0x0c), uint64(depth)) }
func (c *code) brIf(depth int) { *c = uleb(append(*c, 0x0d), uint64(depth)) }
func (c *code) add()           { c.op(0x6a) }
func (c *code) sub()           { c.op(0x6b) }
func (c *code) mul()           { c.op(0x6c) }
func (c *code) shl()           { c.op(0x74) }
func (c *code) ltS()           { c.op(0x48) }
func (c *code) geS()           { c.op(0x4e) }
func (c *code) simd(op uint64) { *c = uleb(append(*c, 0xfd), op) }
func (c *code) memarg(align, offset int) {
	*c = uleb(uleb(*c, uint64(align)), uint64(offset))
}

// SIMD128 instructions (opcodes after the 0xfd prefix).
func (c *code) v128Load(offset int)  { c.simd(0x00); c.memarg(4, offset) }
func (c *code) v128Store(offset int) { c.simd(0x0b); c.memarg(4, offset) }
func (c *code) loadSplat(offset int) { c.simd(0x09); c.memarg(2, offset) }
func (c *code) f32x4Add()            { c.simd(0xe4) }
func (c *code) f32x4Mul()            { c.simd(0xe6) }
func (c *code) v128Zero() {
	c.simd(0x0c)
	*c = append(*c, make([]byte, 16)...)
}

// addTo sets local l = l + delta (i32).
func (c *code) addTo(l int, delta func()) {
	c.get(l)
	delta()
	c.add()
	c.set(l)
}

// wasmFunc is one exported function: params all i32, no results, extra locals as given.
type wasmFunc struct {
	name   string
	params int
	locals []byte
	body   code
}

// module assembles functions that work on an imported memory "env"."mem" into a module's bytes.
func module(funcs ...wasmFunc) []byte { return moduleOn(false, funcs...) }

// moduleOn is module importing a shared memory (a WebAssembly.Memory over a SharedArrayBuffer,
// as the worker pool's, wasm/pool.js) when shared is set: shared imports must declare a maximum,
// here the whole 4 GiB of wasm32, so that any shared memory matches.
func moduleOn(shared bool, funcs ...wasmFunc) []byte {
	section := func(out []byte, id byte, content []byte) []byte {
		out = append(out, id)
		out = uleb(out, uint64(len(content)))
		return append(out, content...)
	}
	str := func(b []byte, s string) []byte { return append(uleb(b, uint64(len(s))), s...) }
	count := func() []byte { return uleb(nil, uint64(len(funcs))) }

	out := []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}
	typ := count()
	for _, f := range funcs {
		typ = uleb(append(typ, 0x60), uint64(f.params))
		for range f.params {
			typ = append(typ, wI32)
		}
		typ = append(typ, 0) // no results
	}
	out = section(out, 1, typ)
	imp := str(str([]byte{1}, "env"), "mem")
	if shared {
		imp = append(imp, 0x02, 0x03, 0x00) // memory, limits: shared, min 0, max 65 536 pages
		imp = uleb(imp, 65536)
	} else {
		imp = append(imp, 0x02, 0x00, 0x00) // memory, limits: min 0, no max
	}
	out = section(out, 2, imp)
	fns := count()
	for i := range funcs {
		fns = uleb(fns, uint64(i)) // function i has type i
	}
	out = section(out, 3, fns)
	exp := count()
	for i, f := range funcs {
		exp = uleb(append(str(exp, f.name), 0x00), uint64(i))
	}
	out = section(out, 7, exp)
	bodies := count()
	for _, f := range funcs {
		fn := localDecls(f.locals)
		fn = append(fn, f.body...)
		fn = append(fn, 0x0b)
		bodies = append(uleb(bodies, uint64(len(fn))), fn...)
	}
	return section(out, 10, bodies)
}

// localDecls encodes locals as runs of one type.
func localDecls(locals []byte) []byte {
	var runs [][2]int
	for _, t := range locals {
		if n := len(runs); n > 0 && runs[n-1][1] == int(t) {
			runs[n-1][0]++
			continue
		}
		runs = append(runs, [2]int{1, int(t)})
	}
	out := uleb(nil, uint64(len(runs)))
	for _, r := range runs {
		out = append(uleb(out, uint64(r[0])), byte(r[1]))
	}
	return out
}

func (c *code) ltU()               { c.op(0x49) }
func (c *code) eqz()               { c.op(0x45) }
func (c *code) ifThen()            { c.op(0x04, 0x40) }
func (c *code) elseDo()            { c.op(0x05) }
func (c *code) i32Load(offset int) { c.op(0x28); c.memarg(2, offset) }
func (c *code) f32Load(offset int) { c.op(0x2a); c.memarg(2, offset) }
func (c *code) f32x4Splat()        { c.simd(0x13) }
func (c *code) tee(l int)          { *c = uleb(append(*c, 0x22), uint64(l)) }
func (c *code) f32x4Lt()           { c.simd(0x43) }
func (c *code) f32x4Gt()           { c.simd(0x44) }
func (c *code) v128And()           { c.simd(0x4e) }
func (c *code) v128AndNot()        { c.simd(0x4f) }
func (c *code) v128Or()            { c.simd(0x50) }

// v128BitSelect leaves (v1 ∧ c) ∨ (v2 ∧ ¬c) for the stack's v1, v2, c.
func (c *code) v128BitSelect() { c.simd(0x52) }

// Scalar integer instructions, for the sort kernel (sort_js.go).
const wI64 = 0x7e

func (c *code) i32Store(offset int) { c.op(0x36); c.memarg(2, offset) }
func (c *code) i64Load(offset int)  { c.op(0x29); c.memarg(3, offset) }
func (c *code) i64Store(offset int) { c.op(0x37); c.memarg(3, offset) }
func (c *code) i64(v int64)         { *c = sleb(append(*c, 0x42), v) }
func (c *code) and()                { c.op(0x71) }
func (c *code) or()                 { c.op(0x72) }
func (c *code) xor()                { c.op(0x73) }
func (c *code) shrS()               { c.op(0x75) }
func (c *code) shrU()               { c.op(0x76) }
func (c *code) eq()                 { c.op(0x46) }
func (c *code) ne()                 { c.op(0x47) }
func (c *code) wrap()               { c.op(0xa7) } // i32.wrap_i64
func (c *code) extendU()            { c.op(0xad) } // i64.extend_i32_u
func (c *code) i64Or()              { c.op(0x84) }
func (c *code) i64Shl()             { c.op(0x86) }
func (c *code) i64ShrU()            { c.op(0x88) }
func (c *code) ret()                { c.op(0x0f) }

// Scalar floating-point instructions and calls, for the matching kernel (match_js.go).
const wF64 = 0x7c

func (c *code) f32Store(offset int) { c.op(0x38); c.memarg(2, offset) }
func (c *code) f64Load(offset int)  { c.op(0x2b); c.memarg(3, offset) }
func (c *code) f64Store(offset int) { c.op(0x39); c.memarg(3, offset) }
func (c *code) f64Zero()            { c.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0) } // f64.const 0
func (c *code) f64Add()             { c.op(0xa0) }
func (c *code) f64Sub()             { c.op(0xa1) }
func (c *code) f64Mul()             { c.op(0xa2) }
func (c *code) promote()            { c.op(0xbb) } // f64.promote_f32
func (c *code) demote()             { c.op(0xb6) } // f32.demote_f64
func (c *code) call(fn int)         { *c = uleb(append(*c, 0x10), uint64(fn)) }

// loopWhileBelow ends a loop, going round again while local l is below local end (unsigned).
func (c *code) loopWhileBelow(l, end int) {
	c.get(l)
	c.get(end)
	c.ltU()
	c.brIf(0)
	c.end()
}
