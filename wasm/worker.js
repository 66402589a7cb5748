// texsynth's Web Worker: it loads the Go core (texsynth.wasm through Go's wasm_exec.js), holds
// one run, and steps it one optimiser iteration at a time, so the page never waits on it.
//
// Messages the page sends (each may carry an `id`, echoed in the reply that answers it):
//   {type: 'weights', buffer: ArrayBuffer, name}    use a .q8 file (checksum verified)
//   {type: 'weights', builtin: true, seed}          back to the untrained VGG-16 from a seed
//   {type: 'decode', buffer: ArrayBuffer, name}     decode an image file as the CLI does
//   {type: 'start', rgba, width, height, settings}  start a run (replacing any other)
//   {type: 'pause'} {type: 'resume'} {type: 'stop'}
//   {type: 'presets', size, iters}                  the experiments (core/presets) at that size
// Messages the worker sends:
//   {type: 'ready', weights, kernel, kept}          wasm and the default weights are loaded; kernel: the vector kernels in use;
//                                                   kept: the built-in weights came from the browser's cache
//   {type: 'progress', stage, message}              a long stage began (weights, start)
//   {type: 'weights', weights}                      {provenance, checksum, builtin, seed, layers}
//   {type: 'exemplar', width, height, rgba, notices, name}
//   {type: 'started', layers, iters, size, settings, weights}
//   {type: 'frame', iter, iters, loss, seconds, evals, done, width, height, pixels}
//   {type: 'presets', size, iters, questions}       [{id, title, explanation, preset, cells: [{label, exemplar, settings}]}]
//   {type: 'paused', iter} {type: 'resumed', iter} {type: 'stopped', iter} {type: 'done', iter}
//   {type: 'error', message, kind: 'input' | 'internal' | 'fatal', during}
// Pixels (RGBA, a Uint8ClampedArray) are transferred, not copied. A step cannot be interrupted:
// pause and stop take effect when the current step ends. After a 'fatal' error (the Go program
// ended: out of memory, a crash) the worker is useless; the page should start a new one.
'use strict';

const scope = self;
let go = null;          // the Go instance from wasm_exec.js
let core = null;        // globalThis.texsynthCore, installed by the Go program
let fatal = null;       // the message of the error that ended the Go program
let run = null;         // {iter, iters, paused, stopped, timer}

function post(msg, transfer) {
  scope.postMessage(msg, transfer || []);
}

function fail(message, kind, during, id) {
  post({type: 'error', message, kind, during, id});
}

// call runs one Go function; a thrown exception or a Go program that has exited is fatal.
function call(name, ...args) {
  if (fatal) throw new FatalError(fatal);
  let result;
  try {
    result = core[name](...args);
  } catch (e) {
    fatal = 'the synthesis engine stopped: ' + (e && e.message ? e.message : String(e));
    throw new FatalError(fatal);
  }
  if (go.exited || result === undefined || result === null) {
    fatal = fatal || 'the synthesis engine stopped (it may have run out of memory); it will be restarted';
    throw new FatalError(fatal);
  }
  return result;
}

class FatalError extends Error {}

// guard runs f and turns an exception into an error message to the page.
function guard(during, id, f) {
  try {
    return f();
  } catch (e) {
    if (e instanceof FatalError) {
      stopRun();
      fail(e.message, 'fatal', during, id);
    } else {
      fail(String(e && e.message ? e.message : e), 'internal', during, id);
    }
    return undefined;
  }
}

// result splits a Go result into its value or an error sent to the page.
function ok(result, during, id) {
  if (result.error !== undefined) {
    fail(result.error, result.kind, during, id);
    return false;
  }
  return true;
}

async function boot() {
  const base = new URL('./', scope.location.href);
  if (typeof scope.Go !== 'function') scope.importScripts(new URL('wasm_exec.js', base).href);
  go = new scope.Go();
  const url = new URL('texsynth.wasm', base).href;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
  let instance;
  if (WebAssembly.instantiateStreaming && (response.headers.get('content-type') || '').includes('application/wasm')) {
    ({instance} = await WebAssembly.instantiateStreaming(response, go.importObject));
  } else {
    ({instance} = await WebAssembly.instantiate(await response.arrayBuffer(), go.importObject));
  }
  // The built-in weights drawn by this wasm build, if an earlier visit kept them.
  const keptKey = new URL(`builtin-weights-seed-0.q8?wasm=${encodeURIComponent(url)}&etag=${encodeURIComponent(response.headers.get('etag') || '')}`, base).href;
  // The SIMD kernels (core/gemm, a second small wasm module) work on the Go program's own memory.
  scope.texsynthMemory = instance.exports.mem;
  go.run(instance).then(() => {
    fatal = fatal || 'the synthesis engine stopped (it may have run out of memory); it will be restarted';
    if (run) {
      stopRun();
      fail(fatal, 'fatal', 'run');
    }
  });
  core = scope.texsynthCore;
  if (!core) throw new Error('texsynth.wasm did not install texsynthCore');
  post({type: 'progress', stage: 'weights', message: 'loading the untrained VGG-16 (seed 0)'});
  let w = await keptWeights(keptKey);
  const kept = Boolean(w);
  if (!w) {
    post({type: 'progress', stage: 'weights', message: 'building the untrained VGG-16 from seed 0'});
    w = call('useRandomWeights', 0);
    if (!ok(w, 'boot')) return;
  }
  post({type: 'ready', weights: w, kernel: core.kernel, kept});
  if (!kept) setTimeout(() => keepWeights(keptKey), 1000); // when the page is idle, most likely
}

// The built-in weights are kept in the browser's Cache Storage after they are first drawn:
// drawing 7.6 million numbers from the seed is most of the page's start (about a second),
// reading them back (checksum-verified) a tenth of that. The key names the wasm build, so a new
// deployment draws them again. Where there is no Cache Storage (Node, an insecure origin), or
// anything fails, the weights are simply drawn.
const KEPT_CACHE = 'texsynth-builtin-weights';

async function keptWeights(key) {
  try {
    if (!scope.caches) return null;
    const cache = await scope.caches.open(KEPT_CACHE);
    const response = await cache.match(key);
    if (!response) return null;
    const w = call('useKeptRandomWeights', new Uint8Array(await response.arrayBuffer()), 0);
    if (w.error === undefined) return w;
    await cache.delete(key);
  } catch (e) {
    if (e instanceof FatalError) throw e;
  }
  return null;
}

async function keepWeights(key) {
  try {
    if (!scope.caches || fatal) return;
    const k = call('keptRandomWeights');
    if (k.error !== undefined) return; // the user's own weights are in use by now
    const cache = await scope.caches.open(KEPT_CACHE);
    for (const old of await cache.keys()) await cache.delete(old); // one build's weights at a time
    await cache.put(key, new Response(k.bytes, {headers: {'content-type': 'application/octet-stream'}}));
  } catch (e) {
    // Keeping them is an optimisation: a full disk or a private window only costs the next start.
  }
}

function stopRun() {
  if (!run) return null;
  clearTimeout(run.timer);
  const iter = run.iter;
  run.stopped = true;
  run = null;
  if (core && !fatal) {
    try { core.stop(); } catch (e) { /* the program has ended; nothing to free */ }
  }
  return iter;
}

// loop runs one step, posts its frame, and yields to the message queue before the next, so
// pause and stop messages are seen between steps.
function loop(r) {
  if (r !== run || r.paused || r.stopped) return;
  const frame = guard('run', undefined, () => call('step'));
  if (r !== run) return;
  if (frame === undefined) return;
  if (!ok(frame, 'run')) {
    run = null;
    return;
  }
  r.iter = frame.iter;
  frame.type = 'frame';
  post(frame, [frame.pixels.buffer]);
  if (frame.done) {
    run = null;
    post({type: 'done', iter: frame.iter, iters: frame.iters});
    return;
  }
  r.timer = setTimeout(loop, 0, r);
}

const handlers = {
  weights(m) {
    post({type: 'progress', stage: 'weights', message: m.builtin ? 'building the untrained VGG-16' : 'verifying ' + (m.name || 'the weights file'), id: m.id});
    const w = guard('weights', m.id, () => (m.builtin ? call('useRandomWeights', m.seed || 0) : call('loadWeights', new Uint8Array(m.buffer))));
    if (w && ok(w, 'weights', m.id)) post({type: 'weights', weights: w, name: m.name, id: m.id});
  },
  decode(m) {
    const r = guard('decode', m.id, () => call('decode', new Uint8Array(m.buffer)));
    if (!r || !ok(r, 'decode', m.id)) return;
    post({type: 'exemplar', width: r.width, height: r.height, rgba: r.rgba, notices: Array.from(r.notices), name: m.name, id: m.id}, [r.rgba.buffer]);
  },
  start(m) {
    stopRun();
    post({type: 'progress', stage: 'start', message: 'computing the exemplar\'s features', id: m.id});
    const rgba = m.rgba instanceof ArrayBuffer ? new Uint8Array(m.rgba) : m.rgba;
    const r = guard('start', m.id, () => call('start', rgba, m.width, m.height, m.settings || {}));
    if (!r || !ok(r, 'start', m.id)) return;
    run = {iter: 0, iters: r.iters, paused: false, stopped: false, timer: 0};
    post({type: 'started', layers: Array.from(r.layers), iters: r.iters, size: r.size, settings: r.settings, weights: r.weights, id: m.id});
    run.timer = setTimeout(loop, 0, run);
  },
  pause(m) {
    if (!run) return;
    run.paused = true;
    clearTimeout(run.timer);
    post({type: 'paused', iter: run.iter, id: m.id});
  },
  resume(m) {
    if (!run || !run.paused) return;
    run.paused = false;
    post({type: 'resumed', iter: run.iter, id: m.id});
    run.timer = setTimeout(loop, 0, run);
  },
  stop(m) {
    const iter = stopRun();
    post({type: 'stopped', iter, id: m.id});
  },
  presets(m) {
    const r = guard('presets', m.id, () => call('presets', m.size || 64, m.iters || 100));
    if (r && ok(r, 'presets', m.id)) post({type: 'presets', size: m.size, iters: m.iters, questions: r.questions, id: m.id});
  },
  // crash ends the Go program as an out-of-memory error would; for tests of the recovery.
  crash(m) {
    guard('crash', m.id, () => call('exit', 3));
    if (!fatal) {
      fatal = 'the synthesis engine stopped';
      fail(fatal, 'fatal', 'crash', m.id);
    }
  },
};

const booted = boot().catch((e) => {
  fatal = 'cannot start the synthesis engine: ' + (e && e.message ? e.message : String(e));
  fail(fatal, 'fatal', 'boot');
});

scope.onmessage = async (e) => {
  const m = e.data || {};
  await booted;
  const h = handlers[m.type];
  if (!h) {
    fail(`unknown message type ${JSON.stringify(m.type)}`, 'internal', m.type, m.id);
    return;
  }
  if (fatal && m.type !== 'stop' && m.type !== 'pause') {
    fail(fatal, 'fatal', m.type, m.id);
    return;
  }
  h(m);
};
