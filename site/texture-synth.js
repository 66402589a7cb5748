// <texture-synth>: the synthesis as one HTML element, for course pages and the like
// (docs/embedding.md is the author's guide). Each element has its own run controller and Web
// Worker (controller.js → engine.js → worker.js → texsynth.wasm), so several on one page work
// independently, and ends it when the element leaves the page. Pictures are read and decoded in
// the browser; nothing is sent anywhere.
//
//   <script type="module" src="texsynth/texture-synth.js"></script>
//   <texture-synth size="48" iterations="30" sample="pebbles" controls></texture-synth>

import {PICTURE_TYPES, RunController, fetchPicture, plain} from './controller.js';
import {fmt} from './chart.js';
import {SAMPLES} from './samples.js';
import {ATTRIBUTES, fromAttributes, messageFor, ordered, summary} from './settings.js';
import {MARKUP, SHEET} from './texture-synth-style.js';
import {engineLabel} from './engine-label.js';

// The attributes besides the settings (settings.js ATTRIBUTES): where the exemplar comes from,
// and how the element behaves.
export const OPTION_ATTRIBUTES = ['exemplar', 'sample', 'controls', 'autostart'];
export {ATTRIBUTES as SETTING_ATTRIBUTES};
const DEFAULT_SAMPLE = 'bricks';

export class TextureSynth extends HTMLElement {
  static get observedAttributes() { return [...ATTRIBUTES, ...OPTION_ATTRIBUTES]; }

  constructor() {
    super();
    const root = this.attachShadow({mode: 'open'});
    root.adoptedStyleSheets = [SHEET];
    root.innerHTML = MARKUP;
    const q = (s) => root.querySelector(s);
    this.ui = {exemplar: q('.exemplar'), exemplarCaption: q('.exemplar-caption'), drop: q('.drop'), output: q('.output'),
      empty: q('.empty'), progress: q('progress'), start: q('.start'), pause: q('.pause'), stop: q('.stop'), file: q('.file'),
      fileInput: q('.file input'), status: q('.status'), info: q('.info'), notices: q('.notices'), announce: q('.announce')};
    this.c = null;
    this.state = 'idle';     // loading, ready, running, paused, done, stopped, error (for scripts and tests)
    this.problems = {};      // the attributes the core refused: {setting: message}
    this.checked = false;    // the attributes have been read by the core
    this.wantStart = false;  // start() was called before the engine, the exemplar or the check
    this.hasResult = false;
    this.lastFrame = null;   // {iter, iters, loss} of the frame on the canvas
    this.engineInUse = '';   // the run's engine, named (engine-label.js)
    this.visibility = null;  // the IntersectionObserver of autostart
    this.exemplarId = 0;
    this.wire();
  }

  get engine() { return this.c && this.c.engine; }
  get controls() { return this.hasAttribute('controls'); }

  // ---- the element's life ----

  connectedCallback() {
    if (this.c) return; // moved within the page: the run goes on
    this.c = new RunController(new URL('./worker.js', import.meta.url));
    this.listen(this.c);
    this.setState('loading', 'Loading the synthesis engine…');
    this.loadExemplar();
    this.watchAutostart();
    this.showButtons();
  }

  // disconnectedCallback ends the worker once the element is really gone: a move within the
  // page (disconnect then connect in one task) keeps it.
  disconnectedCallback() {
    queueMicrotask(() => {
      if (this.isConnected || !this.c) return;
      this.c.close();
      this.c = null;
      this.wantStart = false;
      if (this.visibility) this.visibility.disconnect();
      this.visibility = null;
      this.state = 'idle';
    });
  }

  attributeChangedCallback(name, before, after) {
    if (!this.c || before === after) return; // connectedCallback reads them all
    if (name === 'autostart') this.watchAutostart();
    else if (name === 'exemplar' || name === 'sample') this.loadExemplar();
    else if (ATTRIBUTES.includes(name)) this.check(); // they apply at the next start, as on the page
    this.showButtons();
  }

  // ---- public methods ----

  // start begins a run with the attributes' settings (a running one starts over); called before
  // the engine is loaded, it starts as soon as it is.
  start() {
    if (!this.c) return;
    this.clearNotices('run');
    this.wantStart = true;
    this.startWhenReady();
  }

  // stop ends the run when the current iteration ends; the last frame stays.
  stop() {
    this.wantStart = false;
    if (this.c && this.c.busy) {
      this.c.stop();
      this.setState(this.state, 'Stopping when this iteration ends…');
    }
    this.showButtons();
  }

  pause() { if (this.c) this.c.pause(); }
  resume() { if (this.c) this.c.resume(); }

  // snapshot is the output as a PNG data URL, or null before the first frame.
  snapshot() { return this.hasResult ? this.ui.output.toDataURL('image/png') : null; }

  // useImage takes an exemplar as pixels: an ImageData or {width, height, data} of RGBA bytes.
  useImage(img, name) {
    if (this.c) this.c.usePixels(img, name);
  }

  // usePicture takes an exemplar as an image file's bytes (an ArrayBuffer or a Blob), decoded as
  // the command line decodes it.
  async usePicture(data, name = 'the picture') {
    if (!this.c) return;
    const buffer = data instanceof Blob ? await data.arrayBuffer() : data;
    this.c.decodeBytes(buffer, name);
  }

  // ---- the exemplar ----

  // loadExemplar shows the drawn sample, or fetches the exemplar attribute's picture from this
  // site (only this site, no redirect elsewhere, at most 64 MB) and has the core decode it.
  async loadExemplar() {
    const id = ++this.exemplarId;
    this.clearNotices('exemplar');
    const url = (this.getAttribute('exemplar') || '').trim();
    const name = (this.getAttribute('sample') || '').trim();
    if (!url) {
      if (name && !SAMPLES.includes(name)) this.notice(`sample="${name}" is not one of the drawn samples; use ${SAMPLES.join(', ')} (or exemplar="picture.png" for a picture of yours).`, 'error', 'exemplar');
      this.c.useSample(SAMPLES.includes(name) ? name : DEFAULT_SAMPLE);
      return;
    }
    const where = this.c.sameOrigin(url);
    if (!where) {
      return this.exemplarProblem(`exemplar="${url}": only a picture on this site can be used (e.g. exemplar="images/brick.png"); pictures are never fetched from elsewhere.`);
    }
    const file = decodeURIComponent(where.pathname.split('/').pop() || url);
    this.ui.exemplarCaption.textContent = `loading ${file}…`;
    try {
      const buffer = await fetchPicture(where);
      if (id !== this.exemplarId || !this.c) return;
      await this.c.decodeBytes(buffer, file);
    } catch (e) {
      if (id === this.exemplarId) this.exemplarProblem(`exemplar="${url}" cannot be loaded: ${plain(e.message)}. Give the address of ${PICTURE_TYPES} on this site, or leave exemplar out to use a drawn sample.`);
    }
  }

  exemplarProblem(message) {
    this.c.exemplar = null;
    this.ui.exemplarCaption.textContent = 'no exemplar';
    this.notice(message, 'error', 'exemplar');
    this.emit('error', {message, kind: 'input', during: 'exemplar'});
    this.showIdle();
    this.showButtons();
  }

  showExemplar(ex) {
    const cv = this.ui.exemplar;
    cv.width = ex.width;
    cv.height = ex.height;
    cv.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(ex.rgba), ex.width, ex.height), 0, 0);
    cv.setAttribute('aria-label', `the exemplar: ${ex.name}`);
    this.ui.exemplarCaption.textContent = `exemplar: ${ex.name}`;
  }

  // ---- settings from the attributes ----

  // check has the core read the setting attributes; each one it refuses is a notice that says
  // what would work, and the element will not start until it is fixed.
  async check() {
    if (!this.c || !this.c.ready) return;
    const text = fromAttributes(this);
    let d;
    try { d = await this.c.describe(text); } catch (e) { return; }
    this.problems = d.errors;
    this.checked = true;
    this.clearNotices('attributes');
    const messages = ordered(d.errors).map(([n, m]) => messageFor(n, m, 'attribute'));
    for (const m of messages) this.notice(m, 'error', 'attributes');
    if (messages.length) this.emit('error', {message: messages.join(' '), kind: 'input', during: 'attributes'});
    this.ui.info.textContent = d.plan ? summary(d.settings, d.plan.layers) : '';
    if (!this.hasResult && !this.c.busy) this.sizeOutput(d.settings.size);
    this.showIdle();
    this.startWhenReady();
    this.showButtons();
  }

  // ---- the run ----

  startWhenReady() {
    if (!this.wantStart || !this.c) return;
    if (Object.keys(this.problems).length) {
      this.wantStart = false;
      return this.setState('error', 'Not started: an attribute needs fixing (see below).');
    }
    if (!this.c.ready || !this.c.exemplar || !this.checked || this.c.decoding) {
      return this.setState(this.state, this.c.ready ? 'Starts once the exemplar is loaded…' : 'Starts once the synthesis engine is loaded…');
    }
    this.wantStart = false;
    if (this.c.start(fromAttributes(this))) {
      this.ui.progress.hidden = false;
      this.ui.progress.removeAttribute('value'); // indeterminate until the first frame
    }
  }

  listen(c) {
    const on = (type, f) => c.addEventListener(type, (e) => { if (this.c === c) f(e.detail); });
    on('ready', () => {
      this.showIdle();
      this.emit('ready', {});
      this.check();
    });
    on('exemplar', (d) => {
      this.showExemplar(d.exemplar);
      this.showIdle();
      this.startWhenReady();
      this.showButtons();
    });
    on('decoding', (d) => { if (d) this.ui.exemplarCaption.textContent = `reading ${d.name}…`; });
    on('notice', (d) => this.notice(d.text, d.kind, d.group));
    on('refused', (d) => {
      for (const [n, m] of ordered(d.errors)) this.notice(messageFor(n, m, 'attribute'), 'error', 'run');
      this.setState('error', 'Not started: see the message below.');
    });
    on('starting', () => {
      this.setState('running', 'Starting: computing the exemplar\'s features…');
      this.say('Run started.');
      this.showButtons();
    });
    on('started', (d) => {
      const r = d.run;
      this.setState('running', `Running: iteration 1 of ${r.iters}…`);
      this.showEngine(r);
      this.emit('started', {iters: r.iters, size: r.settings.size, layers: r.layers, settings: r.settings, engine: this.engineInUse});
    });
    on('engine', (d) => {
      this.showEngine(d.run);
      this.emit('engine', {engine: this.engineInUse});
    });
    on('frame', (d) => this.onFrame(d.frame));
    on('paused', (d) => this.setState('paused', `Paused after iteration ${d.run.iter} of ${d.run.iters}.`));
    on('resumed', (d) => this.setState('running', `Running: iteration ${d.run.iter + 1} of ${d.run.iters}…`));
    on('done', (d) => this.ended('done', `Done: ${d.run.iters} iterations in ${d.seconds.toFixed(0)} s, final loss ${fmt(d.run.loss)}.`, d.run));
    on('stopped', (d) => this.ended('stopped', `Stopped after iteration ${d.run.iter} of ${d.run.iters}.`, d.run));
    on('error', (d) => {
      if (['run', 'start', 'more'].includes(d.during)) {
        this.ui.progress.hidden = true;
        this.setState('error', d.during === 'start' ? 'Not started: see the message below.' : 'Stopped: see the message below. The last frame stays.');
      }
      if (d.during === 'decode' && !c.exemplar) this.ui.exemplarCaption.textContent = 'no exemplar';
      this.emit('error', d);
      this.showIdle();
    });
    on('fatal', (d) => {
      this.ui.progress.hidden = true;
      this.setState(d.again ? 'loading' : 'error', d.again ? 'Restarting the synthesis engine…' : 'The synthesis engine is not available.');
      this.emit('error', {message: d.message, kind: 'fatal', during: 'run'});
    });
    on('state', () => this.showButtons());
  }

  onFrame(f) {
    const cv = this.ui.output;
    if (cv.width !== f.width || cv.height !== f.height) {
      cv.width = f.width;
      cv.height = f.height;
    }
    cv.getContext('2d').putImageData(new ImageData(f.pixels, f.width, f.height), 0, 0);
    cv.setAttribute('aria-label', `the synthesised texture, ${f.width} by ${f.height} pixels, iteration ${f.iter} of ${f.iters}`);
    this.hasResult = true;
    this.lastFrame = {iter: f.iter, iters: f.iters, loss: f.loss};
    this.ui.empty.hidden = true;
    this.ui.progress.value = f.iter / f.iters;
    const r = this.c.run;
    if (this.c.state === 'running' && !r.pausing && !r.stopping) {
      this.setState('running', `Iteration ${f.iter} / ${f.iters} · loss ${fmt(f.loss)} · ${f.seconds.toFixed(1)} s per iteration`);
    }
    this.emit('frame', {iter: f.iter, iters: f.iters, loss: f.loss, seconds: f.seconds});
  }

  ended(state, text, run) {
    this.ui.progress.hidden = true;
    this.setState(state, text);
    this.say(text);
    this.showButtons();
    this.emit(state, {iter: run.iter, iters: run.iters, loss: run.loss, seconds: (performance.now() - run.startedAt) / 1000});
  }

  // showIdle says what the element waits for when no run is on and none has ended.
  showIdle() {
    if (!this.c || this.c.busy || !['idle', 'loading', 'ready', 'error'].includes(this.state)) return;
    const failed = [...this.ui.notices.children].some((li) => li.dataset.group === 'exemplar' && li.className === 'error');
    if (!this.c.ready) this.setState('loading', 'Loading the synthesis engine…');
    else if (Object.keys(this.problems).length) this.setState('error', 'Not ready: an attribute needs fixing (see below).');
    else if (!this.c.exemplar) this.setState(failed ? 'error' : 'loading', failed ? 'No exemplar: see the message below.' : 'Loading the exemplar…');
    else if (this.checked) this.setState('ready', this.hasAttribute('autostart') ? 'Ready: starts when in view.' : 'Ready: press Start.');
  }

  // ---- what is shown ----

  // showEngine names the run's engine after its settings (engine-label.js).
  showEngine(run) {
    this.engineInUse = engineLabel(run.engine);
    this.ui.info.textContent = `${summary(run.settings, run.layers)} Engine: ${this.engineInUse}.`;
  }

  setState(state, text) {
    this.state = state;
    this.ui.status.textContent = text;
  }

  say(text) { this.ui.announce.textContent = text; }

  sizeOutput(size) { this.ui.output.width = this.ui.output.height = size; }

  // showButtons: with `controls`, Start/Restart, Pause/Resume, Stop and a file picker; without,
  // one button that starts and stops.
  showButtons() {
    const u = this.ui;
    const c = this.c;
    const ready = !!(c && c.ready && c.exemplar && this.checked && !Object.keys(this.problems).length && !c.decoding);
    const busy = !!(c && c.busy);
    u.pause.hidden = u.stop.hidden = u.file.hidden = !this.controls;
    if (this.controls) {
      u.start.textContent = busy ? 'Restart' : 'Start';
      u.start.disabled = !ready;
      u.pause.textContent = c && c.state === 'paused' ? 'Resume' : 'Pause';
      u.pause.disabled = u.stop.disabled = !busy || c.run.stopping;
    } else {
      u.start.textContent = busy ? 'Stop' : this.hasResult ? 'Start again' : 'Start';
      u.start.disabled = busy ? c.run.stopping : !ready;
    }
  }

  notice(text, kind, group) {
    const li = document.createElement('li');
    li.className = kind;
    li.dataset.group = group;
    li.setAttribute('role', kind === 'error' ? 'alert' : 'note');
    li.textContent = text;
    this.ui.notices.append(li);
  }

  clearNotices(group) {
    for (const li of [...this.ui.notices.children]) if (li.dataset.group === group) li.remove();
  }

  // emit dispatches texsynth-<name>; it bubbles out of the shadow root to the page.
  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(`texsynth-${name}`, {detail, bubbles: true, composed: true}));
  }

  // ---- wiring ----

  wire() {
    const u = this.ui;
    u.start.addEventListener('click', () => (this.c && this.c.busy && !this.controls ? this.stop() : this.start()));
    u.pause.addEventListener('click', () => (this.c && this.c.state === 'paused' ? this.resume() : this.pause()));
    u.stop.addEventListener('click', () => this.stop());
    u.fileInput.addEventListener('change', () => {
      this.readFile(u.fileInput.files[0]);
      u.fileInput.value = '';
    });
    u.drop.addEventListener('dragover', (e) => {
      if (!this.controls) return;
      e.preventDefault();
      u.drop.classList.add('over');
    });
    u.drop.addEventListener('dragleave', () => u.drop.classList.remove('over'));
    u.drop.addEventListener('drop', (e) => {
      u.drop.classList.remove('over');
      if (!this.controls) return;
      e.preventDefault();
      this.readFile(e.dataTransfer.files[0]);
    });
  }

  // readFile takes a picture of the reader's (controls): it goes to this element's worker only.
  readFile(file) {
    if (!file || !this.c) return;
    this.exemplarId++;
    this.clearNotices('exemplar');
    this.c.readFile(file);
  }

  // watchAutostart: with `autostart`, the run starts the first time the element is on screen,
  // so a long page does not start every synthesiser at once when it opens.
  watchAutostart() {
    if (this.visibility) this.visibility.disconnect();
    this.visibility = null;
    if (!this.hasAttribute('autostart')) return;
    this.visibility = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      this.visibility.disconnect();
      this.visibility = null;
      if (!this.c || !this.c.busy) this.start();
    });
    this.visibility.observe(this);
  }
}

if (!customElements.get('texture-synth')) customElements.define('texture-synth', TextureSynth);
