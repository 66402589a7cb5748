// The page's side of the worker (worker.js): one Worker running texsynth.wasm, replaced by a
// fresh one when it dies (out of memory, a crash), so the page always gets a working engine back.

export class Engine {
  // on: {ready(weights), message(msg), fatal(message)}
  constructor(on, url = 'worker.js') {
    this.on = on;
    this.url = url;
    this.worker = null;
    this.isReady = false;
    this.restarts = 0;
    this.userWeights = null; // {buffer, name}: re-sent to a replacement worker
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
        this.on.ready(m.weights, m.kernel, m.kept);
        return;
      }
      if (m.type === 'error' && m.kind === 'fatal') {
        this.die(m.message);
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
    this.isReady = false;
    this.restarts++;
    const again = this.restarts <= 3;
    this.on.fatal(message, again);
    if (again) this.spawn();
  }

  post(msg, transfer) {
    this.worker.postMessage(msg, transfer || []);
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

  useBuiltinWeights(seed = 0) {
    this.userWeights = null;
    this.post({type: 'weights', builtin: true, seed});
  }

  // start copies the exemplar's pixels (the page keeps showing and reusing them).
  start(exemplar, settings) {
    const rgba = new Uint8ClampedArray(exemplar.rgba);
    this.post({type: 'start', rgba, width: exemplar.width, height: exemplar.height, settings}, [rgba.buffer]);
  }

  // close ends the worker for good, with no replacement: whoever used it is gone (a
  // <texture-synth> element removed from its page).
  close() {
    this.worker.terminate();
    this.isReady = false;
  }

  pause() { this.post({type: 'pause'}); }
  resume() { this.post({type: 'resume'}); }
  stop() { this.post({type: 'stop'}); }
  crash() { this.post({type: 'crash'}); }
}
