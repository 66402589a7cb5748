// texsynth's page: the exemplar, the settings (mirrored in the URL hash), the run's controls and
// its live output. The work happens in a Web Worker (engine.js → worker.js → texsynth.wasm).

import {assetURL} from './assets.js';
import {Engine} from './engine.js';
import {LossChart, fmt} from './chart.js';
import {SAMPLES, drawSample} from './samples.js';
import {
  BLOCKS, CONVS, DEFAULT_LAYERS, LOCAL_PRESETS, SIZES, coreSettings, defaults, fromHash, presetOf,
  questionPresets, scheduleWeights, toHash,
} from './settings.js';

const $ = (id) => document.getElementById(id);
const el = {
  status: $('status'), notices: $('notices'), weightsName: $('weights-name'),
  exemplar: $('exemplar'), drop: $('drop'), exemplarInput: $('exemplar-input'), exemplarInfo: $('exemplar-info'),
  samples: $('samples'), output: $('output'), iteration: $('iteration'), loss: $('loss'), spi: $('spi'), eta: $('eta'),
  chart: $('chart'), start: $('start'), pause: $('pause'), stop: $('stop'), download: $('download'), runInfo: $('run-info'),
  tiledBox: $('tiled-box'), tiled: $('tiled'), form: $('settings'), preset: $('preset'), presetNote: $('preset-note'),
  size: $('size'), iters: $('iters'), loss_: $('loss-kind'), gramNorm: $('gram-norm'), gramNormField: $('gram-norm-field'),
  pad: $('pad'), optimizer: $('optimizer'), seed: $('seed'), layerGrid: $('layer-grid'), layerCount: $('layer-count'),
  schedule: $('schedule'), param: $('param'), paramField: $('param-field'), paramLabel: $('param-label'),
  custom: $('custom'), customField: $('custom-field'), weightsPreview: $('weights-preview'), redraw: $('redraw'),
  exemplarSize: $('exemplar-size'), weightsInUse: $('weights-in-use'), weightsInput: $('weights-input'),
  weightsBuiltin: $('weights-builtin'), weightsCached: $('weights-cached'), weightsProgress: $('weights-progress'),
  settingsNote: $('settings-note'), levels: $('levels'), spectrum: $('spectrum'), kernel: $('kernel'),
};

const WEIGHTS_CACHE = 'texsynth-weights';
const WEIGHTS_KEY = './weights/picked.q8';

// ---- state ----
let settings = defaults();
let sample = '';          // the drawn sample in use, '' for a picture of the user's
let exemplar = null;      // {rgba, width, height, name}
let run = null;           // the run in progress: {iters, settings, started, times, iter, paused, lastEvent, pausing, stopping}
let result = null;        // what the output canvas shows: {settings, iter, iters, done}
let weights = null;       // the weights in use, as the worker describes them
let presets = {...LOCAL_PRESETS}; // and, once the worker sends them, core/presets' experiments
let presetsSize = 0;      // the output size the experiments were asked for
const chart = new LossChart(el.chart);

let resolveReady, rejectReady;
window.texsynthReady = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });

// ---- notices and status ----

function notice(text, kind = 'info', group = '') {
  const div = document.createElement('div');
  div.className = 'notice ' + kind;
  div.dataset.group = group;
  div.dataset.testid = 'notice';
  div.setAttribute('data-testid', 'notice');
  const span = document.createElement('span');
  span.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.setAttribute('aria-label', 'dismiss');
  close.textContent = '×';
  close.onclick = () => div.remove();
  div.append(span, close);
  el.notices.append(div);
  return div;
}

function clearNotices(group) {
  for (const n of [...el.notices.children]) if (n.dataset.group === group) n.remove();
}

function status(text, busy = false) {
  el.status.textContent = text;
  el.status.classList.toggle('busy', busy);
}

// ---- the form ----

function buildPresets() {
  const chosen = el.preset.value;
  el.preset.replaceChildren(new Option('Custom', ''));
  for (const [name, p] of Object.entries(presets)) el.preset.append(new Option(p.label, name));
  el.preset.value = presetOf(settings, presets, chosen);
}

// askPresets asks the worker for the experiments at the current output size (coarse-to-fine
// levels depend on it).
function askPresets() {
  if (!engine.isReady || presetsSize === settings.size) return;
  presetsSize = settings.size;
  engine.post({type: 'presets', size: settings.size, iters: settings.iters});
}

function buildForm() {
  buildPresets();
  for (const s of SIZES) el.size.append(new Option(`${s} × ${s}`, String(s)));
  for (const block of BLOCKS) {
    const col = document.createElement('div');
    col.className = 'layer-block';
    for (const tap of block) {
      const label = document.createElement('label');
      label.className = tap.startsWith('pool') ? 'pool' : 'conv';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'layer';
      box.value = tap;
      label.append(box, tap);
      col.append(label);
    }
    el.layerGrid.append(col);
  }
  for (const name of SAMPLES) {
    const b = document.createElement('button');
    b.type = 'button';
    b.title = name;
    b.dataset.sample = name;
    b.setAttribute('aria-label', 'sample: ' + name);
    b.setAttribute('data-testid', 'sample-' + name);
    const c = document.createElement('canvas');
    const img = drawSample(name, 64);
    c.width = c.height = 64;
    c.getContext('2d').putImageData(new ImageData(img.rgba, 64, 64), 0, 0);
    b.append(c);
    b.onclick = () => useSample(name);
    el.samples.append(b);
  }
}

function writeForm(s) {
  if (![...el.size.options].some((o) => o.value === String(s.size))) {
    el.size.append(new Option(`${s.size} × ${s.size} (from the link)`, String(s.size)));
  }
  el.size.value = String(s.size);
  el.iters.value = s.iters;
  el.loss_.value = s.loss;
  el.gramNorm.value = s.gramNorm;
  el.pad.value = s.pad;
  el.optimizer.value = s.optimizer;
  el.seed.value = s.seed;
  el.redraw.value = s.redraw;
  el.exemplarSize.value = s.exemplarSize === -1 ? '-1' : '0';
  el.levels.value = String(s.levels);
  el.spectrum.value = s.spectrumWeight;
  for (const box of el.layerGrid.querySelectorAll('input')) box.checked = s.layers.includes(box.value);
  const [kind, arg] = s.layerWeights.split(':');
  if (kind === 'uniform' && arg === undefined) {
    el.schedule.value = 'uniform';
  } else if ((kind === 'linear' || kind === 'geometric') && arg !== undefined) {
    el.schedule.value = kind;
    el.param.value = arg;
  } else {
    el.schedule.value = 'custom';
    el.custom.value = s.layerWeights;
  }
  el.preset.value = presetOf(s, presets);
  refreshForm();
}

function readForm() {
  const s = {
    size: +el.size.value,
    iters: Math.max(1, Math.round(+el.iters.value || 1)),
    loss: el.loss_.value,
    gramNorm: el.gramNorm.value,
    pad: el.pad.value,
    optimizer: el.optimizer.value,
    seed: Math.max(0, Math.round(+el.seed.value || 0)),
    redraw: Math.max(1, Math.round(+el.redraw.value || 30)),
    exemplarSize: +el.exemplarSize.value,
    levels: +el.levels.value,
    spectrumWeight: Math.max(0, +el.spectrum.value || 0),
    layers: [...el.layerGrid.querySelectorAll('input:checked')].map((b) => b.value),
  };
  switch (el.schedule.value) {
    case 'uniform': s.layerWeights = 'uniform'; break;
    case 'custom': s.layerWeights = el.custom.value.trim() || 'uniform'; break;
    default: s.layerWeights = `${el.schedule.value}:${el.param.value === '' ? (el.schedule.value === 'linear' ? 1 : 2) : el.param.value}`;
  }
  return s;
}

// refreshForm shows what the current choices imply: which fields matter, the layer weights.
function refreshForm() {
  const sched = el.schedule.value;
  el.paramField.hidden = sched !== 'linear' && sched !== 'geometric';
  el.paramLabel.textContent = sched === 'geometric' ? 'q (ratio)' : 'd (step)';
  el.customField.hidden = sched !== 'custom';
  el.gramNormField.hidden = el.loss_.value !== 'gram';
  const layers = [...el.layerGrid.querySelectorAll('input:checked')].map((b) => b.value);
  el.layerCount.textContent = `(${layers.length} selected)`;
  const spec = readForm().layerWeights;
  const w = layers.length ? scheduleWeights(spec, layers.length) : null;
  el.weightsPreview.textContent = !layers.length ? 'Select at least one layer.'
    : w ? layers.map((l, i) => `${l} ${+w[i].toPrecision(4)}`).join(' · ')
      : `"${spec}" needs ${layers.length} numbers, one per layer.`;
  const p = presets[el.preset.value];
  el.presetNote.textContent = p ? p.note : 'Your own combination: pick a preset to replay one of the seed\'s experiments.';
}

function onFormChange(e) {
  if (e && e.target === el.preset) {
    const p = presets[el.preset.value];
    if (p) {
      settings = {...readForm(), ...p.settings, layers: p.settings.layers.slice()};
      writeForm(settings);
      if (p.sample && p.sample !== sample) {
        if (sample || !exemplar) useSample(p.sample);
        else notice(`This experiment used a drawn picture that is not a texture; choose the "${p.sample}" sample to replay it exactly.`, 'info', 'preset');
      }
    }
  }
  refreshForm();
  settings = readForm();
  el.preset.value = presetOf(settings, presets, el.preset.value);
  refreshForm();
  saveHash();
  askPresets();
  idleCounter();
  if (run) {
    el.settingsNote.textContent = 'Settings changed during the run: the run goes on with the old ones; press Restart to use the new ones.';
    el.settingsNote.classList.add('changed');
  }
}

// idleCounter shows "0 / N" before the first run.
function idleCounter() {
  if (!run && !result) el.iteration.textContent = `0 / ${settings.iters}`;
}

function saveHash() {
  const h = toHash(settings, sample);
  if (location.hash !== h) history.replaceState(null, '', h);
}

function loadHash() {
  const {settings: s, sample: smp, ignored} = fromHash(location.hash);
  settings = s;
  writeForm(settings);
  idleCounter();
  clearNotices('hash');
  if (ignored.length) notice(`Ignored in the link (not understood): ${ignored.join(', ')}.`, 'warn', 'hash');
  return smp;
}

// ---- the exemplar ----

function showExemplar(ex) {
  const c = el.exemplar;
  c.width = ex.width;
  c.height = ex.height;
  c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(ex.rgba), ex.width, ex.height), 0, 0);
  c.style.aspectRatio = `${ex.width} / ${ex.height}`;
  el.exemplarInfo.textContent = `${ex.name}: ${ex.width} × ${ex.height} px` +
    (ex.width !== ex.height ? ' (the centre square is used)' : '');
  for (const b of el.samples.children) b.setAttribute('aria-pressed', String(b.dataset.sample === sample));
}

function useSample(name) {
  if (!SAMPLES.includes(name)) name = SAMPLES[0];
  sample = name;
  exemplar = drawSample(name, 256);
  exemplar.name = `sample "${name}"`;
  clearNotices('exemplar');
  showExemplar(exemplar);
  saveHash();
}

// readFile reads a picked, dropped or pasted file; the worker decodes it exactly as the command
// line does, and says what it refused or changed.
function readFile(file) {
  if (!file) return;
  clearNotices('exemplar');
  if (file.size === 0) {
    notice(`${file.name || 'The file'}: the file is empty; choose a picture (PNG, JPEG, GIF, WebP, BMP or TIFF).`, 'error', 'exemplar');
    return;
  }
  if (file.size > 64 << 20) {
    notice(`${file.name}: ${(file.size / 2 ** 20).toFixed(0)} MB is too large a file; use a picture under 64 MB.`, 'error', 'exemplar');
    return;
  }
  el.exemplarInfo.textContent = `reading ${file.name}…`;
  file.arrayBuffer().then((buf) => engine.decode(buf, file.name || 'pasted picture'), (err) => {
    notice(`${file.name}: cannot read the file: ${err.message}`, 'error', 'exemplar');
  });
}

function setupExemplarInput() {
  el.exemplarInput.addEventListener('change', () => {
    readFile(el.exemplarInput.files[0]);
    el.exemplarInput.value = '';
  });
  const d = el.drop;
  d.addEventListener('dragover', (e) => { e.preventDefault(); d.classList.add('over'); });
  d.addEventListener('dragleave', () => d.classList.remove('over'));
  d.addEventListener('drop', (e) => {
    e.preventDefault();
    d.classList.remove('over');
    readFile(e.dataTransfer.files[0]);
  });
  // A drop outside the box must not navigate away from the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
  window.addEventListener('paste', (e) => {
    if (e.target instanceof HTMLInputElement && e.target.type === 'text') return;
    const item = [...(e.clipboardData?.items || [])].find((i) => i.kind === 'file');
    if (item) {
      e.preventDefault();
      readFile(item.getAsFile());
    }
  });
}

// ---- the run ----

function setButtons() {
  const ready = engine.isReady;
  el.start.disabled = !ready || !exemplar;
  el.start.textContent = run ? 'Restart' : 'Start';
  el.pause.disabled = !run || run.stopping;
  el.pause.textContent = run && run.paused ? 'Resume' : 'Pause';
  el.stop.disabled = !run || run.stopping;
  el.download.disabled = !result;
}

function start() {
  if (!engine.isReady || !exemplar) return;
  settings = readForm();
  saveHash();
  clearNotices('run');
  el.settingsNote.textContent = 'Settings apply when you press Start; changing them during a run does not disturb it.';
  run = {iters: settings.iters, settings: {...settings}, started: performance.now(), times: [], iter: 0,
    paused: false, lastEvent: performance.now(), phase: 'start', pausing: false, stopping: false, first: true, live: false};
  engine.start(exemplar, coreSettings(settings));
  status('Starting: building the network and computing the exemplar\'s features…', true);
  setButtons();
}

function endRun(text) {
  run = null;
  status(text);
  document.title = 'texsynth';
  setButtons();
}

function onFrame(f) {
  if (!run) return;
  const c = el.output;
  if (run.first) {
    // The previous result stays until this first frame of the new run replaces it.
    c.width = f.width;
    c.height = f.height;
    run.first = false;
    $('output-empty').hidden = true;
  }
  c.getContext('2d').putImageData(new ImageData(f.pixels, f.width, f.height), 0, 0);
  result = {settings: run.settings, iter: f.iter, iters: f.iters, done: f.done};
  run.iter = f.iter;
  run.times.push(f.seconds);
  run.lastEvent = performance.now();
  run.phase = 'run';
  el.iteration.textContent = `${f.iter} / ${f.iters}`;
  el.loss.textContent = fmt(f.loss);
  const recent = run.times.slice(-5);
  const spi = recent.reduce((a, b) => a + b, 0) / recent.length;
  el.spi.textContent = spi < 10 ? spi.toFixed(2) : spi.toFixed(0);
  el.eta.textContent = f.done ? 'done' : duration(spi * (f.iters - f.iter));
  chart.add(f.iter, f.loss);
  drawTiled();
  document.title = `${f.iter}/${f.iters} · texsynth`;
  if (!run.paused && !run.pausing && !run.stopping) status(`Running: iteration ${f.iter} of ${f.iters} (${f.evals} loss evaluations so far).`, true);
  setButtons();
}

function drawTiled() {
  const show = result && result.settings.pad === 'circular';
  el.tiledBox.hidden = !show;
  if (!show) return;
  const w = el.output.width, h = el.output.height;
  el.tiled.width = 3 * w;
  el.tiled.height = 3 * h;
  const g = el.tiled.getContext('2d');
  for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) g.drawImage(el.output, x * w, y * h);
}

function duration(s) {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

// A step cannot be interrupted; while one takes long, say so.
setInterval(() => {
  if (!run || run.paused) return;
  const waited = (performance.now() - run.lastEvent) / 1000;
  if (waited < 5) return;
  const what = run.phase === 'start' ? 'Starting: computing the exemplar\'s features'
    : `Working on iteration ${run.iter + 1} of ${run.iters}`;
  const then = run.stopping ? 'it stops when this step ends' : run.pausing ? 'it pauses when this step ends'
    : 'a step cannot be interrupted: Pause and Stop act when it ends';
  status(`${what}… ${Math.round(waited)} s so far (${then}).`, true);
}, 1000);

function download() {
  if (!result) return;
  const s = result.settings;
  const name = `texsynth-${sample || 'picture'}-${s.loss}-${el.output.width}px-seed${s.seed}-it${result.iter}.png`;
  el.output.toBlob((blob) => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }, 'image/png');
}

// ---- weights ----

function showWeights(w, name) {
  weights = w;
  const label = w.builtin ? `untrained VGG-16 (random features, seed ${w.seed})` : w.provenance;
  el.weightsName.textContent = label;
  el.weightsInUse.textContent = w.builtin ? `${w.provenance}; built in this page, nothing downloaded`
    : `${w.provenance} — ${name ? name + ', ' : ''}${w.layers.length} layers, checksum ${w.checksum.slice(0, 12)}…`;
  el.weightsInUse.title = `checksum (SHA-256 of the numbers): ${w.checksum}`;
  el.weightsBuiltin.hidden = w.builtin;
}

function readWeightsFile(file) {
  if (!file) return;
  clearNotices('weights');
  const r = new FileReader();
  el.weightsProgress.hidden = false;
  el.weightsProgress.value = 0;
  r.onprogress = (e) => { if (e.lengthComputable) el.weightsProgress.value = e.loaded / e.total; };
  r.onerror = () => {
    el.weightsProgress.hidden = true;
    notice(`${file.name}: cannot read the file.`, 'error', 'weights');
  };
  r.onload = () => {
    el.weightsProgress.removeAttribute('value'); // indeterminate while the worker verifies it
    el.weightsInUse.textContent = `verifying ${file.name}…`;
    pendingWeights = {buffer: r.result, name: file.name};
    engine.loadWeights(r.result, file.name);
  };
  r.readAsArrayBuffer(file);
}

let pendingWeights = null;

// fetchWeights loads a weights file named by the page's address (?weights=weights/vgg16.q8), so a
// course can link the page with its converted weights. Only the page's own origin is fetched:
// no request leaves the site. The file goes through the same verification as a picked one.
async function fetchWeights(spec) {
  clearNotices('weights');
  let url;
  try { url = new URL(spec, location.href); } catch (e) { url = null; }
  if (!url || url.origin !== location.origin) {
    notice(`weights=${spec}: only a file on this site can be loaded (e.g. ?weights=weights/vgg16.q8); the built-in weights stay in use.`, 'error', 'weights');
    return;
  }
  const name = decodeURIComponent(url.pathname.split('/').pop() || 'weights.q8');
  url = assetURL(url); // its content-hashed name in a deployed build
  el.weightsProgress.hidden = false;
  el.weightsProgress.value = 0;
  el.weightsInUse.textContent = `downloading ${name}…`;
  try {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`the server answered ${r.status} ${r.statusText}`);
    const total = Number(r.headers.get('content-length')) || 0;
    const reader = r.body.getReader();
    const parts = [];
    let got = 0;
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      parts.push(value);
      got += value.length;
      if (total) el.weightsProgress.value = got / total;
    }
    const buffer = new Uint8Array(got);
    let at = 0;
    for (const p of parts) { buffer.set(p, at); at += p.length; }
    el.weightsProgress.removeAttribute('value');
    el.weightsInUse.textContent = `verifying ${name}…`;
    pendingWeights = {buffer: buffer.buffer, name};
    engine.loadWeights(buffer.buffer, name);
  } catch (e) {
    el.weightsProgress.hidden = true;
    showWeights(weights);
    notice(`${name}: cannot download it (${e.message}); the built-in weights stay in use.`, 'error', 'weights');
  }
}
let weightsFromAddress = new URLSearchParams(location.search).get('weights');

async function cacheWeights(buffer, name) {
  try {
    if (!('caches' in window)) return;
    const cache = await caches.open(WEIGHTS_CACHE);
    await cache.put(WEIGHTS_KEY, new Response(buffer, {headers: {'content-type': 'application/octet-stream', 'x-texsynth-name': encodeURIComponent(name)}}));
    offerCached();
  } catch (e) { /* storage is a convenience: private windows and quotas may refuse it */ }
}

// A weights file picked before is offered again while the built-in weights are in use.
let cachedName = '';
function updateCachedButton() {
  el.weightsCached.hidden = !cachedName || !weights || !weights.builtin;
}

async function offerCached() {
  try {
    if (!('caches' in window)) return;
    const cache = await caches.open(WEIGHTS_CACHE);
    const r = await cache.match(WEIGHTS_KEY);
    if (!r) { cachedName = ''; updateCachedButton(); return; }
    const name = decodeURIComponent(r.headers.get('x-texsynth-name') || 'weights.q8');
    cachedName = name;
    el.weightsCached.textContent = `Use saved ${name}`;
    updateCachedButton();
    el.weightsCached.onclick = async () => {
      const again = await cache.match(WEIGHTS_KEY);
      if (!again) return;
      const buffer = await again.arrayBuffer();
      el.weightsInUse.textContent = `verifying ${name}…`;
      pendingWeights = null;
      engine.loadWeights(buffer, name);
    };
  } catch (e) { /* see cacheWeights */ }
}

// ---- the engine ----

function onMessage(m) {
  // After a Restart, the previous run's last frame (or its end) may still arrive before the new
  // run's 'started': it belongs to no run on screen.
  const ofRun = ['frame', 'done', 'paused', 'resumed'].includes(m.type) || (m.type === 'error' && m.during === 'run');
  if (ofRun && !(run && run.live)) return;
  if (run) run.lastEvent = performance.now();
  switch (m.type) {
    case 'progress':
      if (m.stage === 'start' && run) status('Starting: ' + m.message + '…', true);
      break;
    case 'exemplar': {
      sample = '';
      exemplar = {rgba: m.rgba, width: m.width, height: m.height, name: m.name};
      showExemplar(exemplar);
      for (const n of m.notices) notice(`${m.name}: ${n}.`, 'warn', 'exemplar');
      saveHash();
      setButtons();
      break;
    }
    case 'weights':
      el.weightsProgress.hidden = true;
      showWeights(m.weights, m.name);
      if (pendingWeights && !m.weights.builtin) cacheWeights(pendingWeights.buffer, pendingWeights.name);
      pendingWeights = null;
      updateCachedButton();
      if (run) notice('The new weights apply when you press Restart.', 'info', 'weights');
      break;
    case 'presets':
      presets = {...LOCAL_PRESETS, ...questionPresets(m.questions)};
      buildPresets();
      refreshForm();
      break;
    case 'started':
      if (!run) break;
      run.live = true;
      run.iters = m.iters;
      chart.reset(m.iters);
      el.iteration.textContent = `0 / ${m.iters}`;
      el.loss.textContent = el.spi.textContent = el.eta.textContent = '–';
      el.runInfo.textContent = `Layers: ${m.layers.join(', ')}. Weights: ${m.weights.provenance}.`;
      status(`Running: iteration 1 of ${m.iters}…`, true);
      break;
    case 'frame':
      onFrame(m);
      break;
    case 'done': {
      const secs = run ? (performance.now() - run.started) / 1000 : 0;
      endRun(`Done: ${m.iters} iterations in ${duration(secs)}; final loss ${el.loss.textContent}. Download the PNG, or change the settings and start again.`);
      break;
    }
    case 'paused':
      if (run) { run.paused = true; run.pausing = false; }
      status(`Paused after iteration ${m.iter}. Resume goes on from here.`);
      document.title = `paused ${m.iter} · texsynth`;
      setButtons();
      break;
    case 'resumed':
      if (run) { run.paused = false; run.lastEvent = performance.now(); }
      status(`Running: iteration ${m.iter + 1}…`, true);
      setButtons();
      break;
    case 'stopped':
      if (run && run.stopping) endRun(`Stopped after iteration ${m.iter ?? 0}. The last frame stays here and can be downloaded.`);
      break;
    case 'error':
      onError(m);
      break;
  }
}

function onError(m) {
  const what = m.kind === 'input' ? '' : 'Internal error: ';
  switch (m.during) {
    case 'decode':
      notice(`That picture cannot be used: ${m.message}. The exemplar was not changed.`, 'error', 'exemplar');
      if (exemplar) showExemplar(exemplar);
      break;
    case 'weights':
      el.weightsProgress.hidden = true;
      pendingWeights = null;
      if (weights) showWeights(weights);
      notice(`These weights cannot be used: ${m.message}. Still using: ${weights ? weights.provenance : 'none'}.`, 'error', 'weights');
      engine.userWeights = weights && !weights.builtin ? engine.userWeights : null;
      break;
    case 'start':
      notice(`${what}cannot start with these settings: ${m.message}.`, 'error', 'run');
      endRun('Not started: see the message above. Change the settings and press Start.');
      break;
    default:
      notice(`${what}${m.message}.`, 'error', 'run');
      if (run) endRun(`Stopped at iteration ${run.iter}: see the message above. The last frame stays here.`);
  }
}

function onFatal(message, again) {
  notice(`${message}. ${again ? 'The engine is restarting; the last result stays here. A smaller output size or fewer layers needs less memory.' : 'It failed repeatedly: reload the page.'}`, 'error', 'run');
  if (!again) rejectReady(new Error(message));
  if (run) endRun(`The run stopped at iteration ${run.iter}: the engine crashed.`);
  else status(again ? 'Restarting the synthesis engine…' : 'The synthesis engine is not available.', again);
  setButtons();
}

function onReady(w, kernel, kept) {
  showWeights(w);
  // The built-in weights came from the browser's cache (an earlier visit drew them): worker.js.
  el.weightsInUse.dataset.kept = String(Boolean(kept));
  el.kernel.textContent = kernel ? `Kernels: ${kernel}.` : '';
  presetsSize = 0;
  askPresets();
  offerCached();
  setButtons();
  if (weightsFromAddress) {
    const spec = weightsFromAddress;
    weightsFromAddress = null; // once: a restarted engine keeps what the user chose since
    fetchWeights(spec);
  }
  status(exemplar ? 'Ready: press Start to grow a texture from the exemplar.' : 'Ready: choose a picture.');
  resolveReady(w);
}

// ---- wiring ----

buildForm();
setupExemplarInput();
const initialSample = loadHash();
useSample(initialSample || 'bricks');
const engine = new Engine({ready: onReady, message: onMessage, fatal: onFatal});
idleCounter();
setButtons();

el.form.addEventListener('input', onFormChange);
el.form.addEventListener('change', onFormChange);
el.form.addEventListener('submit', (e) => e.preventDefault());
for (const b of el.form.querySelectorAll('[data-layers]')) {
  b.addEventListener('click', () => {
    const set = b.dataset.layers === 'all' ? CONVS : b.dataset.layers === 'pools' ? ['conv1_1', 'pool1', 'pool2', 'pool3', 'pool4'] : DEFAULT_LAYERS;
    for (const box of el.layerGrid.querySelectorAll('input')) box.checked = set.includes(box.value);
    onFormChange();
  });
}
window.addEventListener('hashchange', () => {
  if (location.hash === toHash(settings, sample)) return;
  const smp = loadHash();
  if (smp && smp !== sample) useSample(smp);
});
el.start.addEventListener('click', start);
el.pause.addEventListener('click', () => {
  if (!run) return;
  if (run.paused) engine.resume();
  else {
    run.pausing = true;
    status(`Pausing when iteration ${run.iter + 1} ends…`, true);
    engine.pause();
  }
});
el.stop.addEventListener('click', () => {
  if (!run) return;
  run.stopping = true;
  status('Stopping when the current step ends…', true);
  engine.stop();
  setButtons();
});
el.download.addEventListener('click', download);
el.weightsInput.addEventListener('change', () => {
  readWeightsFile(el.weightsInput.files[0]);
  el.weightsInput.value = '';
});
el.weightsBuiltin.addEventListener('click', () => { pendingWeights = null; engine.useBuiltinWeights(0); });
document.addEventListener('visibilitychange', () => {
  if (document.hidden && run && !run.paused) document.title = `${run.iter}/${run.iters} · texsynth (running)`;
});
window.addEventListener('resize', () => chart.draw());

// Test hooks: the engine, for crash-recovery tests.
window.texsynth = {engine: () => engine, settings: () => ({...settings}), result: () => result,
  losses: () => chart.points.map(([, l]) => l), presets: () => presets};
