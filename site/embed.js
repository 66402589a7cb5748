// embed.html's script: one <texture-synth> set up from the address's #hash, whose progress is
// posted to the page that frames it (window.parent). docs/embedding.md is the author's guide.
//
//   <iframe src="texsynth/embed.html#size=48&iterations=30&sample=waves" width="480" height="320"></iframe>
//
// Posted to the parent: {source: 'texsynth', type, ...} with type ready, started {iters, size,
// layers}, frame {iter, iters, loss, seconds}, done / stopped {iter, iters, loss, seconds},
// error {message, kind, during}, snapshot {dataURL, iter, iters} (only when asked). No pixels
// travel unless the parent asks for a snapshot.
// Accepted from the parent: {type: 'start' | 'stop' | 'pause' | 'resume' | 'snapshot'}.
import {OPTION_ATTRIBUTES, SETTING_ATTRIBUTES} from './texture-synth.js';

// The main page's own hash names, so the settings part of its link can be pasted here as it is.
const PAGE_NAMES = {iters: 'iterations', weights: 'layer-weights', opt: 'optimizer'};
const FLAGS = ['controls', 'autostart'];
const KNOWN = [...Object.keys(SETTING_ATTRIBUTES), ...OPTION_ATTRIBUTES];

// attributesFrom reads a hash into the element's attributes; a flag is on unless it says 0,
// false or no. Names the element does not know are listed in `ignored`.
function attributesFrom(hash) {
  const attrs = {};
  const ignored = [];
  for (const [key, value] of new URLSearchParams(hash.replace(/^#/, ''))) {
    const name = PAGE_NAMES[key] || key;
    if (!KNOWN.includes(name)) ignored.push(key);
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
  note.textContent = `Ignored in the address (not a setting of the embedded synthesiser): ${ignored.join(', ')}. Known: ${KNOWN.join(', ')}.`;
}

// tell posts a progress event to the framing page. The target origin is '*': these events are
// not sensitive (counters and a loss, no pixels), and the framing page may be on any site.
function tell(type, detail) {
  if (window.parent !== window) window.parent.postMessage({source: 'texsynth', type, ...detail}, '*');
}

const synth = document.createElement('texture-synth');
configure(synth); // before it joins the page, so it starts out with the right exemplar
document.getElementById('frame').append(synth);
window.addEventListener('hashchange', () => configure(synth));

const pass = (type, pick) => synth.addEventListener(`texsynth-${type}`, (e) => tell(type, pick(e.detail)));
const progress = (d) => ({iter: d.iter, iters: d.iters, loss: d.loss, seconds: d.seconds});
pass('ready', () => ({}));
pass('started', (d) => ({iters: d.iters, size: d.size, layers: d.layers}));
pass('frame', progress);
pass('done', progress);
pass('stopped', progress);
pass('error', (d) => ({message: d.message, kind: d.kind, during: d.during}));

// Commands come from the framing page only. A snapshot holds pixels (perhaps grown from a
// picture of the user's), so it goes to the asking page's origin alone; '*' only when that
// origin is opaque (a file:// page), which cannot be named.
window.addEventListener('message', (e) => {
  if (e.source !== window.parent || window.parent === window || !e.data || typeof e.data !== 'object') return;
  switch (e.data.type) {
    case 'start': synth.start(); break;
    case 'stop': synth.stop(); break;
    case 'pause': synth.pause(); break;
    case 'resume': synth.resume(); break;
    case 'snapshot': {
      const last = synth.lastFrame || {iter: 0, iters: 0};
      const reply = {source: 'texsynth', type: 'snapshot', dataURL: synth.snapshot(), iter: last.iter, iters: last.iters};
      e.source.postMessage(reply, e.origin === 'null' ? '*' : e.origin);
      break;
    }
  }
});
