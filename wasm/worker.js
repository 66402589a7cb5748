// texsynth's Web Worker: it loads the Go core (texsynth.wasm through Go's wasm_exec.js), holds
// one run, and steps it one optimiser iteration at a time, so the page never waits on it.
//
// Messages the page sends (each may carry an `id`, echoed in the reply that answers it; a start
// may carry a `run` id, echoed in every message about that run):
//   {type: 'weights', buffer: ArrayBuffer, name}    use a .q8 file (checksum verified)
//   {type: 'weights', pretrained: true}             the site's pretrained VGG-19 (the default; SHA-256 verified)
//   {type: 'weights', builtin: true, seed}          the untrained VGG-16 from a seed
//   {type: 'decode', buffer: ArrayBuffer, name}     decode an image file as the CLI does
//   {type: 'describe', settings, exemplarSide}      settings as text (an object or a list), read by the core's parser
//   {type: 'start', rgba, width, height, settings, run}  start a run (replacing any other)
//   {type: 'start', rgba, width, height, text, maxMemory, run}  the same with settings as text, read by the core first
//                                                   settings.engine: auto | webgpu | wasm (wasm/engine.go)
//   {type: 'pause'} {type: 'resume'} {type: 'stop'}  stop keeps the run, so that it can go on
//   {type: 'more', iters}                           n more iterations for the run that stopped or ended
//   {type: 'release'}                               drop the run kept after stop or done, and its memory
//   {type: 'presets', size, iters}                  the experiments (core/presets) at that size
//   {type: 'lose-gpu'}                              destroy the WebGPU device, as a loss would (tests of the fallback)
// Messages the worker sends:
//   {type: 'ready', weights, kernel, threads, threadsWhy, kept, fallback, schema, gpu, engine}
//                                                   wasm and the default weights are loaded; kernel: the vector kernels in use;
//                                                   threads: how many share the products (pool.js), threadsWhy: why one, if one;
//                                                   fallback: why the pretrained VGG-19 could not be loaded and the
//                                                   untrained VGG-16 is in use instead ('' when it is the VGG-19);
//                                                   gpu: {adapter, emulated} or {error}; engine: what auto gives (engine below);
//                                                   kept: the untrained weights came from the browser's cache;
//                                                   schema: every setting's kind, bounds and options (wasm/describe.go)
//   {type: 'progress', stage, message}              a long stage began (weights, start)
//   {type: 'weights', weights, kept, schema}        {provenance, checksum, builtin, pretrained, seed, layers}; schema: as in ready,
//                                                   for the network of these weights (its layers)
//   {type: 'exemplar', width, height, rgba, notices, name}
//   {type: 'described', settings, errors, plan}     {field: message} for every value refused; plan: layers, weights, levels, memory
//                                                   (for a list: {type: 'described', list: [{settings, errors, plan}]})
//   {type: 'started', layers, iters, size, settings, weights, exemplar: {width, height, rgba}, plan, engine}
//                                                   exemplar: as the run sees it (cropped and scaled); plan: for text;
//                                                   engine: {engine: 'webgpu' | 'wasm', adapter, emulated, kernel, why}
//   {type: 'fallback', iter, message, engine, run}  the GPU failed (lost, out of memory): the run goes on with the
//                                                   wasm kernels from where it was (the same image, iteration, optimiser)
//   {type: 'refused', errors, plan}                 a start with text the core refused, or a plan over maxMemory
//   {type: 'frame', iter, iters, loss, seconds, evals, done, width, height, pixels, memory}
//   {type: 'presets', size, iters, questions}       [{id, title, explanation, preset, cells: [{label, exemplar, settings}]}]
//   {type: 'paused', iter} {type: 'resumed', iter} {type: 'stopped', iter} {type: 'done', iter, iters, pool}
//                                                   pool, with the worker pool: {calls, shared, alone} so far
//   {type: 'continued', iter, iters, ends}          after more: the run goes on; ends: where each level of its plan now ends
//   {type: 'error', message, kind: 'input' | 'internal' | 'fatal', during}
// Pixels (RGBA, a Uint8ClampedArray) are transferred, not copied; memory is the WebAssembly
// memory's size in bytes (the Go program's, which the worker pool shares). A step cannot be interrupted: pause and stop take effect when the
// current step ends. A run on WebGPU starts and steps asynchronously (its Go code waits on the
// GPU's promises); messages that arrive meanwhile are handled, in order, once the step is done. After a 'fatal' error (the Go program ended: out of memory, a crash) the
// worker is useless; the page should start a new one.
'use strict';

const scope = self;
let go = null;          // the Go instance from wasm_exec.js
let core = null;        // globalThis.texsynthCore, installed by the Go program
let fatal = null;       // the message of the error that ended the Go program
let run = null;         // the run being stepped: {id, iter, iters, paused, stopped, timer}
let held = null;        // the run that stopped or ended, which more can continue: {id, iter, iters, gpu}
let inflight = null;    // the promise of a GPU start or step in progress
let queue = Promise.resolve(); // the messages, handled one after the other

function post(msg, transfer) {
  scope.postMessage(msg, transfer || []);
}

function fail(message, kind, during, id, runId) {
  post({type: 'error', message, kind, during, id, run: runId});
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

// callAsync runs one of the Go functions that return a promise (the GPU engine's), as call runs
// the others; an exception comes back as guard makes it.
async function callAsync(during, id, runId, name, ...args) {
  try {
    const r = await call(name, ...args);
    if (go.exited || r === undefined || r === null) throw new FatalError(fatal || 'the synthesis engine stopped');
    return r;
  } catch (e) {
    return guard(during, id, () => { throw e; }, runId);
  }
}

// guard runs f and turns an exception into an error message to the page.
function guard(during, id, f, runId) {
  try {
    return f();
  } catch (e) {
    if (e instanceof FatalError) {
      stopRun();
      fail(e.message, 'fatal', during, id, runId);
    } else {
      fail(String(e && e.message ? e.message : e), 'internal', during, id, runId);
    }
    return undefined;
  }
}

// result splits a Go result into its value or an error sent to the page.
function ok(result, during, id, runId) {
  if (result.error !== undefined) {
    fail(result.error, result.kind, during, id, runId);
    return false;
  }
  return true;
}

async function boot() {
  const base = new URL('./', scope.location.href);
  if (typeof scope.Go !== 'function') scope.importScripts(new URL('wasm_exec.js', base).href);
  if (!scope.texsynthGPU) scope.importScripts(new URL('gpu.js', base).href); // the WebGPU device (core/gpu)
  go = new scope.Go();
  const url = new URL('texsynth.wasm', base).href;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
  // The SIMD kernels (core/gemm, a second small wasm module) work on the Go program's own memory;
  // where the page is cross-origin isolated, the program runs on a shared memory and a pool of
  // workers shares its large products and transforms (pool.js).
  if (typeof scope.TexsynthPool !== 'function') scope.importScripts(new URL('pool.js', base).href);
  const started = await scope.TexsynthPool.boot(scope, base, response, go);
  const instance = started.instance;
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
  // The pool's workers get the kernels only once this worker's event loop turns (pool.js, ready).
  const poolStarted = !scope.texsynthPool || (await scope.texsynthPool.ready());
  // The WebGPU device is asked for while the weights load; a browser that never answers
  // (a hung driver) leaves the run to the wasm kernels.
  const probe = Promise.race([call('probeGPU'), new Promise((r) => setTimeout(r, 10000, {error: 'WebGPU did not answer in 10 s'}))]);
  // The untrained weights drawn by this wasm build are kept under a key that names it.
  keptKey = new URL(`builtin-weights-seed-0.q8?wasm=${encodeURIComponent(url)}&etag=${encodeURIComponent(response.headers.get('etag') || '')}`, base).href;
  post({type: 'progress', stage: 'weights', message: 'loading the pretrained VGG-19 (2.3 MB)'});
  let w = await pretrainedWeights();
  let fallback = '';
  if (w.error !== undefined) {
    fallback = w.error;
    w = await untrainedWeights(0);
    if (!ok(w, 'boot')) return;
  }
  const schema = call('schema');
  const threads = poolStarted ? core.threads || 1 : 1;
  const why = threads > 1 ? '' : !poolStarted ? scope.TexsynthPool.NOT_STARTED
    : started.why || 'the SIMD kernels did not start the worker pool';
  const gpu = await probe;
  post({type: 'ready', weights: w, kernel: core.kernel, threads, threadsWhy: why, kept: Boolean(w.kept), fallback, schema, gpu, engine: call('engineFor', 'auto')});
}

// PRETRAINED is the site's pretrained VGG-19, conv1_1 … conv3_4 (weights/pretrained in the
// repository). In a deployed build the name carries the file's content hash (tools/dist), so the
// service worker keeps it for good after the first download; usePretrainedWeights refuses any
// bytes but the committed file's.
const PRETRAINED = 'weights/vgg19-conv3_4.q8';

// pretrainedWeights downloads and selects the pretrained VGG-19, or says why it cannot.
async function pretrainedWeights() {
  let bytes;
  try {
    const url = new URL(PRETRAINED, new URL('./', scope.location.href));
    const r = await fetch(url);
    if (!r.ok) return {error: `${PRETRAINED}: the server answered ${r.status} ${r.statusText}`};
    bytes = new Uint8Array(await r.arrayBuffer());
  } catch (e) {
    return {error: `${PRETRAINED}: cannot download it (${e && e.message ? e.message : e})`};
  }
  return call('usePretrainedWeights', bytes);
}

// untrainedWeights selects the untrained VGG-16 of a seed: for seed 0 read back from the
// browser's cache when an earlier visit kept it (w.kept), else drawn, and then kept.
let keptKey = '';
async function untrainedWeights(seed) {
  if (seed === 0 && keptKey) {
    const w = await keptWeights(keptKey);
    if (w) {
      w.kept = true;
      return w;
    }
  }
  post({type: 'progress', stage: 'weights', message: `building the untrained VGG-16 from seed ${seed}`});
  const w = call('useRandomWeights', seed);
  if (w.error === undefined && seed === 0 && keptKey) setTimeout(() => keepWeights(keptKey), 1000); // when the page is idle, most likely
  return w;
}

// The untrained weights are kept in the browser's Cache Storage after they are first drawn:
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

// stopRun stops stepping the run; the Go side keeps it (and its memory) so that more can
// continue it, until release or the next start.
function stopRun() {
  if (!run) return null;
  clearTimeout(run.timer);
  const iter = run.iter;
  run.stopped = true;
  held = {id: run.id, iter: run.iter, iters: run.iters, gpu: run.gpu};
  run = null;
  return iter;
}

function release() {
  stopRun();
  held = null;
  if (core && !fatal) {
    try { core.stop(); } catch (e) { /* the program has ended; nothing to free */ }
  }
}

function memory() {
  return scope.texsynthMemory ? scope.texsynthMemory.buffer.byteLength : 0;
}

// loop runs one step, posts its frame, and yields to the message queue before the next, so
// pause and stop messages are seen between steps. A GPU run's step is a promise (inflight),
// which the messages that come meanwhile wait for.
function loop(r) {
  if (r !== run || r.paused || r.stopped) return;
  if (r.gpu) {
    const p = callAsync('run', undefined, r.id, 'stepGPU').then((frame) => stepped(r, frame))
      .finally(() => { if (inflight === p) inflight = null; });
    inflight = p;
    return;
  }
  stepped(r, guard('run', undefined, () => call('step'), r.id));
}

function stepped(r, frame) {
  if (r !== run) return;
  if (frame === undefined) return;
  if (frame.fallback) post({type: 'fallback', iter: frame.iter, message: frame.fallback, engine: frame.engine, run: r.id});
  if (!ok(frame, 'run', undefined, r.id)) {
    run = null;
    return;
  }
  r.iter = frame.iter;
  r.iters = frame.iters;
  frame.type = 'frame';
  frame.run = r.id;
  frame.memory = memory();
  post(frame, [frame.pixels.buffer]);
  if (frame.done) {
    stopRun();
    post({type: 'done', iter: frame.iter, iters: frame.iters, run: r.id, pool: scope.texsynthPool && scope.texsynthPool.counts()});
    return;
  }
  r.timer = setTimeout(loop, 0, r);
}

function begin(id, iter, iters, gpu) {
  run = {id, iter, iters, gpu, paused: false, stopped: false, timer: 0};
  held = null;
  run.timer = setTimeout(loop, 0, run);
}

const handlers = {
  async weights(m) {
    let w;
    try {
      if (m.pretrained) {
        post({type: 'progress', stage: 'weights', message: 'loading the pretrained VGG-19', id: m.id});
        w = await pretrainedWeights();
      } else if (m.builtin) {
        w = await untrainedWeights(m.seed || 0);
      } else {
        post({type: 'progress', stage: 'weights', message: 'verifying ' + (m.name || 'the weights file'), id: m.id});
        w = call('loadWeights', new Uint8Array(m.buffer));
      }
    } catch (e) {
      guard('weights', m.id, () => { throw e; }); // reported as every handler's exceptions are
      return;
    }
    if (w && ok(w, 'weights', m.id)) post({type: 'weights', weights: w, kept: Boolean(w.kept), schema: call('schema'), name: m.name, id: m.id});
  },
  decode(m) {
    const r = guard('decode', m.id, () => call('decode', new Uint8Array(m.buffer)));
    if (!r || !ok(r, 'decode', m.id)) return;
    post({type: 'exemplar', width: r.width, height: r.height, rgba: r.rgba, notices: Array.from(r.notices), name: m.name, id: m.id}, [r.rgba.buffer]);
  },
  // describe answers one settings object, or a list of them with a list.
  describe(m) {
    const one = (s) => {
      const r = guard('describe', m.id, () => call('describe', s || {}, m.exemplarSide || 0));
      return r && ok(r, 'describe', m.id) ? {settings: r.settings, errors: r.errors, plan: r.plan} : null;
    };
    if (!Array.isArray(m.settings)) {
      const r = one(m.settings);
      if (r) post({type: 'described', ...r, id: m.id});
      return;
    }
    const list = [];
    for (const s of m.settings) {
      const r = one(s);
      if (!r) return;
      list.push(r);
    }
    post({type: 'described', list, id: m.id});
  },
  // start takes settings (typed, as synth.Settings) or text (read by the core first, as
  // describe reads it: what it refuses, or a plan over maxMemory bytes, is 'refused').
  async start(m) {
    release();
    let settings = m.settings || {};
    let plan = null;
    if (m.text) {
      const d = guard('start', m.id, () => call('describe', m.text, Math.max(m.width, m.height)), m.run);
      if (!d || !ok(d, 'start', m.id, m.run)) return;
      if (Object.keys(d.errors).length || !d.plan || (m.maxMemory && d.plan.memory > m.maxMemory)) {
        post({type: 'refused', errors: d.errors, plan: d.plan, id: m.id, run: m.run});
        return;
      }
      settings = d.settings;
      plan = d.plan;
    }
    // The engine: settings.engine is the page's (engine.go), settings.conv the core's.
    const {engine: asked, ...typed} = settings;
    const engine = guard('start', m.id, () => call('engineFor', asked || 'auto'), m.run);
    if (!engine || !ok(engine, 'start', m.id, m.run)) return;
    const gpu = engine.engine === 'webgpu';
    if (gpu) typed.conv = 'webgpu';
    post({type: 'progress', stage: 'start', message: 'computing the exemplar\'s features', id: m.id, run: m.run});
    const rgba = m.rgba instanceof ArrayBuffer ? new Uint8Array(m.rgba) : m.rgba;
    const r = gpu ? await callAsync('start', m.id, m.run, 'startGPU', rgba, m.width, m.height, typed)
      : guard('start', m.id, () => call('start', rgba, m.width, m.height, typed), m.run);
    if (!r || !ok(r, 'start', m.id, m.run)) return;
    settings = typed;
    const seen = call('prepared', rgba, m.width, m.height, settings);
    const exemplar = seen.error === undefined ? seen : null;
    const running = r.engine || engine;
    post({type: 'started', layers: Array.from(r.layers), iters: r.iters, size: r.size, settings: {...r.settings, engine: asked || 'auto'},
      weights: r.weights, exemplar, plan, engine: running, id: m.id, run: m.run}, exemplar ? [exemplar.rgba.buffer] : []);
    if (r.fallback) post({type: 'fallback', iter: 0, message: r.fallback, engine: running, run: m.run});
    begin(m.run, 0, r.iters, gpu);
  },
  pause(m) {
    if (!run) return;
    run.paused = true;
    clearTimeout(run.timer);
    post({type: 'paused', iter: run.iter, id: m.id, run: run.id});
  },
  resume(m) {
    if (!run || !run.paused) return;
    run.paused = false;
    post({type: 'resumed', iter: run.iter, id: m.id, run: run.id});
    run.timer = setTimeout(loop, 0, run);
  },
  stop(m) {
    const id = run ? run.id : undefined;
    const iter = stopRun();
    post({type: 'stopped', iter, id: m.id, run: id});
  },
  more(m) {
    if (run || held === null) {
      fail(run ? 'the run is still going' : 'there is no run to continue: start one', 'input', 'more', m.id);
      return;
    }
    const last = held;
    const r = guard('more', m.id, () => call('more', m.iters), last.id);
    if (!r || !ok(r, 'more', m.id, last.id)) return;
    post({type: 'continued', iter: r.iter, iters: r.iters, ends: Array.from(r.ends), id: m.id, run: last.id});
    begin(last.id, r.iter, r.iters, last.gpu);
  },
  release(m) {
    release();
    post({type: 'released', id: m.id});
  },
  presets(m) {
    const r = guard('presets', m.id, () => call('presets', m.size || 64, m.iters || 100));
    if (r && ok(r, 'presets', m.id)) post({type: 'presets', size: m.size, iters: m.iters, questions: r.questions, id: m.id});
  },
  'lose-gpu'(m) {
    const r = guard('lose-gpu', m.id, () => call('loseGPU'));
    if (r && ok(r, 'lose-gpu', m.id)) post({type: 'lost-gpu', id: m.id});
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

// Messages are handled in order, each once a GPU step in progress is done, except lose-gpu,
// which stands for a loss that does not wait either.
scope.onmessage = (e) => {
  const m = e.data || {};
  if (m.type === 'lose-gpu') {
    booted.then(() => handle(m));
    return;
  }
  queue = queue.then(async () => {
    await booted;
    while (inflight) await inflight.catch(() => {});
    await handle(m);
  }).catch((err) => fail(String(err && err.message ? err.message : err), 'internal', m.type, m.id));
};

async function handle(m) {
  const h = handlers[m.type];
  if (!h) {
    fail(`unknown message type ${JSON.stringify(m.type)}`, 'internal', m.type, m.id);
    return;
  }
  if (fatal && m.type !== 'stop' && m.type !== 'pause') {
    fail(fatal, 'fatal', m.type, m.id);
    return;
  }
  await h(m);
}
