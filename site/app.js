// texsynth's page: the exemplar, the settings (mirrored in the URL hash), the run and its live
// output. The run itself is the controller's (controller.js, shared with <texture-synth> and the
// iframe); this file lays it out on the page.

import {RunController} from './controller.js';
import {LossChart, fmt} from './chart.js';
import {SAMPLES} from './samples.js';
import {BY_NAME, SIZES, defaultText, field, fromHash, messageFor, ordered, toHash} from './settings.js';
import {SettingsForm} from './form.js';
import {Notices} from './notices.js';
import {OutputView} from './view.js';
import {Exporter, GalleryUI, Variations} from './keep.js';
import {WeightsUI} from './weights-ui.js';
import {ExemplarPanel} from './exemplar-ui.js';
import {PresetMenu} from './preset-menu.js';
import {SpeedUI} from './speed-ui.js';
import {duration} from './estimate.js';
import {isolateOnce, threadsLine} from './threads.js';
import {autoNote, engineLabel} from './engine-label.js';

const $ = (id) => document.getElementById(id);
const notices = new Notices($('toasts'), $('announce'));
const chart = new LossChart($('chart'));
const view = new OutputView({stage: $('stage'), output: $('output'), overlay: $('overlay'), seen: $('seen'), empty: $('output-empty'),
  caption: $('output-caption'), view: $('view'), zoom: $('zoom'), smooth: $('smooth'), split: $('split'), note: $('view-note'), wrap: $('out-wrap')});
const c = new RunController('worker.js', null);
const speed = new SpeedUI(c);
const ui = {start: $('start'), pause: $('pause'), stop: $('stop'), moreBox: $('more-box'), more: $('more'), moreIters: $('more-iters'),
  status: $('status'), progress: $('progress'), iteration: $('iteration'), loss: $('loss'), spi: $('spi'), eta: $('eta')};

let form = null;        // the settings form, once the core's schema is in
let menu = null;        // the preset menu, with it
let defaults = null;    // every setting's default, as text
let described = null;   // the core's reading of the form: {settings, errors, plan}
let sample = '';        // the drawn sample in use ('' for a picture of the user's)
let shown = null;       // what the output shows: {image, name, sample, loss, seed, width, iter, iters, text, hash, done}
let linkRead = false;   // the link's settings were read once the core was ready
let fromLink = null;    // the link's settings, until the core has read them
const link = fromHash(location.hash);

let resolveReady, rejectReady;
window.texsynthReady = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });

function status(text, busy = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('busy', busy);
}

// ---- the exemplar ----

const exemplar = new ExemplarPanel(c, notices, {
  chosen: () => menu && menu.forget(),
  shown: (ex) => { sample = ex.sample || ''; saveHash(); buttons(); },
  decoding: (d) => {
    if (d) status(`Reading ${d.name}: large pictures take a few seconds; Start waits for it.`, true);
    else idleStatus();
    buttons();
  },
});
c.addEventListener('notice', (e) => notices.show(e.detail.text, e.detail.kind, e.detail.group));
// The service worker can make the page cross-origin isolated (every core): reload once for it,
// but never under a run.
isolateOnce(() => !c.run, () => notices.show('Reload the page to let the engine use every core of this machine (the service worker has made that possible).', 'info', 'threads'));

// ---- settings ----

let describing = 0;
let changedNoted = false; // the "changed during the run" notice was shown for this run

// formChanged has the core read the form (a moment after the last change) and shows what it
// refuses beside the fields, the layer weights it computes, and each size's time and memory.
function formChanged() {
  const id = ++describing;
  clearTimeout(formChanged.timer);
  formChanged.timer = setTimeout(async () => {
    const text = form.read();
    saveHash();
    menu.show();
    if (!c.busy) menu.ask(text); // a run's steps go first; asked again when it ends
    const same = c.run && Object.keys(text).every((k) => String(text[k] ?? '') === String(c.run.text[k] ?? ''));
    if (c.busy && !same && !changedNoted) {
      changedNoted = true;
      notices.show('Settings changed during the run: it goes on with the old ones; they apply when you start the next run.', 'info', 'settings');
    }
    const d = await c.describe(fromLink || text).catch(() => null);
    if (!d || id !== describing) return;
    if (fromLink) {
      linkRefused(d);
      return formChanged(); // the form as the core read the link
    }
    described = d;
    if (text.layers === null) d.errors.layers = 'tick at least one layer';
    form.showErrors(d.errors);
    form.showPlan(d.plan);
    idleStatus();
    buttons();
    if (!c.busy) sizeEstimates(text);
  }, 80);
}

// sizeEstimates writes each size's time and memory into the size menu (speed-ui.js).
async function sizeEstimates(text) {
  const list = await speed.sizeOptions(text, form.sizes()).catch(() => null);
  if (list) form.sizeOptions(list);
}

function saveHash() {
  if (!form) return;
  const h = toHash(form.read(), sample);
  if (location.hash !== h) history.replaceState(null, '', h);
}

// ---- the run ----

function buttons() {
  const ready = c.ready && form;
  const busy = c.busy;
  const invalid = !!described && Object.keys(described.errors).length > 0; // none yet: Start asks the core itself
  ui.start.disabled = !ready || !c.exemplar || !!c.decoding || (!busy && invalid);
  ui.start.textContent = busy ? 'Start over…' : 'Start';
  ui.start.classList.toggle('primary', !busy);
  ui.pause.disabled = !busy || c.state === 'stopping' || c.run.stopping || c.state === 'starting';
  ui.pause.textContent = c.state === 'paused' ? 'Resume' : 'Pause';
  ui.pause.classList.toggle('primary', busy && c.state !== 'paused');
  ui.stop.disabled = !busy || c.run.stopping;
  ui.moreBox.hidden = !c.canContinue;
  $('variations').disabled = !ready || !c.exemplar || (invalid && !variations.running);
  exporter.refresh();
}

async function start() {
  const text = form.read();
  if (text.layers === null) return form.showErrors({layers: 'tick at least one layer'});
  if (c.busy) {
    const ok = await confirmStartOver();
    if (!ok) return;
    await keepShown();
  }
  const started = await c.start(text);
  if (started) $('settings-note').textContent = 'Settings apply when you press Start; changing them during a run does not disturb it.';
}

c.addEventListener('refused', (e) => {
  status(c.exemplar ? 'Not started: see the settings marked.' : 'Ready: choose a picture.');
  buttons();
  const rest = form.showErrors(e.detail.errors);
  const names = Object.keys(e.detail.errors).map((n) => (BY_NAME[n] ? BY_NAME[n].label : n));
  notices.show(`Not started: ${Object.entries(rest).map(([n, m]) => messageFor(n, m)).join(' ')} ${names.length ? `See ${names.join(', ')} in the settings.` : ''}`.trim(), 'error', 'run');
});

function confirmStartOver() {
  const d = $('confirm');
  const r = c.run;
  $('confirm-text').textContent = `Start over? The run at iteration ${r.iter} of ${r.iters} stops; its last frame is kept in Recent runs.`;
  d.showModal();
  return new Promise((resolve) => {
    const done = (v) => { d.close(); resolve(v); };
    d.querySelector('[value=yes]').onclick = () => done(true);
    d.querySelector('[value=no]').onclick = () => done(false);
    d.oncancel = () => resolve(false);
  });
}

c.addEventListener('starting', (e) => {
  const r = e.detail.run;
  notices.clear('run');
  notices.clear('settings');
  changedNoted = false;
  // Nothing of the previous run stays in the numbers.
  ui.iteration.textContent = `0 / ${r.iters}`;
  ui.loss.textContent = ui.spi.textContent = ui.eta.textContent = '–';
  ui.progress.value = 0;
  chart.reset(r.iters);
  $('chart-note').textContent = $('run-info').textContent = '';
  status('Starting: building the network and computing the exemplar\'s features…', true);
  notices.announce(`Run started: ${r.text.size} px, ${r.iters} iterations.`);
  exemplar.note();
  buttons();
});

// showEngine names the engine: the run's, or before any run the one auto gives and why.
function showEngine(engine, note = '') {
  $('engine').textContent = engine ? `Engine: ${engineLabel(engine)}${note ? ` (${note})` : ''}.` : '';
}
c.addEventListener('engine', (e) => showEngine(e.detail.engine, 'the GPU failed; see the notice'));

c.addEventListener('started', (e) => {
  const r = e.detail.run;
  showEngine(r.engine);
  chart.reset(r.iters, r.plan.levels);
  $('chart-note').textContent = r.plan.levels.length > 1 ? `Coarse to fine: ${r.plan.levels.map((l) => `${l.iters} iterations at ${l.size} px`).join(', then ')}. The loss jumps where a level starts from the one before scaled up (dashed lines).` : '';
  view.showSeen(r.seen);
  view.setTileable(r.settings.pad === 'circular');
  $('run-info').textContent = `Layers: ${r.layers.join(', ')}. Weights: ${r.weights.provenance}.`;
  status(`Running: iteration 1 of ${r.iters}…`, true);
  buttons();
});

c.addEventListener('frame', (e) => {
  const {frame: f, eta} = e.detail;
  const r = c.run;
  shown = {image: c.result.image, name: r.exemplar.name, sample: r.exemplar.sample, loss: r.settings.loss, lossKind: r.settings.loss,
    seed: r.settings.seed, width: f.width, iter: f.iter, iters: f.iters, text: r.text, hash: toHash(r.text, r.exemplar.sample), done: f.done};
  shown.lossKind = r.settings.loss;
  view.show(c.result.image, `from ${r.exemplar.name} · ${f.width} × ${f.height} px · iteration ${f.iter} of ${f.iters}`,
    `the synthesised texture, ${f.width} by ${f.height} pixels, iteration ${f.iter} of ${f.iters}`);
  ui.iteration.textContent = `${f.iter} / ${f.iters}`;
  ui.loss.textContent = fmt(f.loss);
  ui.spi.textContent = f.seconds < 10 ? f.seconds.toFixed(2) : f.seconds.toFixed(0);
  ui.eta.textContent = f.done ? 'done' : duration(eta);
  ui.progress.value = f.iter / f.iters;
  chart.add(f.iter, f.loss);
  $('chart').setAttribute('aria-label', `loss curve: ${fmt(f.loss)} at iteration ${f.iter} of ${f.iters}`);
  document.title = `${f.iter}/${f.iters} · texsynth`;
  if (c.state === 'running' && !r.pausing && !r.stopping) status(`Running: iteration ${f.iter} of ${f.iters}${r.plan.levels.length > 1 ? ` at ${f.width} px` : ''}.`, true);
  buttons();
});

c.addEventListener('pausing', () => status(`Pausing when iteration ${c.run.iter + 1} ends…`, true));
c.addEventListener('stopping', () => { status('Stopping when the current iteration ends…', true); buttons(); });
c.addEventListener('paused', (e) => { status(`Paused after iteration ${e.detail.run.iter}. Resume goes on from here.`); buttons(); });
c.addEventListener('resumed', () => { status(`Running: iteration ${c.run.iter + 1}…`, true); buttons(); });
c.addEventListener('continued', (e) => {
  chart.extend(e.detail.run.iters);
  notices.announce(`Continuing to iteration ${e.detail.run.iters}.`);
  buttons();
});
c.addEventListener('done', (e) => ended(`Done: ${e.detail.run.iters} iterations in ${duration(e.detail.seconds)}; final loss ${ui.loss.textContent}. Download it, continue it, or change the settings and start again.`));
c.addEventListener('stopped', (e) => ended(`Stopped after iteration ${e.detail.run.iter}. The last frame stays here; continue it or download it.`));
c.addEventListener('error', (e) => { if (['run', 'start', 'more'].includes(e.detail.during)) ended(c.state === 'stopped' ? 'Stopped: see the message below.' : 'Not started: see the message below.'); });
c.addEventListener('fatal', (e) => {
  status(e.detail.again ? 'Restarting the synthesis engine…' : 'The synthesis engine is not available: reload the page.', e.detail.again);
  if (!e.detail.again) rejectReady(new Error(e.detail.message));
  buttons();
});

function ended(text) {
  status(text);
  notices.announce(text);
  document.title = 'texsynth';
  if (shown && !variations.running && (c.state === 'done' || c.state === 'stopped')) keepShown();
  sizeEstimates(form.read()); // the run measured this machine's speed some more
  menu.ask(form.read());
  buttons();
}

let kept = null;
async function keepShown() {
  if (!shown || kept === shown.image) return;
  kept = shown.image;
  await gallery.keep(shown, $('seen'));
}

function idleStatus() {
  if (!c.ready) return;
  if (!c.run && form) ui.iteration.textContent = `0 / ${form.read().iters}`;
  if (c.decoding || c.busy) return;
  if (c.state === 'done' || c.state === 'stopped') return;
  status(c.exemplar ? 'Ready: press Start to grow a texture from the exemplar.' : 'Ready: choose a picture.');
}

// ---- startup ----

// layerLists: the network's default layers and all its convs, as the preset menu compares them.
function layerLists(schema) {
  const taps = field(schema, 'layers');
  return {layersList: taps.default.join(','), allList: taps.options.filter((t) => t.startsWith('conv')).join(',')};
}

c.addEventListener('ready', (e) => {
  if (!form) {
    defaults = defaultText(c.schema);
    form = new SettingsForm($('settings'), c.schema, formChanged);
    form.write(defaults);
    menu = new PresetMenu(c, form, {...defaults, ...layerLists(c.schema)}, notices, formChanged);
    speed.onMeasured = () => sizeEstimates(form.read());
  }
  speed.ready(defaults);
  weightsUI.ready(e.detail.weights, e.detail.fallback);
  $('kernel').textContent = threadsLine(c.threads, c.kernel);
  if (!c.busy) showEngine(c.autoEngine, autoNote(c.autoEngine));
  menu.asked = '';
  if (!linkRead) readLink();
  else formChanged();
  idleStatus();
  buttons();
  resolveReady(e.detail.weights);
});

// readLink puts the link's settings into the form; what the core refuses is said, and the
// default is kept in its place.
function readLink() {
  linkRead = true;
  for (const k of link.unknown) notices.show(`"${k}" in the link is not a setting; it was ignored.`, 'warn', 'link');
  // The link's settings go into the form at once (a Start now runs them); formChanged has the
  // core read them a moment later, and says what it refused (linkRefused).
  fromLink = {...defaults, ...link.text};
  form.write(fromLink);
  menu.show();
  formChanged();
}

// linkRefused says what the core refused in the link, puts the defaults in its place and the
// layers as the core names them.
function linkRefused(d) {
  const back = {layers: fromLink.layers};
  fromLink = null;
  for (const [name, message] of ordered(d.errors)) {
    notices.show(`${messageFor(name, message, 'link')} Kept ${name === 'layers' ? 'the default layers' : BY_NAME[name] ? defaults[name] || 'the default' : 'the defaults'}.`, 'warn', 'link');
    if (BY_NAME[name]) back[name] = defaults[name];
  }
  form.write(back, d.plan ? d.plan.layers : null);
  form.dropUnused();
}

const exporter = new Exporter(() => shown, notices);
const gallery = new GalleryUI((entry, image, exemplar) => {
  shown = {image, name: entry.name, sample: entry.sample, loss: entry.loss, lossKind: entry.lossKind, seed: entry.seed, width: entry.width,
    iter: entry.iter, iters: entry.iters, text: entry.text, hash: entry.hash, done: entry.done};
  kept = image;
  view.show(image, `kept run: from ${entry.name} · ${entry.width} px · iteration ${entry.iter} of ${entry.iters}`, `a kept texture, ${entry.width} pixels`);
  if (form) form.write(entry.text);
  if (entry.sample) c.useSample(entry.sample);
  else c.usePixels(exemplar, entry.name);
  status(`Reopened a kept run (${entry.name}, ${entry.width} px). Its settings are in the form; Start runs it again.`);
  formChanged();
  buttons();
}, notices);
const variations = new Variations(c, (cell) => {
  const r = cell.result;
  shown = {...shown, image: r.image, seed: cell.seed, iter: r.iter, iters: r.iters, width: r.width, done: true,
    text: {...r.run.text, seed: String(cell.seed)}, hash: toHash({...r.run.text, seed: String(cell.seed)}, r.run.exemplar.sample)};
  view.show(r.image, `from ${r.run.exemplar.name} · ${r.width} px · seed ${cell.seed} (picked)`);
  form.write({seed: String(cell.seed)});
  formChanged();
  keepShown();
});
const weightsUI = new WeightsUI(c, {name: $('weights-name'), inUse: $('weights-in-use'), input: $('weights-input'),
  builtin: $('weights-builtin'), pretrained: $('weights-pretrained'), cached: $('weights-cached'), progress: $('weights-progress')}, notices);

// Weights of another network (VGG-16 after VGG-19, or back) have layers of their own: the form's
// layer list follows them, and the default layers become the new network's.
c.addEventListener('weights', (e) => {
  if (!form || !e.detail.schema) return;
  const lists = layerLists(c.schema);
  const taps = lists.layersList;
  const was = defaults.layers;
  defaults = {...defaults, layers: taps};
  const reset = form.setSchema(c.schema);
  // An experiment preset that asked for this network sets its own layers again.
  if (menu && menu.weightsChanged({...menu.defaults, layers: taps, ...lists})) {
    formChanged();
    return;
  }
  if (reset && was !== taps) {
    notices.show(`The layers are now this network's default: ${taps.replaceAll(',', ', ')}.`, 'info', 'weights-layers');
  }
  formChanged();
});

c.useSample(SAMPLES.includes(link.sample) ? link.sample : 'bricks');
if (link.sample && !SAMPLES.includes(link.sample)) notices.show(`sample=${link.sample} in the link is not one of the drawn samples (${SAMPLES.join(', ')}); using bricks.`, 'warn', 'link');
ui.start.addEventListener('click', start);
ui.pause.addEventListener('click', () => (c.state === 'paused' ? c.resume() : c.pause()));
ui.stop.addEventListener('click', () => { if (variations.running) variations.cancel('stopped'); c.stop(); });
ui.more.addEventListener('click', () => {
  const n = Math.round(+ui.moreIters.value);
  if (!(n >= 1)) return notices.show('Continue for how many iterations? Give a whole number, 1 or more.', 'error', 'run');
  c.more(n);
});
$('variations').addEventListener('click', () => {
  if (variations.running) { variations.cancel('stopped'); c.stop(); return; }
  const text = form.read();
  if (text.layers !== null) variations.start(text);
});
window.addEventListener('hashchange', () => {
  if (!form || location.hash === toHash(form.read(), sample)) return;
  const h = fromHash(location.hash);
  link.text = h.text;
  link.unknown = h.unknown;
  if (h.sample && SAMPLES.includes(h.sample) && h.sample !== sample) c.useSample(h.sample);
  readLink();
});
document.addEventListener('visibilitychange', () => {
  if (document.hidden && c.busy) document.title = `${c.run.iter}/${c.run.iters} · texsynth (running)`;
});
window.addEventListener('resize', () => chart.draw());
status('Loading the synthesis engine…', true);
buttons();
view.layout();

// Test hooks: the controller, the losses, the presets, the measured speed.
window.texsynth = {controller: () => c, engine: () => c.engine, text: () => form && form.read(), described: () => described,
  losses: () => chart.points.map(([, l]) => l), presets: () => menu.presets, shown: () => shown, profile: () => speed.profile,
  sizes: SIZES, calibrate: () => speed.measure()};
