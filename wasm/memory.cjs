// Preloaded into Node (`node --require wasm/memory.cjs …` or NODE_OPTIONS) when a Go program
// built for js/wasm runs there (tests, the bench), so that its SIMD kernels (core/gemm) run as
// they do in the browser:
//   - it hands the Go instance's linear memory to them as globalThis.texsynthMemory, which
//     wasm/worker.js does itself in the browser: Go's wasm_exec_node.js keeps the instance to
//     itself, so this wraps WebAssembly.instantiate and notes the memory of any instance
//     exporting `mem` (as Go's do) before the Go program starts;
//   - with TEXSYNTH_POOL=N (N ≥ 2) in the environment, it instantiates the Go program on a
//     shared memory (shared-memory.js) and starts the worker pool (pool.js) on it with N
//     threads, as worker.js does in a cross-origin isolated page, so that the products and the
//     transforms are shared between threads in the tests too; a module it cannot put on a shared
//     memory is an error then, not one thread;
//   - it turns on relaxed SIMD (the fused multiply-add the product kernel uses), which
//     Chromium ships on by default since version 114 but Node 20's V8 keeps behind a flag.
'use strict';
require('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
const shared = require('./shared-memory.js');
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (source, imports, ...rest) {
  const threads = Number(process.env.TEXSYNTH_POOL || 0);
  // Go's module (it imports gojs), not yet rewritten (shared.instantiate calls this again).
  const goModule = imports && imports.gojs && !imports[shared.MODULE] && !(source instanceof WebAssembly.Module);
  let result;
  if (threads >= 2 && goModule && !globalThis.texsynthPool) {
    const instance = await shared.instantiate(source, imports);
    shared.allowShared(globalThis);
    const {Worker} = require('node:worker_threads');
    const {TexsynthPool} = require('./pool.js');
    globalThis.texsynthPool = await TexsynthPool.create(threads, instance.exports.mem, require.resolve('./pool-worker.js'), (u) => {
      const w = new Worker(u);
      w.unref(); // the pool never keeps the program from ending
      return w;
    });
    result = {instance};
  } else {
    result = await instantiate.call(this, source, imports, ...rest);
  }
  const instance = result instanceof WebAssembly.Instance ? result : result.instance;
  if (instance && instance.exports.mem instanceof WebAssembly.Memory) globalThis.texsynthMemory = instance.exports.mem;
  return result;
};
