// The Go program on a shared memory (wasm/shared-memory.js): the built texsynth.wasm rewritten to
// import a shared WebAssembly.Memory instead of defining its own compiles with the same imports
// and exports but that one; what cannot be rewritten is refused with a reason; and the page's
// worker, as in a cross-origin isolated page on two cores that asks for two threads, boots the program on such a memory
// with a pool of two threads (wasm/pool.js) and gives a run's loss and pixels to the last bit as
// on one thread. Needs the built site (make site): SITE=build/site by default.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {Worker} from 'node:worker_threads';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const site = path.resolve(root, process.env.SITE || 'build/site');
const shim = path.join(root, 'wasm/test/shim.cjs');
const shared = createRequire(import.meta.url)('../shared-memory.js');
const goWasm = () => readFileSync(path.join(site, 'texsynth.wasm'));

test('the rewritten module imports a shared memory in place of its own', () => {
  const bytes = goWasm();
  const r = shared.goModuleOnShared(bytes);
  const before = new WebAssembly.Module(bytes), after = new WebAssembly.Module(r.bytes);
  const imports = WebAssembly.Module.imports(after);
  assert.deepEqual(imports.slice(0, -1), WebAssembly.Module.imports(before), "Go's imports, in order");
  assert.deepEqual(imports.at(-1), {module: shared.MODULE, name: shared.FIELD, kind: 'memory'});
  assert.deepEqual(WebAssembly.Module.exports(after), WebAssembly.Module.exports(before));
  // The same minimum: the unshared module's memory starts at r.initial pages.
  const unshared = new WebAssembly.Instance(before, importsFor(before));
  assert.equal(unshared.exports.mem.buffer.byteLength, r.initial * shared.PAGE);
  // A memory of fewer pages, or not shared, does not satisfy the import.
  const take = (memory) => new WebAssembly.Instance(after, {...importsFor(before), [shared.MODULE]: {[shared.FIELD]: memory}});
  assert.throws(() => take(new WebAssembly.Memory({initial: r.initial, maximum: shared.MAX_PAGES})), /shared|memory/i);
  const memory = new WebAssembly.Memory({initial: r.initial, maximum: shared.MAX_PAGES, shared: true});
  const instance = take(memory);
  assert.equal(instance.exports.mem, memory, 'mem is the imported memory');
  assert.ok(memory.buffer instanceof SharedArrayBuffer);
  // Go's data segments are written into it at instantiation, as into its own.
  assert.deepEqual(new Uint8Array(memory.buffer), new Uint8Array(unshared.exports.mem.buffer));
});

// importsFor is every function import of module as a function that must not be called.
function importsFor(module) {
  const out = {};
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.kind !== 'function') continue;
    (out[i.module] = out[i.module] || {})[i.name] = () => { throw new Error(`${i.module}.${i.name} called`); };
  }
  return out;
}

test('what cannot be rewritten is refused, with the reason', () => {
  const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  const cases = [
    [Uint8Array.from([1, 2, 3]), /not a WebAssembly module/],
    [Uint8Array.from(header), /no memory section or no import section/],
    // An import section naming one memory import (env.m, min 1), and a memory section.
    [Uint8Array.from([...header, 2, 10, 1, 3, 101, 110, 118, 1, 109, 2, 0, 1, 5, 3, 1, 0, 1]), /imports a memory already/],
    // A shared memory defined (flags 3): not this module's kind.
    [Uint8Array.from([...header, 2, 1, 0, 5, 4, 1, 3, 1, 2]), /limits flags 3/],
    // A section longer than the module.
    [Uint8Array.from([...header, 2, 9, 0]), /runs past the module's end/],
  ];
  for (const [bytes, want] of cases) assert.throws(() => shared.goModuleOnShared(bytes), want);
  // A module rewritten once has no memory section left to rewrite.
  assert.throws(() => shared.goModuleOnShared(shared.goModuleOnShared(goWasm()).bytes), /no memory section/);
});

// run boots the worker (threads: as asked for on an isolated 2-core machine, or not isolated),
// runs a short texture to its end and returns what ready said and the last frame's loss and
// pixels.
async function run(threads) {
  const w = new Worker(shim, {workerData: {dir: site, cores: threads ? 2 : 0, threads}});
  const queue = [];
  let wake = () => {};
  w.on('message', (m) => { queue.push(m); wake(); });
  w.on('error', (e) => { queue.push({type: 'error', message: String(e)}); wake(); });
  const next = async (types) => {
    for (;;) {
      const i = queue.findIndex((m) => types.includes(m.type));
      if (i >= 0) return queue.splice(i, 1)[0];
      await new Promise((r) => { wake = r; });
    }
  };
  try {
    const ready = await next(['ready', 'error']);
    assert.equal(ready.type, 'ready', JSON.stringify(ready));
    const rgba = new Uint8ClampedArray(64 * 64 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37 + (i >> 8) * 11) % 251));
    // Three conv layers at 64 px: products and transform batches large enough for the pool.
    const settings = {size: 64, iters: 2, layers: 'conv1_1,conv1_2,pool1,conv2_1', loss: 'sw', seed: 2, levels: 1};
    w.postMessage({type: 'start', rgba, width: 64, height: 64, settings, run: 1}, [rgba.buffer]);
    let f;
    do {
      f = await next(['frame', 'error']);
      assert.equal(f.type, 'frame', JSON.stringify(f));
    } while (!f.done);
    return {ready, loss: f.loss, pixels: Array.from(f.pixels)};
  } finally {
    await w.terminate();
  }
}

test('the worker runs the Go program on a shared memory with a pool, to the bits of one thread', async () => {
  const pooled = await run(2);
  assert.equal(pooled.ready.threads, 2, JSON.stringify({kernel: pooled.ready.kernel, why: pooled.ready.threadsWhy}));
  assert.equal(pooled.ready.threadsWhy, '');
  const single = await run(0);
  assert.equal(single.ready.threads, 1);
  assert.match(single.ready.threadsWhy, /not cross-origin isolated/);
  assert.ok(Number.isFinite(pooled.loss) && pooled.loss > 0);
  assert.equal(pooled.loss, single.loss, 'the same loss');
  assert.deepEqual(pooled.pixels, single.pixels, 'the same pixels');
});
