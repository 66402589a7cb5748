// The page's side of the worker (worker.js): one Worker running texsynth.wasm, replaced by a
// fresh one when it dies (out of memory, a crash), so the page always gets a working engine back.

export class Engine {
  // on: {ready(msg), message(msg), fatal(message, again)}
  constructor(on, url = 'worker.js') {
    this.on = on;
    this.url = withThreads(url);
    this.worker = null;
    this.isReady = false;
    this.restarts = 0;
    this.userWeights = null; // {buffer, name}: re-sent to a replacement worker
    this.untrained = null;   // {seed}: the untrained VGG-16 chosen instead of the default, re-chosen likewise
    this.asked = new Map();  // id → {resolve, reject} of the questions (ask) not yet answered
    this.lastId = 0;
    this.spawn();
  }

  spawn() {
    this.isReady = false;
    const w = new Worker(this.url);
    this.worker = w;
    w.onmessage = (e) => {
      if (w !== this.worker) return;
      const m = e.data;
      if (m.type === 'ready') {
        this.isReady = true;
        this.restarts = 0;
        if (this.userWeights) this.loadWeights(this.userWeights.buffer, this.userWeights.name);
        else if (this.untrained && !m.weights.builtin) this.useBuiltinWeights(this.untrained.seed);
        this.on.ready(m);
        return;
      }
      if (m.type === 'error' && m.kind === 'fatal') {
        this.die(m.message);
        return;
      }
      const q = m.id !== undefined && this.asked.get(m.id);
      if (q) {
        this.asked.delete(m.id);
        if (m.type === 'error') q.reject(Object.assign(new Error(m.message), {kind: m.kind}));
        else q.resolve(m);
        return;
      }
      this.on.message(m);
    };
    w.onerror = (e) => {
      if (w !== this.worker) return;
      e.preventDefault();
      this.die('the synthesis engine failed: ' + (e.message || 'unknown error'));
    };
    w.onmessageerror = () => {
      if (w === this.worker) this.die('the synthesis engine sent a message that could not be read');
    };
  }

  // die ends the worker and starts another, unless three in a row died before being ready.
  die(message) {
    this.worker.terminate();
    for (const q of this.asked.values()) q.reject(new Error(message));
    this.asked.clear();
    this.isReady = false;
    this.restarts++;
    const again = this.restarts <= 3;
    this.on.fatal(message, again);
    if (again) this.spawn();
  }

  post(msg, transfer) {
    this.worker.postMessage(msg, transfer || []);
  }

  // ask posts a message and resolves with the worker's answer to it (rejects with its error).
  ask(msg, transfer) {
    const id = `q${++this.lastId}`;
    return new Promise((resolve, reject) => {
      this.asked.set(id, {resolve, reject});
      this.post({...msg, id}, transfer);
    });
  }

  // describe has the core read settings given as text (one object, or a list of them):
  // {settings, errors, plan} each (wasm/describe.go).
  describe(settings, exemplarSide = 0) {
    return this.ask({type: 'describe', settings, exemplarSide});
  }

  decode(buffer, name) {
    this.post({type: 'decode', buffer, name}, [buffer]);
  }

  // loadWeights keeps buffer (a copy goes to the worker), so a replacement worker gets it too.
  loadWeights(buffer, name) {
    this.userWeights = {buffer, name};
    const copy = buffer.slice(0);
    this.post({type: 'weights', buffer: copy, name}, [copy]);
  }

  // useBuiltinWeights selects the untrained VGG-16 of a seed.
  useBuiltinWeights(seed = 0) {
    this.userWeights = null;
    this.untrained = {seed};
    this.post({type: 'weights', builtin: true, seed});
  }

  // usePretrainedWeights goes back to the default, the site's pretrained VGG-19.
  usePretrainedWeights() {
    this.userWeights = null;
    this.untrained = null;
    this.post({type: 'weights', pretrained: true});
  }

  // start copies the exemplar's pixels (the page keeps showing and reusing them); run is the
  // id the worker puts on every message about this run; more: {text, maxMemory} to have the core
  // read the settings as text first (worker.js).
  start(exemplar, settings, run, more = {}) {
    const rgba = new Uint8ClampedArray(exemplar.rgba);
    this.post({type: 'start', rgba, width: exemplar.width, height: exemplar.height, settings, run, ...more}, [rgba.buffer]);
  }

  // close ends the worker for good, with no replacement: whoever used it is gone (a
  // <texture-synth> element removed from its page).
  close() {
    this.worker.terminate();
    this.isReady = false;
    for (const q of this.asked.values()) q.reject(new Error('closed'));
    this.asked.clear();
  }

  pause() { this.post({type: 'pause'}); }
  resume() { this.post({type: 'resume'}); }
  stop() { this.post({type: 'stop'}); }
  more(iters) { this.post({type: 'more', iters}); }
  release() { this.post({type: 'release'}); }
  crash() { this.post({type: 'crash'}); }
}

// withThreads passes the page's ?threads=N on to the worker's address: the worker sizes its pool
// by it (wasm/pool.js).
function withThreads(url) {
  const threads = new URL(location.href).searchParams.get('threads');
  if (!/^[1-8]$/.test(threads || '')) return url;
  const u = new URL(url, location.href);
  u.searchParams.set('threads', threads);
  return u.href;
}
