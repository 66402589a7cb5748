// How the page, <texture-synth> and the iframe name the engine a run is on, from the worker's
// description of it (wasm/engine.go engineFor: {engine: 'webgpu' | 'wasm', adapter, emulated,
// kernel, why}), and what they say when the GPU fails and the run goes on without it.

// engineLabel: "WebGPU · <adapter>" (marked when the adapter is a CPU emulation of WebGPU), or
// the wasm kernels and their threads, "wasm SIMD128, 1 thread".
export function engineLabel(e) {
  if (!e) return '';
  if (e.engine === 'webgpu') return `WebGPU · ${e.adapter || 'unnamed adapter'}${e.emulated ? ' (CPU emulation)' : ''}`;
  const threads = e.threads || 1;
  return `${e.kernel || 'wasm'}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

// autoNote says why engine auto chose the wasm kernels ('' when it chose the GPU).
export function autoNote(e) {
  return e && e.engine !== 'webgpu' && e.why ? `auto: ${e.why}` : '';
}

// fallbackText is the notice of a run that lost its GPU: m is the worker's fallback message.
export function fallbackText(m) {
  const where = m.iter ? `during iteration ${m.iter}` : 'as the run started';
  // The browser's own words after the first colon ("Failed to execute 'mapAsync' on …") say
  // nothing a person can act on; the worker's log keeps them.
  const why = String(m.message || 'unknown error').replace(/^gpu: /, '').split(': ')[0].replace(/\.$/, '');
  return `The GPU failed ${where} (${why}). The run goes on on the CPU (${engineLabel(m.engine)}) from where it was: the same image, iteration count and optimiser state, only slower.`;
}
