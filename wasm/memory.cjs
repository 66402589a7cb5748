// Preloaded into Node (`node --require wasm/memory.cjs …` or NODE_OPTIONS) when a Go program
// built for js/wasm runs there (tests, the bench): it hands the Go instance's linear memory to
// the program's SIMD kernels as globalThis.texsynthMemory, which wasm/worker.js does itself in
// the browser. Go's wasm_exec_node.js keeps the instance to itself, so this wraps
// WebAssembly.instantiate and notes the memory of any instance exporting `mem` (as Go's do)
// before the Go program starts.
'use strict';
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  const instance = result instanceof WebAssembly.Instance ? result : result.instance;
  if (instance && instance.exports.mem instanceof WebAssembly.Memory) {
    globalThis.texsynthMemory = instance.exports.mem;
  }
  return result;
};
