// embed.html's script: one <texture-synth> set up from the address's #hash, whose progress is
// posted to the page that frames it. docs/embedding.md is the author's guide; docs/security.md
// says what a framing page can and cannot learn.
//
//   <iframe src="texsynth/embed.html#size=48&iterations=30&sample=waves" width="480" height="320"></iframe>
//
// Posted to the parent, to its origin only: {source: 'texsynth', type, ...} with type ready,
// started {iters, size, layers, engine}, frame {iter, iters, loss, seconds}, done / stopped {iter,
// iters, loss, seconds}, engine {engine} (the GPU failed; the run goes on with the wasm kernels),
// error {message, kind, during}, snapshot {dataURL, iter, iters} (only when asked). engine names
// the engine in use: "WebGPU · <adapter>" or "wasm SIMD128, 1 thread". No pixels travel unless the parent asks for a snapshot.
// Accepted from the parent: {type: 'start' | 'stop' | 'pause' | 'resume' | 'snapshot' | 'hello'},
// and {type: 'exemplar', image: ImageData or {width, height, data}} (pixels) or {type:
// 'exemplar', file: ArrayBuffer or Blob, name} (an image file's bytes, decoded as the command
// line decodes it).
//
// The frame never fetches anything a framing page names: its exemplar is a drawn sample (the
// hash's sample=), a picture the person inside the frame picks or drops (controls), or pixels the
// parent posts. A page on any site may frame it, so nothing it could be pointed at is reachable.
import {OPTION_ATTRIBUTES} from './texture-synth.js';
import {TABLE} from './settings.js';

// The hash takes the element's attribute names and the main page's hash names (so the settings
// part of its link can be pasted here as it is), and the options but exemplar=.
const NAMES = Object.fromEntries(TABLE.flatMap((e) => [[e.key, e.attr], [e.attr, e.attr]]));
const OPTIONS = OPTION_ATTRIBUTES.filter((a) => a !== 'exemplar');
const FLAGS = ['controls', 'autostart'];
const KNOWN = [...new Set([...Object.values(NAMES), ...OPTIONS])];

// attributesFrom reads a hash into the element's attributes; a flag is on unless it says 0,
// false or no. Names the frame does not take are listed in `ignored`.
function attributesFrom(hash) {
  const attrs = {};
  const ignored = [];
  for (const [key, value] of new URLSearchParams(hash.replace(/^#/, ''))) {
    const name = NAMES[key] || (OPTIONS.includes(key) ? key : null);
    if (!name) ignored.push(key);
    else if (!FLAGS.includes(name)) attrs[name] = value;
    else if (!['0', 'false', 'no'].includes(value.trim().toLowerCase())) attrs[name] = '';
  }
  return {attrs, ignored};
}

function configure(synth) {
  const {attrs, ignored} = attributesFrom(location.hash);
  for (const name of KNOWN) {
    if (name in attrs) synth.setAttribute(name, attrs[name]);
    else synth.removeAttribute(name);
  }
  const note = document.getElementById('ignored');
  note.hidden = !ignored.length;
  note.textContent = `Ignored in the address (not a setting of the embedded synthesiser): ${ignored.join(', ')}. Known: ${KNOWN.join(', ')}.` +
    (ignored.includes('exemplar') ? ' A framed synthesiser loads no picture from an address: choose one here, or the framing page posts its pixels.' : '');
}

// The parent's origin, the only one messages go to: the browser says it (ancestorOrigins, or
// the referrer the parent's page sent); otherwise it is the origin of the parent's first message.
// An opaque origin (a file:// page, a sandboxed frame) cannot be named, so it gets nothing.
let parentOrigin = null;
function knownParent() {
  if (window.parent === window) return null;
  const ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length) return ancestors[0];
  try { return document.referrer ? new URL(document.referrer).origin : null; } catch (e) { return null; }
}
parentOrigin = knownParent();

const queue = []; // messages before the parent's origin is known
function tell(type, detail) {
  if (window.parent === window) return;
  const m = {source: 'texsynth', type, ...detail};
  if (!parentOrigin) {
    if (queue.length < 100) queue.push(m);
    return;
  }
  if (parentOrigin !== 'null') window.parent.postMessage(m, parentOrigin);
}

const synth = document.createElement('texture-synth');
configure(synth); // before it joins the page, so it starts out with the right exemplar
document.getElementById('frame').append(synth);
window.addEventListener('hashchange', () => configure(synth));

const pass = (type, pick) => synth.addEventListener(`texsynth-${type}`, (e) => tell(type, pick(e.detail)));
const progress = (d) => ({iter: d.iter, iters: d.iters, loss: d.loss, seconds: d.seconds});
pass('ready', () => ({}));
pass('started', (d) => ({iters: d.iters, size: d.size, layers: d.layers, engine: d.engine}));
pass('engine', (d) => ({engine: d.engine}));
pass('frame', progress);
pass('done', progress);
pass('stopped', progress);
pass('error', (d) => ({message: d.message, kind: d.kind, during: d.during}));

// Commands come from the framing page only (not from another window that reaches this frame).
window.addEventListener('message', (e) => {
  if (e.source !== window.parent || window.parent === window || !e.data || typeof e.data !== 'object') return;
  if (!parentOrigin) {
    parentOrigin = e.origin;
    for (const m of queue.splice(0)) if (parentOrigin !== 'null') window.parent.postMessage(m, parentOrigin);
  }
  if (e.origin !== parentOrigin) return;
  const m = e.data;
  switch (m.type) {
    case 'start': synth.start(); break;
    case 'stop': synth.stop(); break;
    case 'pause': synth.pause(); break;
    case 'resume': synth.resume(); break;
    case 'exemplar':
      if (m.image) synth.useImage(m.image, typeof m.name === 'string' ? m.name.slice(0, 80) : 'the posted picture');
      else if (m.file instanceof ArrayBuffer || m.file instanceof Blob) synth.usePicture(m.file, typeof m.name === 'string' ? m.name.slice(0, 80) : 'the posted picture');
      break;
    case 'snapshot': {
      const last = synth.lastFrame || {iter: 0, iters: 0};
      tell('snapshot', {dataURL: synth.snapshot(), iter: last.iter, iters: last.iters});
      break;
    }
  }
});
