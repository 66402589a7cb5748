// The settings table: every setting of a run once, with how the page's form shows it, its name
// in a link's #hash and as an attribute of <texture-synth>. What a setting accepts (bounds,
// options, defaults) is not written here: it comes from the Go core (the worker's schema,
// core/synth.Fields), and values are read and checked by the core's own parser (describe), so the
// page, the element, the iframe and the command line refuse the same things with the same words.
// Settings travel as text, {name: '128', …}, as links and attributes hold them.

// Each entry: name (synth.Settings' field in lowerCamelCase), key (in the #hash), attr (the
// element's attribute), label, control (how the form shows it), names (words for a choice's
// values; a value the core offers without a word here is shown as it is), when (shown only
// when it matters), advanced (under "Advanced"), step (number inputs).
export const TABLE = [
  {name: 'size', key: 'size', attr: 'size', label: 'Output size', control: 'size'},
  {name: 'iters', key: 'iters', attr: 'iterations', label: 'Iterations', control: 'number'},
  {name: 'loss', key: 'loss', attr: 'loss', label: 'Loss', control: 'select',
    names: {sw: 'sliced Wasserstein', gram: 'Gram matrices', emd: 'EMD (per channel)', 'emd-seed': 'EMD as the seed wrote it'}},
  {name: 'gramNorm', key: 'norm', attr: 'gram-norm', label: 'Gram normalisation', control: 'select',
    names: {relative: 'relative ‖G−T‖²/‖T‖²', seed: 'seed: G/(HWC), sum/4'}, when: (t) => t.loss === 'gram'},
  {name: 'pad', key: 'pad', attr: 'pad', label: 'Padding', control: 'select',
    names: {zero: 'zero', reflect: 'reflect', circular: 'circular (tileable)'}},
  {name: 'optimizer', key: 'opt', attr: 'optimizer', label: 'Optimiser', control: 'select',
    names: {lbfgs: 'L-BFGS', adam: 'Adam (lr 0.02)'}},
  {name: 'seed', key: 'seed', attr: 'seed', label: 'Seed', control: 'number', step: '1'},
  {name: 'layers', key: 'layers', attr: 'layers', label: 'Layers', control: 'layers'},
  {name: 'layerWeights', key: 'weights', attr: 'layer-weights', label: 'Layer weights', control: 'schedule'},
  {name: 'redraw', key: 'redraw', attr: 'redraw', label: 'Redraw directions (sw) every', control: 'number', step: '1',
    advanced: true, when: (t) => t.loss === 'sw'},
  {name: 'exemplarSize', key: 'ex', attr: 'exemplar-size', label: 'Exemplar scale', control: 'select', advanced: true,
    names: {0: 'fit to the output size', '-1': 'as it is'}},
  {name: 'levels', key: 'levels', attr: 'levels', label: 'Coarse-to-fine levels', control: 'select', advanced: true,
    names: {0: 'auto (2 from 64 px)', 1: '1 (single scale)'}},
  {name: 'spectrumWeight', key: 'spectrum', attr: 'spectrum-weight', label: 'Spectrum term weight', control: 'number', step: 'any', advanced: true},
  {name: 'engine', key: 'engine', attr: 'engine', label: 'Engine', control: 'select', advanced: true,
    names: {auto: 'auto (GPU if any)', webgpu: 'WebGPU', wasm: 'wasm SIMD (CPU)'}},
];

export const BY_NAME = Object.fromEntries(TABLE.map((e) => [e.name, e]));

// The sizes the menu offers; a link may ask for any size the core accepts.
export const SIZES = [64, 128, 256, 512, 1024];

// The page's own default differs from the core's in one place: 64 px, where a texture takes
// about half a minute in the browser (the core's 128 px about a minute) and a worker about 360 MB,
// which matters when a course page holds several <texture-synth> elements.
export const PAGE_DEFAULTS = {size: '64'};

// field returns the core's description of a setting ({kind, min, max, options, default}).
export function field(schema, name) {
  return schema.fields.find((f) => f.name === name);
}

// defaultText is every setting at its default, as text; the layers as the list the core's
// default names (an empty list is refused, as the command line refuses -layers "").
export function defaultText(schema) {
  const t = {};
  for (const e of TABLE) {
    const f = field(schema, e.name);
    t[e.name] = f.kind === 'layers' ? f.default.join(',') : String(f.default);
  }
  return {...t, ...PAGE_DEFAULTS};
}

// options are a choice's values, as the core lists them, with the table's words; a number
// choice (levels, exemplar scale) offers its range, its special values first.
export function options(schema, name) {
  const e = BY_NAME[name];
  const f = field(schema, name);
  if (f.kind === 'choice') return f.options.map((v) => [v, (e.names && e.names[v]) || v]);
  const special = Object.keys(e.names || {});
  const list = special.map((v) => [v, e.names[v]]);
  if (name === 'levels') for (let l = 2; l <= f.max; l++) list.push([String(l), `${l}`]);
  return list;
}

// fromHash reads a link's #hash: {text, sample, unknown}. The values are text for the core to
// read; unknown lists the keys that are no setting.
export function fromHash(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const byKey = Object.fromEntries(TABLE.map((e) => [e.key, e.name]));
  const text = {};
  const unknown = [];
  let sample = '';
  for (const [k, v] of p) {
    if (k === 'sample') sample = v.trim();
    else if (byKey[k]) text[byKey[k]] = v.trim();
    else unknown.push(k);
  }
  return {text, sample, unknown};
}

// toHash writes settings (text) and the drawn sample in use as a #hash.
export function toHash(text, sample) {
  const p = new URLSearchParams();
  for (const e of TABLE) if (text[e.name] !== undefined) p.set(e.key, text[e.name]);
  if (sample) p.set('sample', sample);
  return '#' + p.toString().replaceAll('%2C', ',').replaceAll('%3A', ':');
}

// fromAttributes reads an element's setting attributes as text.
export function fromAttributes(el) {
  const text = {};
  for (const e of TABLE) {
    const v = el.getAttribute(e.attr);
    if (v !== null) text[e.name] = v.trim();
  }
  return text;
}

export const ATTRIBUTES = TABLE.map((e) => e.attr);

// messageFor turns the core's refusal of a field into what a person reads, naming where the value
// came from (the link, an attribute, the form).
export function messageFor(name, message, where) {
  const e = BY_NAME[name];
  if (!e) return `${name ? `"${name}": ` : ''}${message}.`;
  const given = where === 'link' ? `${e.key}= in the link` : where === 'attribute' ? `The ${e.attr} attribute` : e.label;
  return `${given}: ${message}.`;
}

// ordered lists refusals ({name: message}) in the table's order, names it does not know last.
export function ordered(errors) {
  const at = (n) => (BY_NAME[n] ? TABLE.indexOf(BY_NAME[n]) : TABLE.length);
  return Object.entries(errors).sort(([a], [b]) => at(a) - at(b));
}

// summary says a run's settings in a few words (typed settings, as the core returns them).
export function summary(s, layers) {
  const loss = BY_NAME.loss.names[s.loss] || s.loss;
  const on = !layers ? 'the default layers' : layers.length <= 3 ? layers.join(', ') : `${layers.length} layers (${layers[0]} … ${layers[layers.length - 1]})`;
  return `${loss} on ${on}; ${s.size} px, ${s.iters} iterations, seed ${s.seed}${s.pad === 'circular' ? ', tileable' : ''}.`;
}
