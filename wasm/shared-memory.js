// The Go program on a shared memory, so that the worker pool (pool.js) can read and write Go's
// slices in place from other threads.
//
// A Go js/wasm module defines its own linear memory, and a memory a module defines is never
// shared. goModuleOnShared rewrites the module's bytes before instantiation so that it imports
// one instead: the memory section (id 5) is dropped and a memory import with the same minimum,
// shared, with a maximum (limits flag 0x03) is appended to the import section (id 2). The export
// "mem" (memory index 0) then names the import. Function indices do not move, since only
// function imports take places in the function index space. Go's runtime grows the memory with
// memory.grow as before, up to that maximum.
//
// A browser refuses views of a SharedArrayBuffer in TextDecoder.decode and
// crypto.getRandomValues, which Go's wasm_exec.js calls on views of the memory (loadString, its
// fs.writeSync, runtime.getRandomData); allowShared wraps them to copy such a view to an unshared
// buffer first. Everything else wasm_exec.js does with mem.buffer works on a SharedArrayBuffer:
// DataView and Uint8Array views, TypedArray.set, and the DataView it renews after each growth
// (a grown shared memory's buffer is a new, longer SharedArrayBuffer, as an unshared one's is a
// new ArrayBuffer). Loaded with importScripts (globalThis.TexsynthShared) or require.
'use strict';

(function (scope) {
  const PAGE = 65536;
  // MAX_PAGES is the shared memory's maximum, 4 GiB: wasm32's whole address space, which an
  // unshared Go memory may also grow to, so that no size the page offers (at most 1024 px,
  // core/synth.MaxSize; its memory estimate, core/synth/plan.go, passes 2 GiB at 1024 px) fits
  // on one thread and not on the pool. V8 reserves a shared memory's maximum as address space up
  // front (not as memory); where it cannot, creating the memory fails and the worker runs one
  // thread.
  const MAX_PAGES = 65536;
  // The import's module and field names, which Go's own imports (gojs, _gotest) do not use.
  const MODULE = 'texsynth', FIELD = 'memory';

  // reader walks a module's bytes.
  function reader(bytes, at) {
    const r = {at};
    r.byte = () => {
      if (r.at >= bytes.length) throw new Error('the module ends early');
      return bytes[r.at++];
    };
    r.uleb = () => {
      let v = 0, shift = 0, b;
      do {
        b = r.byte();
        v += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (shift > 35) throw new Error('a LEB128 number is too long');
      } while (b & 0x80);
      return v;
    };
    return r;
  }

  function uleb(v) {
    const out = [];
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 0x80;
      out.push(b);
    } while (v > 0);
    return out;
  }

  const utf8 = (s) => Array.from(new TextEncoder().encode(s));
  const name = (s) => [...uleb(utf8(s).length), ...utf8(s)];

  // goModuleOnShared returns {bytes, initial}: the module (an ArrayBuffer or a view) rewritten to
  // import its memory as MODULE.FIELD, shared, with the memory's minimum of pages as initial.
  // It throws when the module is not one this can rewrite: not wasm, no or several memories,
  // a memory already imported.
  function goModuleOnShared(input) {
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d || bytes[4] !== 1) {
      throw new Error('not a WebAssembly module (version 1)');
    }
    const sections = []; // {id, head, start, end}: each section's first byte, its content's start and end
    const r = reader(bytes, 8);
    while (r.at < bytes.length) {
      const head = r.at;
      const id = r.byte();
      const len = r.uleb();
      if (r.at + len > bytes.length) throw new Error(`section ${id} runs past the module's end`);
      sections.push({id, head, start: r.at, end: r.at + len});
      r.at += len;
    }
    const memories = sections.filter((s) => s.id === 5);
    const imports = sections.filter((s) => s.id === 2);
    if (memories.length !== 1 || imports.length !== 1) throw new Error('the module has no memory section or no import section to rewrite');
    const m = reader(bytes, memories[0].start);
    if (m.uleb() !== 1) throw new Error('the module defines more than one memory');
    const flags = m.byte();
    if (flags & ~1) throw new Error(`the module's memory has limits flags ${flags} (shared or 64-bit already)`);
    const initial = m.uleb();
    if (initial > MAX_PAGES) throw new Error(`the module's memory starts at ${initial} pages, over ${MAX_PAGES}`);
    const im = reader(bytes, imports[0].start);
    const count = im.uleb();
    const first = im.at;
    for (let i = 0; i < count; i++) { // any memory import already would be memory index 0
      for (let s = 0; s < 2; s++) { // the module's and the field's names
        const len = im.uleb();
        im.at += len;
      }
      const kind = im.byte();
      if (kind === 0) im.uleb();
      else if (kind === 1) { im.byte(); const f = im.byte(); im.uleb(); if (f & 1) im.uleb(); }
      else if (kind === 2) throw new Error('the module imports a memory already');
      else if (kind === 3) { im.byte(); im.byte(); }
      else throw new Error(`an import of unknown kind ${kind}`);
    }
    const entry = [...name(MODULE), ...name(FIELD), 0x02, 0x03, ...uleb(initial), ...uleb(MAX_PAGES)];
    const content = [...uleb(count + 1), ...bytes.subarray(first, imports[0].end), ...entry];
    const parts = [];
    let at = 0;
    for (const s of sections) {
      if (s.id !== 2 && s.id !== 5) continue;
      parts.push(bytes.subarray(at, s.head));
      if (s.id === 2) parts.push(Uint8Array.from([2, ...uleb(content.length), ...content]));
      at = s.end;
    }
    parts.push(bytes.subarray(at));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return {bytes: out, initial};
  }

  // instantiate compiles the Go module (bytes) on a new shared memory, importObject being Go's
  // (go.importObject, to which the memory is added); it resolves to the instance, whose
  // exports.mem is that memory. It throws when the memory cannot be created or the module not
  // rewritten or instantiated, for the caller to fall back on the unshared module.
  async function instantiate(bytes, importObject) {
    const rewritten = goModuleOnShared(bytes);
    const memory = new WebAssembly.Memory({initial: rewritten.initial, maximum: MAX_PAGES, shared: true});
    if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('the shared WebAssembly.Memory is not over a SharedArrayBuffer');
    const {instance} = await WebAssembly.instantiate(rewritten.bytes, {...importObject, [MODULE]: {[FIELD]: memory}});
    if (instance.exports.mem !== memory) throw new Error('the rewritten module does not export its shared memory as mem');
    return instance;
  }

  // unshared copies a view of a SharedArrayBuffer into an unshared Uint8Array; other values pass.
  function unshared(v) {
    if (typeof SharedArrayBuffer !== 'function' || !v || !(v.buffer instanceof SharedArrayBuffer)) return v;
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  }

  // allowShared wraps the global's TextDecoder.prototype.decode and crypto.getRandomValues so that
  // they take views of a SharedArrayBuffer (see above); once per global.
  function allowShared(global) {
    if (global.texsynthAllowsShared) return;
    global.texsynthAllowsShared = true;
    const Decoder = global.TextDecoder;
    if (Decoder) {
      const decode = Decoder.prototype.decode;
      Decoder.prototype.decode = function (input, options) {
        return decode.call(this, unshared(input), options);
      };
    }
    const crypto = global.crypto;
    if (crypto && crypto.getRandomValues) {
      const fill = crypto.getRandomValues.bind(crypto);
      crypto.getRandomValues = (v) => {
        if (typeof SharedArrayBuffer !== 'function' || !v || !(v.buffer instanceof SharedArrayBuffer)) return fill(v);
        const copy = new v.constructor(v.length);
        fill(copy);
        v.set(copy);
        return v;
      };
    }
  }

  const api = {goModuleOnShared, instantiate, allowShared, unshared, PAGE, MAX_PAGES, MODULE, FIELD};
  if (typeof module === 'object' && module.exports) module.exports = api;
  else scope.TexsynthShared = api;
})(typeof globalThis !== 'undefined' ? globalThis : self);
