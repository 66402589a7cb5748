// The run controller: one worker (engine.js → worker.js → texsynth.wasm) and everything about a
// run that the page, the <texture-synth> element and the iframe share — the exemplar (a drawn
// sample, a file checked and decoded as the command line decodes it, or pixels), settings read by
// the core, the run's state, its frames, ETA and end, continuing it, and the words of every
// notice. It draws nothing: the page and the element listen to its events.
//
// Events (CustomEvent, the detail as said): ready, exemplar {exemplar, notices}, decoding
// {name, bytes}, notice {text, kind: info | warn | error, group}, refused {errors}, starting,
// started, frame {frame, eta, level}, level {from, to, iter}, paused, resumed, stopping, stopped,
// done, continued, error {message, kind, during}, fatal {message, again}, weights, presets, state,
// engine {engine, run} (the GPU failed: the run goes on with the wasm kernels). The run's engine
// is run.engine; the engine auto gives, autoEngine (engine-label.js names them).

import {Engine} from './engine.js';
import {drawSample} from './samples.js';
import {ENGINE_MEMORY, Eta, fits} from './estimate.js';
import {calibrate} from './calibrate.js';
import {engineLabel, fallbackText} from './engine-label.js';

export const MAX_FILE = 64 << 20; // larger files are refused before they are read
export const PICTURE_TYPES = 'a PNG, JPEG, GIF, WebP, BMP or TIFF picture';

// plain rewords what a browser or the core says for a person: long hex strings (checksums)
// shortened, a failed network request said as such.
export function plain(message) {
  const m = String(message || 'unknown error').replace(/\b([0-9a-f]{12})[0-9a-f]{20,}\b/g, '$1…');
  if (/failed to fetch|networkerror|load failed/i.test(m)) return 'the site cannot be reached (is the network off?)';
  return m;
}

// readBody reads a response's body whole, calling progress(fraction) as it comes when the server
// said its length, and refusing more than limit bytes whatever the server said.
export async function readBody(r, {limit = Infinity, progress = null} = {}) {
  const total = Number(r.headers.get('content-length')) || 0;
  const reader = r.body.getReader();
  const parts = [];
  let got = 0;
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    got += value.length;
    if (got > limit) {
      reader.cancel();
      throw new Error(`it is over ${Math.round(limit / 2 ** 20)} MB`);
    }
    parts.push(value);
    if (progress && total) progress(got / total);
  }
  return new Blob(parts).arrayBuffer();
}

// fetchPicture reads a picture of this site (a redirect to another origin fails), at most
// MAX_FILE bytes.
export async function fetchPicture(url) {
  const r = await fetch(url, {mode: 'same-origin', credentials: 'same-origin'});
  if (!r.ok) throw new Error(`the server answered ${r.status} ${r.statusText}`.trim());
  return readBody(r, {limit: MAX_FILE});
}

export class RunController extends EventTarget {
  // profile: a SpeedProfile (estimate.js) the runs' speed goes into, or null.
  constructor(workerURL = 'worker.js', profile = null) {
    super();
    this.profile = profile;
    this.schema = null;
    this.weights = null;
    this.kernel = '';
    this.threads = {threads: 1, why: ''}; // how many threads share the products, and why one (threads.js)
    this.state = 'loading';
    this.exemplar = null; // the next run's: {rgba, width, height, name, sample}
    this.decoding = null; // {name, bytes}: a file being decoded
    this.decodes = 0;     // the latest decode; older answers are dropped
    this.run = null;      // the run on screen: see start
    this.result = null;   // the last frame: {image, width, height, iter, iters, loss, run}
    this.held = false;    // the worker keeps the last run, so more can continue it
    this.runs = 0;
    this.bench = null;    // a measurement in progress (calibrate)
    this.engine = new Engine({ready: (m) => this.onReady(m), message: (m) => this.onMessage(m),
      fatal: (msg, again) => this.onFatal(msg, again)}, workerURL);
  }

  get ready() { return this.engine.isReady && !!this.schema; }
  get busy() { return !!this.run && ['starting', 'running', 'paused', 'stopping'].includes(this.state); }
  get canContinue() { return this.held && !this.busy && !!this.run; }

  emit(type, detail = {}) { this.dispatchEvent(new CustomEvent(type, {detail})); }
  notice(text, kind = 'info', group = '') { this.emit('notice', {text, kind, group}); }
  setState(state) {
    this.state = state;
    this.emit('state', {state});
  }

  close() {
    this.engine.close();
    this.run = null;
    this.setState('closed');
  }

  // ---- the exemplar ----

  // sameOrigin is url (relative to the document) if it is on this page's origin, else null:
  // nothing is ever fetched from elsewhere.
  sameOrigin(url) {
    let where;
    try { where = new URL(url, document.baseURI); } catch (e) { return null; }
    return where.origin === location.origin ? where : null;
  }

  useSample(name) {
    this.decodes++;
    this.decoding = null;
    this.exemplar = {...drawSample(name, 256), name: `sample "${name}"`, sample: name};
    this.emit('exemplar', {exemplar: this.exemplar, notices: []});
  }

  // readFile takes a picked, dropped or pasted file; the worker decodes it exactly as the
  // command line does and says what it changed. A refused file leaves the exemplar as it was.
  async readFile(file) {
    if (!file) return;
    const name = file.name || 'the pasted picture';
    if (file.size === 0) return this.notice(`${name}: the file is empty; choose ${PICTURE_TYPES}.`, 'error', 'exemplar');
    if (file.size > MAX_FILE) {
      return this.notice(`${name}: ${(file.size / 2 ** 20).toFixed(0)} MB is too large a file; use a picture under 64 MB.`, 'error', 'exemplar');
    }
    const id = ++this.decodes;
    this.decoding = {name, bytes: file.size};
    this.emit('decoding', this.decoding);
    let buffer;
    try {
      buffer = await file.arrayBuffer();
    } catch (e) {
      this.decoding = null;
      this.emit('decoding', null);
      return this.notice(`${name}: cannot read the file (${plain(e.message)}).`, 'error', 'exemplar');
    }
    if (id === this.decodes) await this.decodeBytes(buffer, name, id);
  }

  // decodeBytes has the core decode an image file's bytes (a file, or bytes a framing page posts).
  async decodeBytes(buffer, name, id = ++this.decodes) {
    if (buffer.byteLength > MAX_FILE) return this.notice(`${name}: the picture is over 64 MB; use a smaller one.`, 'error', 'exemplar');
    this.decoding = {name, bytes: buffer.byteLength};
    this.emit('decoding', this.decoding);
    try {
      const m = await this.engine.ask({type: 'decode', buffer, name}, [buffer]);
      if (id !== this.decodes) return;
      this.decoding = null;
      this.emit('decoding', null);
      this.exemplar = {rgba: m.rgba, width: m.width, height: m.height, name, sample: ''};
      const notices = m.notices.map((n) => `${name}: ${n}.`);
      this.emit('exemplar', {exemplar: this.exemplar, notices});
      for (const n of notices) this.notice(n, 'warn', 'exemplar');
    } catch (e) {
      if (id !== this.decodes) return;
      this.decoding = null;
      this.emit('decoding', null);
      const what = e.kind === 'input' ? '' : 'an internal error: ';
      this.notice(`${name}: that picture cannot be used: ${what}${plain(e.message)}. ${this.exemplar ? 'The exemplar was not changed.' : `Use ${PICTURE_TYPES}.`}`, 'error', 'exemplar');
    }
  }

  // usePixels takes an exemplar as pixels ({width, height, data or rgba}: ImageData-like).
  usePixels(img, name = 'the posted picture') {
    const {minSide, maxSide} = this.schema || {minSide: 16, maxSide: 512};
    const rgba = img.rgba || img.data;
    const w = img.width | 0, h = img.height | 0;
    if (!(rgba instanceof Uint8ClampedArray || rgba instanceof Uint8Array) || rgba.length !== w * h * 4) {
      return this.notice(`${name}: the pixels must be width × height × 4 bytes of RGBA.`, 'error', 'exemplar');
    }
    if (Math.min(w, h) < minSide || Math.max(w, h) > maxSide) {
      return this.notice(`${name}: ${w} × ${h} pixels; both sides must be from ${minSide} to ${maxSide} (scale it, or post the image file's bytes instead).`, 'error', 'exemplar');
    }
    this.decodes++;
    this.exemplar = {rgba: new Uint8ClampedArray(rgba), width: w, height: h, name, sample: ''};
    this.emit('exemplar', {exemplar: this.exemplar, notices: []});
  }

  // ---- settings ----

  // describe has the core read settings given as text (or a list of them): {settings, errors, plan}.
  describe(text) {
    const side = this.exemplar ? Math.max(this.exemplar.width, this.exemplar.height) : 0;
    return this.engine.describe(text, side);
  }

  // ---- the run ----

  // start begins a run from the exemplar with settings given as text; a run in progress ends
  // (the caller asks first). The worker reads the text with the core's parser and starts in one
  // go; settings the core refuses, or a plan that does not fit, come back 'refused'.
  start(text) {
    if (!this.ready || !this.exemplar || this.decoding) return false;
    this.cancelBench();
    const id = ++this.runs;
    this.before = this.result ? this.result.run : null;
    this.run = {id, text: {...text}, settings: null, plan: null, exemplar: this.exemplar, seen: null,
      iter: 0, iters: +text.iters || 0, loss: NaN, level: 0, startedAt: performance.now(), live: false,
      paused: false, pausing: false, stopping: false, eta: null};
    this.held = false;
    this.engine.start(this.exemplar, undefined, id, {text: {...text}, maxMemory: ENGINE_MEMORY});
    this.setState('starting');
    this.emit('starting', {run: this.run});
    return true;
  }

  onRefused(m) {
    const fit = fits(m.plan);
    this.run = this.before;
    this.setState(this.run ? 'stopped' : 'ready');
    this.emit('refused', {errors: fit.ok ? m.errors : {size: fit.reason}});
  }

  pause() {
    if (!this.run || this.state !== 'running' || this.run.stopping) return;
    this.run.pausing = true;
    this.engine.pause();
    this.emit('pausing');
  }

  resume() {
    if (this.run && this.state === 'paused') this.engine.resume();
  }

  stop() {
    if (!this.busy || this.run.stopping) return;
    this.run.stopping = true;
    this.engine.stop();
    this.emit('stopping');
  }

  // more continues the run that stopped or ended for n more iterations.
  more(n) {
    if (!this.canContinue) return false;
    this.engine.more(n);
    return true;
  }

  eta() {
    const r = this.run;
    return r && r.live && r.iter ? r.eta.remaining(r.iter) : NaN;
  }

  get starting() { return this.state === 'starting'; }

  // ---- the worker's messages ----

  onReady(m) {
    this.schema = m.schema;
    this.weights = m.weights;
    this.kernel = m.kernel || '';
    this.threads = {threads: m.threads || 1, why: m.threadsWhy || ''};
    this.autoEngine = m.engine || null;
    this.gpu = m.gpu || null;
    // The speed profile is per engine: auto's on a GPU is the GPU's.
    this.speedKey = m.engine && m.engine.engine === 'webgpu' ? engineLabel(m.engine) : this.kernel;
    this.kept = m.kept;
    if (this.run && this.busy) this.run = null;
    this.held = false;
    this.setState('ready');
    this.emit('ready', m);
  }

  onMessage(m) {
    if (this.bench && m.run === this.bench.id) return this.bench.message(m);
    const r = this.run;
    const ofRun = m.run !== undefined || ['frame', 'done', 'paused', 'resumed', 'continued'].includes(m.type);
    if (ofRun && !(r && m.run === r.id)) return; // a run that is no longer on screen
    switch (m.type) {
      case 'progress': this.emit('progress', m); break;
      case 'started': return this.onStarted(m);
      case 'refused': return this.onRefused(m);
      case 'frame': return this.onFrame(m);
      case 'done':
        r.eta.finishLevel(r.level);
        r.stopping = false;
        this.held = true;
        this.setState('done');
        this.emit('done', {run: r, seconds: (performance.now() - r.startedAt) / 1000});
        break;
      case 'stopped':
        if (r && r.stopping) {
          r.stopping = false;
          this.held = r.live;
          this.setState('stopped');
          this.emit('stopped', {run: r});
        }
        break;
      case 'paused':
        r.paused = true;
        r.pausing = false;
        this.setState('paused');
        this.emit('paused', {run: r});
        break;
      case 'resumed':
        r.paused = false;
        r.lastAt = performance.now();
        this.setState('running');
        this.emit('resumed', {run: r});
        break;
      case 'continued':
        r.eta.more(m.ends);
        r.lastAt = performance.now();
        r.iters = m.iters;
        this.held = false;
        this.setState('running');
        this.emit('continued', {run: r});
        break;
      case 'fallback':
        r.engine = m.engine;
        this.notice(fallbackText(m), 'warn', 'run');
        this.emit('engine', {engine: m.engine, run: r});
        break;
      case 'weights':
        this.weights = m.weights;
        this.kept = m.kept;
        if (m.schema) this.schema = m.schema; // the network's own layers
        this.emit('weights', m);
        break;
      case 'presets': this.emit('presets', m); break;
      case 'error': return this.onError(m);
      default: this.emit(m.type, m);
    }
  }

  onStarted(m) {
    const r = this.run;
    r.live = true;
    r.iters = m.iters;
    r.settings = m.settings;
    r.plan = m.plan;
    r.engine = m.engine;
    // Only a run on auto's engine measures the speed the estimates are for.
    const profile = engineLabel(m.engine) === engineLabel(this.autoEngine) ? this.profile : null;
    r.eta = new Eta(m.plan, profile);
    r.layers = Array.from(m.layers);
    r.seen = m.exemplar;
    r.weights = m.weights;
    r.lastAt = performance.now();
    const setup = (r.lastAt - r.startedAt) / 1000;
    if (profile) profile.recordStart(r.plan.levels[0].macs, setup);
    this.setState('running');
    this.emit('started', {run: r});
  }

  onFrame(f) {
    const r = this.run;
    const at = performance.now();
    const level = r.eta.frame(f, (at - r.lastAt) / 1000);
    r.lastAt = at;
    if (level !== r.level) {
      r.eta.finishLevel(r.level);
      this.emit('level', {from: r.plan.levels[r.level], to: r.plan.levels[level], iter: f.iter - 1});
      r.level = level;
    }
    r.iter = f.iter;
    r.iters = f.iters;
    r.loss = f.loss;
    r.memory = f.memory;
    this.result = {image: new ImageData(f.pixels, f.width, f.height), width: f.width, height: f.height,
      iter: f.iter, iters: f.iters, loss: f.loss, run: r, done: f.done};
    this.emit('frame', {frame: f, eta: f.done ? 0 : r.eta.remaining(f.iter), level});
  }

  onError(m) {
    const r = this.run;
    const what = m.kind === 'input' ? '' : 'internal error: ';
    const message = plain(m.message);
    if (m.during === 'weights' || m.during === 'presets') {
      // said by whoever asked (the page's weights panel; the presets menu keeps the plain ones)
    } else if (m.during === 'start') {
      this.notice(`Cannot start with these settings: ${what}${message}.`, 'error', 'run');
      this.run = this.before;
      this.setState(this.run ? 'stopped' : 'ready');
    } else if (m.during === 'more') {
      this.notice(`Cannot continue: ${message}.`, 'error', 'run');
    } else if (r && this.busy) {
      this.notice(`The run stopped at iteration ${r.iter}: ${what}${message}. The last frame stays.`, 'error', 'run');
      this.held = false;
      this.setState('stopped');
    } else {
      this.notice(`${what}${message}.`, 'error', 'run');
    }
    this.emit('error', {message, kind: m.kind, during: m.during});
  }

  onFatal(message, again) {
    this.cancelBench();
    const was = this.run;
    if (this.busy) this.setState('stopped');
    this.held = false;
    const hint = again ? 'The engine is restarting; the last result stays here. A smaller size or fewer layers needs less memory.'
      : 'It failed repeatedly: reload the page.';
    this.notice(`${plain(message)}. ${hint}`, 'error', 'run');
    this.setState(again ? 'loading' : 'broken');
    this.emit('fatal', {message, again, run: was});
  }

  // ---- measuring this machine (calibrate.js) ----

  // calibrate runs `steps` iterations with settings given as text off screen: {levels: [{macs,
  // secondsPerEval}], setup}, or null when something else needed the engine first.
  calibrate(text, steps = 4) { return calibrate(this, text, steps); }

  cancelBench() {
    if (this.bench) this.bench.end(null);
  }
}
