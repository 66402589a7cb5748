// The benchmark page's worker (bench.html): it loads the same texsynth.wasm as the page's own
// worker, with wasm/gpu.js for WebGPU, and runs one benchmark (core: wasm/bench.go) per message:
//   {size, engine: 'webgpu' | 'wasm', evals} → {result} or {error}; result.memory: the wasm memory's bytes after it;
//   result.pool, with the worker pool: {calls, shared, alone} in that run
// A Go program that ends (out of memory at a large size) ends the worker too: {fatal}.
'use strict';

const scope = self;
let ready = null;

async function boot() {
  const base = new URL('./', scope.location.href);
  scope.importScripts(new URL('wasm_exec.js', base).href, new URL('gpu.js', base).href);
  const go = new scope.Go();
  const response = await fetch(new URL('texsynth.wasm', base).href);
  if (!response.ok) throw new Error(`cannot load texsynth.wasm: HTTP ${response.status}`);
  // The SIMD kernels and the WebGPU engine read and write the Go program's memory; the worker
  // pool (pool.js) shares the products and transforms where the page is cross-origin isolated
  // (?threads=N), on that memory made shared.
  scope.importScripts(new URL('pool.js', base).href);
  const {instance} = await scope.TexsynthPool.boot(scope, base, response, go);
  scope.texsynthMemory = instance.exports.mem;
  go.run(instance).then(() => scope.postMessage({fatal: 'the Go program ended (out of memory?)'}));
  if (!scope.texsynthBench) throw new Error('texsynth.wasm has no texsynthBench');
  // The pool's workers get the kernels only once this worker's event loop turns (pool.js, ready).
  if (scope.texsynthPool && !(await scope.texsynthPool.ready())) throw new Error(scope.TexsynthPool.NOT_STARTED);
  return scope.texsynthBench;
}

scope.onmessage = async (e) => {
  const {size, engine, evals} = e.data;
  try {
    ready = ready || boot();
    const bench = await ready;
    const pool = scope.texsynthPool;
    const before = pool && pool.counts();
    const result = await bench.run(size, engine, evals);
    // What the pool did in this run (pool.js, counts).
    if (pool) result.pool = Object.fromEntries(Object.entries(pool.counts()).map(([k, v]) => [k, v - before[k]]));
    // The memory's size after the run: the Go program's (which never shrinks, so its peak; the
    // worker pool has none of its own).
    result.memory = scope.texsynthMemory.buffer.byteLength;
    scope.postMessage({result});
  } catch (err) {
    scope.postMessage({error: String(err && err.message ? err.message : err)});
  }
};
