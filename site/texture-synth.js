// <texture-synth>: the synthesis as one HTML element, for course pages and the like
// (docs/embedding.md is the author's guide). Each element runs its own Web Worker
// (engine.js → worker.js → texsynth.wasm), so several on one page work independently, and ends
// it when the element leaves the page. Pictures are read and decoded in the browser; nothing is
// sent anywhere.
//
//   <script type="module" src="texsynth/texture-synth.js"></script>
//   <texture-synth size="48" iterations="30" sample="pebbles" controls></texture-synth>

import {Engine} from './engine.js';
import {fmt} from './chart.js';
import {SAMPLES, drawSample} from './samples.js';
import {FIELDS, coreSettings, defaults} from './settings.js';

// The settings an author can set, by attribute name → settings.js field. Everything else is
// the page's default (settings.js defaults(): the command line's, at 64 px).
export const SETTING_ATTRIBUTES = {
  size: 'size', iterations: 'iters', loss: 'loss', layers: 'layers', 'layer-weights': 'layerWeights',
  pad: 'pad', optimizer: 'optimizer', seed: 'seed',
};
// The other attributes: where the exemplar comes from, and how the element behaves.
export const OPTION_ATTRIBUTES = ['exemplar', 'sample', 'controls', 'autostart'];

const DEFAULT_SAMPLE = 'bricks';
const LOSS_NAMES = {sw: 'sliced Wasserstein', gram: 'Gram matrices', emd: 'EMD per channel', 'emd-seed': 'EMD as the seed wrote it'};
const PICTURE_TYPES = 'a PNG, JPEG, GIF, WebP, BMP or TIFF picture';
const MAX_FILE = 64 << 20; // as the page: larger files are refused before reading

// The element's styles, one constructable sheet shared by every instance: a strict
// Content-Security-Policy (style-src 'self') blocks <style> elements, even in a shadow root,
// but not adopted sheets.
const SHEET = new CSSStyleSheet();
SHEET.replaceSync(`
:host { display: block; container-type: inline-size; font: inherit; color: inherit;
  --texsynth-accent: #2563eb; --texsynth-line: rgba(127, 127, 127, 0.35); }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.pictures { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5em; }
@container (max-width: 16rem) { .pictures { grid-template-columns: 1fr; } }
figure { margin: 0; min-width: 0; position: relative; }
canvas { display: block; width: 100%; height: auto; aspect-ratio: 1; object-fit: cover;
  image-rendering: pixelated; border-radius: 4px; border: 1px solid var(--texsynth-line);
  background: repeating-conic-gradient(rgba(127, 127, 127, 0.18) 0 25%, transparent 0 50%) 0 0 / 16px 16px; }
figcaption { font-size: 0.8em; opacity: 0.75; margin-top: 0.2em; }
.empty { position: absolute; inset: 0 0 1.4em 0; display: flex; align-items: center; justify-content: center;
  text-align: center; padding: 0.5em; font-size: 0.85em; opacity: 0.7; pointer-events: none; }
.drop.over canvas { outline: 3px dashed var(--texsynth-accent); outline-offset: -3px; }
progress { display: block; width: 100%; height: 0.4em; margin: 0.4em 0 0.2em; accent-color: var(--texsynth-accent); }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4em; margin-top: 0.3em; }
.status { flex: 1 1 12em; font-size: 0.9em; min-height: 1.3em; font-variant-numeric: tabular-nums; }
.info { font-size: 0.8em; opacity: 0.75; margin: 0.2em 0 0; }
button, .file { font: inherit; font-size: 0.9em; padding: 0.25em 0.8em; border-radius: 4px; cursor: pointer;
  border: 1px solid var(--texsynth-line); background: transparent; color: inherit; }
button.primary { background: var(--texsynth-accent); border-color: var(--texsynth-accent); color: #fff; }
button:disabled { opacity: 0.45; cursor: default; }
.file input { position: absolute; width: 1px; height: 1px; opacity: 0; overflow: hidden; }
.file:focus-within { outline: 2px solid var(--texsynth-accent); }
.notices { list-style: none; margin: 0.4em 0 0; padding: 0; }
.notices li { font-size: 0.85em; padding: 0.35em 0.6em; margin-top: 0.25em; border-radius: 4px;
  border-left: 4px solid #d97706; background: rgba(217, 119, 6, 0.1); }
.notices li.error { border-left-color: #dc2626; background: rgba(220, 38, 38, 0.1); }
`);

const MARKUP = `
<div class="pictures">
  <figure class="drop" part="exemplar-box">
    <canvas class="exemplar" part="exemplar" width="64" height="64"></canvas>
    <figcaption class="exemplar-caption">exemplar</figcaption>
  </figure>
  <figure part="output-box">
    <canvas class="output" part="output" width="64" height="64"></canvas>
    <div class="empty">The new texture grows here.</div>
    <figcaption>synthesised</figcaption>
  </figure>
</div>
<progress part="progress" max="1" value="0" hidden></progress>
<div class="bar">
  <button type="button" class="start primary" part="button start">Start</button>
  <button type="button" class="pause" part="button pause">Pause</button>
  <button type="button" class="stop" part="button stop">Stop</button>
  <label class="file" part="button file">Your picture…<input type="file" accept="image/*,.png,.jpg,.jpeg,.gif,.webp,.bmp,.tif,.tiff"></label>
  <span class="status" part="status" role="status" aria-live="polite"></span>
</div>
<p class="info" part="info"></p>
<ul class="notices" part="notices" aria-live="polite"></ul>
`;

export class TextureSynth extends HTMLElement {
  static get observedAttributes() {
    return [...Object.keys(SETTING_ATTRIBUTES), ...OPTION_ATTRIBUTES];
  }

  constructor() {
    super();
    const root = this.attachShadow({mode: 'open'});
    root.adoptedStyleSheets = [SHEET];
    root.innerHTML = MARKUP;
    const q = (s) => root.querySelector(s);
    this.ui = {
      exemplar: q('.exemplar'), exemplarCaption: q('.exemplar-caption'), drop: q('.drop'),
      output: q('.output'), empty: q('.empty'), progress: q('progress'), start: q('.start'),
      pause: q('.pause'), stop: q('.stop'), file: q('.file'), fileInput: q('.file input'),
      status: q('.status'), info: q('.info'), notices: q('.notices'),
    };
    this.engine = null;
    this.state = 'idle';      // loading, ready, running, paused, done, stopped, error (for scripts and tests)
    this.exemplar = null;     // {rgba, width, height, name}
    this.exemplarId = 0;      // the latest exemplar request; older answers are dropped
    this.engineLost = false;  // the worker died: ask for the exemplar again once a new one is ready
    this.wantStart = false;   // start() was called before the engine or the exemplar was ready
    this.run = null;          // {settings, started, iter, iters, loss, live, stopping, pausing, paused}
    this.hasResult = false;   // the output canvas shows a frame
    this.lastFrame = null;    // {iter, iters, loss} of the frame on the canvas
    this.visibility = null;   // the IntersectionObserver of autostart
    this.settings = defaults();
    this.problems = [];       // what is wrong with the attributes, as notices say it
    this.wire();
  }

  // ---- the element's life ----

  connectedCallback() {
    if (this.engine) return; // moved within the page: the run goes on
    this.engine = new Engine(
      {ready: (w) => this.onReady(w), message: (m) => this.onMessage(m), fatal: (msg, again) => this.onFatal(msg, again)},
      new URL('./worker.js', import.meta.url),
    );
    this.engineLost = false;
    this.state = 'loading';
    this.readSettings();
    this.loadExemplar();
    this.watchAutostart();
    this.showButtons();
  }

  // disconnectedCallback ends the worker once the element is really gone: a move within the
  // page (disconnect then connect in one task) keeps it.
  disconnectedCallback() {
    queueMicrotask(() => {
      if (this.isConnected || !this.engine) return;
      this.engine.close();
      this.engine = null;
      this.run = null;
      this.wantStart = false;
      if (this.visibility) this.visibility.disconnect();
      this.visibility = null;
      this.state = 'idle';
    });
  }

  attributeChangedCallback(name, before, after) {
    if (!this.engine || before === after) return; // connectedCallback reads them all
    if (name === 'autostart') this.watchAutostart();
    else this.readSettings(); // they apply at the next start, as on the page
    if (name === 'exemplar' || name === 'sample') this.loadExemplar();
    this.showButtons();
  }

  // ---- public methods ----

  // start begins a run with the attributes' settings (a running one starts over); called before
  // the engine is loaded, it starts as soon as it is.
  start() {
    if (!this.engine) return;
    this.clearNotices('run');
    this.wantStart = true;
    this.startWhenReady();
  }

  // stop ends the run when the current iteration ends; the last frame stays.
  stop() {
    this.wantStart = false;
    if (!this.engine || !this.run || this.run.stopping) {
      this.showButtons();
      return;
    }
    this.run.stopping = true;
    this.setState(this.state, 'Stopping when this iteration ends…');
    this.engine.stop();
    this.showButtons();
  }

  pause() {
    if (!this.run || this.run.paused || this.run.stopping) return;
    this.run.pausing = true;
    this.engine.pause();
    this.setState(this.state, 'Pausing when this iteration ends…');
  }

  resume() {
    if (this.run && this.run.paused) this.engine.resume();
  }

  // snapshot is the output as a PNG data URL, or null before the first frame.
  snapshot() {
    return this.hasResult ? this.ui.output.toDataURL('image/png') : null;
  }

  // ---- settings from the attributes ----

  // readSettings reads the attributes into settings; each value it does not understand is a
  // notice that says what would work, and the element will not start until it is fixed.
  readSettings() {
    const s = defaults();
    const problems = [];
    for (const [attr, field] of Object.entries(SETTING_ATTRIBUTES)) {
      const text = this.getAttribute(attr);
      if (text === null) continue;
      const v = FIELDS[field].read(text.trim());
      if (v === null) problems.push(`${attr}="${text}" is not understood; use ${FIELDS[field].accepts}.`);
      else s[field] = v;
    }
    const sample = this.getAttribute('sample');
    if (sample !== null && !this.hasAttribute('exemplar') && !SAMPLES.includes(sample.trim())) {
      problems.push(`sample="${sample}" is not one of the drawn samples; use ${SAMPLES.join(', ')} (or exemplar="picture.png" for a picture of yours).`);
    }
    this.settings = s;
    this.problems = problems;
    this.clearNotices('attributes');
    for (const p of problems) this.notice(p, 'error', 'attributes');
    if (problems.length) this.emit('error', {message: problems.join(' '), kind: 'input', during: 'attributes'});
    const layers = s.layers.length <= 3 ? s.layers.join(', ') : `${s.layers.length} layers (${s.layers[0]} … ${s.layers[s.layers.length - 1]})`;
    this.ui.info.textContent = `${LOSS_NAMES[s.loss]} on ${layers}; ${s.size} px, ${s.iters} iterations, seed ${s.seed}.`;
    if (!this.run && !this.hasResult) this.sizeOutput(s.size);
    this.showIdle();
  }

  // ---- the exemplar ----

  // loadExemplar shows the drawn sample, or fetches the exemplar attribute's picture from this
  // site and has the worker decode it (as the command line does).
  async loadExemplar() {
    const id = ++this.exemplarId;
    this.clearNotices('exemplar');
    const url = (this.getAttribute('exemplar') || '').trim();
    if (!url) {
      const name = (this.getAttribute('sample') || '').trim();
      const sample = SAMPLES.includes(name) ? name : DEFAULT_SAMPLE;
      this.useExemplar({...drawSample(sample, 256), name: `sample "${sample}"`});
      return;
    }
    let where;
    try { where = new URL(url, document.baseURI); } catch (e) { where = null; }
    if (!where || where.origin !== location.origin) {
      this.exemplarProblem(`exemplar="${url}": only a picture on this site can be used (e.g. exemplar="images/brick.png"); pictures are never fetched from elsewhere.`);
      return;
    }
    const name = decodeURIComponent(where.pathname.split('/').pop() || url);
    this.ui.exemplarCaption.textContent = `loading ${name}…`;
    try {
      const r = await fetch(where);
      if (!r.ok) throw new Error(`the server answered ${r.status} ${r.statusText}`.trim());
      const buffer = await r.arrayBuffer();
      if (id !== this.exemplarId || !this.engine) return;
      if (buffer.byteLength > MAX_FILE) throw new Error(`${Math.round(buffer.byteLength / 2 ** 20)} MB is too large; use a picture under 64 MB`);
      this.engine.post({type: 'decode', buffer, name, id}, [buffer]);
    } catch (e) {
      if (id === this.exemplarId) this.exemplarProblem(`exemplar="${url}" cannot be loaded: ${e.message}. Give the address of ${PICTURE_TYPES} on this site, or leave exemplar out to use a drawn sample.`);
    }
  }

  // readFile takes a picture of the user's (controls): it goes to this element's worker only.
  async readFile(file) {
    if (!file || !this.engine) return;
    const id = ++this.exemplarId;
    this.clearNotices('exemplar');
    if (file.size === 0 || file.size > MAX_FILE) {
      this.notice(`${file.name}: ${file.size ? 'the file is over 64 MB' : 'the file is empty'}; choose ${PICTURE_TYPES}.`, 'error', 'exemplar');
      return;
    }
    try {
      const buffer = await file.arrayBuffer();
      if (id === this.exemplarId && this.engine) this.engine.post({type: 'decode', buffer, name: file.name, id}, [buffer]);
    } catch (e) {
      this.notice(`${file.name}: cannot read the file (${e.message}).`, 'error', 'exemplar');
    }
  }

  exemplarProblem(message) {
    this.exemplar = null;
    this.ui.exemplarCaption.textContent = 'no exemplar';
    this.notice(message, 'error', 'exemplar');
    this.emit('error', {message, kind: 'input', during: 'exemplar'});
    this.showIdle();
    this.showButtons();
  }

  useExemplar(ex) {
    this.exemplar = ex;
    const c = this.ui.exemplar;
    c.width = ex.width;
    c.height = ex.height;
    c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(ex.rgba), ex.width, ex.height), 0, 0);
    this.ui.exemplarCaption.textContent = `exemplar: ${ex.name}`;
    this.showIdle();
    this.startWhenReady();
    this.showButtons();
  }

  // ---- the run ----

  startWhenReady() {
    if (!this.wantStart || !this.engine) return;
    if (this.problems.length) {
      this.wantStart = false;
      this.setState('error', 'Not started: an attribute needs fixing (see below).');
      return;
    }
    if (!this.engine.isReady || !this.exemplar) {
      this.setState(this.state, this.engine.isReady ? 'Starts once the exemplar is loaded…' : 'Starts once the synthesis engine is loaded…');
      return;
    }
    this.wantStart = false;
    const settings = {...this.settings, layers: this.settings.layers.slice()};
    this.run = {settings, started: performance.now(), iter: 0, iters: settings.iters, loss: NaN, live: false,
      stopping: false, pausing: false, paused: false};
    this.engine.start(this.exemplar, coreSettings(settings));
    this.ui.progress.hidden = false;
    this.ui.progress.removeAttribute('value'); // indeterminate until the first frame
    this.setState('running', 'Starting: computing the exemplar\'s features…');
    this.showButtons();
  }

  onReady() {
    if (this.engineLost && !this.exemplar) this.loadExemplar();
    this.engineLost = false;
    this.showIdle();
    this.emit('ready', {});
    this.startWhenReady();
    this.showButtons();
  }

  // showIdle says what the element waits for, when no run is on and none has ended (a finished
  // or stopped run keeps its last status).
  showIdle() {
    if (this.run || !this.engine || !['idle', 'loading', 'ready', 'error'].includes(this.state)) return;
    if (!this.engine.isReady) this.setState('loading', 'Loading the synthesis engine…');
    else if (this.problems.length) this.setState('error', 'Not ready: an attribute needs fixing (see below).');
    else if (!this.exemplar) {
      const failed = [...this.ui.notices.children].some((li) => li.dataset.group === 'exemplar');
      this.setState(failed ? 'error' : 'loading', failed ? 'No exemplar: see the message below.' : 'Loading the exemplar…');
    } else this.setState('ready', this.hasAttribute('autostart') ? 'Ready: starts when in view.' : 'Ready: press Start.');
  }

  onMessage(m) {
    // After a restart the previous run's last frame (or its end) may still arrive before the
    // new run's 'started': it belongs to no run shown here.
    const ofRun = ['frame', 'done', 'paused', 'resumed'].includes(m.type) || (m.type === 'error' && m.during === 'run');
    if (ofRun && !(this.run && this.run.live)) return;
    switch (m.type) {
      case 'exemplar':
        if (m.id !== this.exemplarId) return;
        this.useExemplar({rgba: m.rgba, width: m.width, height: m.height, name: m.name});
        for (const n of m.notices) this.notice(`${m.name}: ${n}.`, 'warn', 'exemplar');
        break;
      case 'started':
        if (!this.run) return;
        this.run.live = true;
        this.run.iters = m.iters;
        this.setState('running', `Running: iteration 1 of ${m.iters}…`);
        this.emit('started', {iters: m.iters, size: m.size, layers: Array.from(m.layers), settings: m.settings});
        break;
      case 'frame':
        this.onFrame(m);
        break;
      case 'done':
        this.endRun('done', `Done: ${m.iters} iterations in ${this.seconds().toFixed(0)} s, final loss ${fmt(this.run.loss)}.`);
        break;
      case 'paused':
        this.run.paused = true;
        this.run.pausing = false;
        this.setState('paused', `Paused after iteration ${m.iter} of ${this.run.iters}.`);
        this.showButtons();
        break;
      case 'resumed':
        this.run.paused = false;
        this.setState('running', `Running: iteration ${m.iter + 1} of ${this.run.iters}…`);
        this.showButtons();
        break;
      case 'stopped':
        if (this.run && this.run.stopping) this.endRun('stopped', `Stopped after iteration ${this.run.iter} of ${this.run.iters}.`);
        break;
      case 'error':
        this.onError(m);
        break;
    }
  }

  onFrame(f) {
    const run = this.run;
    const c = this.ui.output;
    if (c.width !== f.width || c.height !== f.height) {
      c.width = f.width;
      c.height = f.height;
    }
    c.getContext('2d').putImageData(new ImageData(f.pixels, f.width, f.height), 0, 0);
    this.hasResult = true;
    this.lastFrame = {iter: f.iter, iters: f.iters, loss: f.loss};
    this.ui.empty.hidden = true;
    run.iter = f.iter;
    run.loss = f.loss;
    this.ui.progress.value = f.iter / f.iters;
    if (!run.paused && !run.pausing && !run.stopping) {
      this.setState('running', `Iteration ${f.iter} / ${f.iters} · loss ${fmt(f.loss)} · ${f.seconds.toFixed(1)} s per iteration`);
    }
    this.emit('frame', {iter: f.iter, iters: f.iters, loss: f.loss, seconds: f.seconds});
  }

  seconds() {
    return this.run ? (performance.now() - this.run.started) / 1000 : 0;
  }

  endRun(state, text) {
    const run = this.run;
    const detail = {iter: run.iter, iters: run.iters, loss: run.loss, seconds: this.seconds()};
    this.run = null;
    this.ui.progress.hidden = true;
    this.setState(state, text);
    this.showButtons();
    this.emit(state, detail);
  }

  onError(m) {
    const what = m.kind === 'input' ? '' : 'Internal error: ';
    if (m.during === 'decode') {
      if (m.id !== this.exemplarId) return;
      this.notice(`That picture cannot be used: ${m.message}. Use ${PICTURE_TYPES}.${this.exemplar ? ' The exemplar was not changed.' : ''}`, 'error', 'exemplar');
      if (!this.exemplar) this.ui.exemplarCaption.textContent = 'no exemplar';
      this.showIdle();
    } else if (m.during === 'start') {
      this.notice(`${what}cannot start with these settings: ${m.message}.`, 'error', 'run');
      this.run = null;
      this.ui.progress.hidden = true;
      this.setState('error', 'Not started: see the message below.');
    } else {
      this.notice(`${what}${m.message}.`, 'error', 'run');
      if (this.run) {
        this.run = null;
        this.ui.progress.hidden = true;
        this.setState('error', 'Stopped: see the message below. The last frame stays.');
      }
    }
    this.showButtons();
    this.emit('error', {message: m.message, kind: m.kind, during: m.during});
  }

  // onFatal: the worker died (out of memory, a crash); the engine starts another unless three
  // died in a row.
  onFatal(message, again) {
    this.engineLost = true;
    const hint = again ? 'The engine is restarting; a smaller size or fewer layers needs less memory.' : 'It failed repeatedly: reload the page.';
    this.notice(`${message}. ${hint}`, 'error', 'run');
    this.run = null;
    this.ui.progress.hidden = true;
    this.setState(again ? 'loading' : 'error', again ? 'Restarting the synthesis engine…' : 'The synthesis engine is not available.');
    this.showButtons();
    this.emit('error', {message, kind: 'fatal', during: 'run'});
  }

  // ---- what is shown ----

  setState(state, text) {
    this.state = state;
    this.ui.status.textContent = text;
  }

  sizeOutput(size) {
    this.ui.output.width = this.ui.output.height = size;
  }

  // showButtons: with `controls`, Start/Restart, Pause/Resume, Stop and a file picker; without,
  // one button that starts and stops.
  showButtons() {
    const u = this.ui;
    const controls = this.hasAttribute('controls');
    const ready = !!(this.engine && this.engine.isReady && this.exemplar && !this.problems.length);
    const run = this.run;
    u.pause.hidden = u.stop.hidden = u.file.hidden = !controls;
    if (controls) {
      u.start.textContent = run ? 'Restart' : 'Start';
      u.start.disabled = !ready;
      u.pause.textContent = run && run.paused ? 'Resume' : 'Pause';
      u.pause.disabled = u.stop.disabled = !run || run.stopping;
    } else {
      u.start.textContent = run ? 'Stop' : this.hasResult ? 'Start again' : 'Start';
      u.start.disabled = run ? run.stopping : !ready;
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
    u.start.addEventListener('click', () => {
      if (this.run && !this.hasAttribute('controls')) this.stop();
      else this.start();
    });
    u.pause.addEventListener('click', () => (this.run && this.run.paused ? this.resume() : this.pause()));
    u.stop.addEventListener('click', () => this.stop());
    u.fileInput.addEventListener('change', () => {
      this.readFile(u.fileInput.files[0]);
      u.fileInput.value = '';
    });
    u.drop.addEventListener('dragover', (e) => {
      if (!this.hasAttribute('controls')) return;
      e.preventDefault();
      u.drop.classList.add('over');
    });
    u.drop.addEventListener('dragleave', () => u.drop.classList.remove('over'));
    u.drop.addEventListener('drop', (e) => {
      u.drop.classList.remove('over');
      if (!this.hasAttribute('controls')) return;
      e.preventDefault();
      this.readFile(e.dataTransfer.files[0]);
    });
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
      if (!this.run) this.start();
    });
    this.visibility.observe(this);
  }
}

if (!customElements.get('texture-synth')) customElements.define('texture-synth', TextureSynth);
