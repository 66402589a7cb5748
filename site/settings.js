// The run's settings as the page holds them, their URL-hash form, and the presets. Field names
// are synth.Settings' in lowerCamelCase; the Go core checks the values (synth.New), so the page
// and the command line refuse the same things.

// Every tap of VGG-16 in network order, by block.
export const BLOCKS = [
  ['conv1_1', 'conv1_2', 'pool1'],
  ['conv2_1', 'conv2_2', 'pool2'],
  ['conv3_1', 'conv3_2', 'conv3_3', 'pool3'],
  ['conv4_1', 'conv4_2', 'conv4_3', 'pool4'],
  ['conv5_1', 'conv5_2', 'conv5_3'],
];
export const TAPS = BLOCKS.flat();
export const CONVS = TAPS.filter((t) => t.startsWith('conv'));
export const DEFAULT_LAYERS = CONVS.slice(0, 10); // relu1_1 … relu4_3
export const SIZES = [64, 128, 256];
export const LOSSES = ['sw', 'gram', 'emd', 'emd-seed'];
export const PADS = ['zero', 'reflect', 'circular'];
export const OPTIMIZERS = ['lbfgs', 'adam'];

// defaults are synth.Defaults() except the size: 64 px, where a texture takes about half a
// minute in the browser (128 px about a minute) and a worker about 400 MB, which matters when a
// course page holds several <texture-synth> elements. levels 0 is auto: single scale at 64 px, two levels from 128 px.
export function defaults() {
  return {
    size: 64, iters: 100, loss: 'sw', gramNorm: 'relative', layers: DEFAULT_LAYERS.slice(),
    layerWeights: 'uniform', pad: 'zero', optimizer: 'lbfgs', seed: 1, redraw: 30, exemplarSize: 0,
    levels: 0, spectrumWeight: 0,
  };
}

// Presets: two of the page's own, then the experiments of core/presets (the seed's Q1–Q6 and
// beyond), which the worker sends at the current size (questionPresets). A preset sets the
// fields in PRESET_FIELDS and leaves the size, iterations and seed alone. `sample` names the
// drawn exemplar the experiment needs, if it needs one.
export const PRESET_FIELDS = ['loss', 'gramNorm', 'layers', 'layerWeights', 'pad', 'optimizer', 'redraw', 'exemplarSize', 'levels', 'spectrumWeight'];

export const LOCAL_PRESETS = {
  default: {
    label: 'Default: sliced Wasserstein, 10 layers',
    note: 'Sliced Wasserstein on relu1_1 … relu4_3: the reference setting, and the one that works best with untrained weights.',
    settings: pick(defaults()),
  },
  tileable: {
    label: 'Tileable: circular padding',
    note: 'Every convolution wraps around, so the output tiles seamlessly (see the 3×3 preview).',
    settings: {...pick(defaults()), pad: 'circular'},
  },
};

function pick(s) {
  return Object.fromEntries(PRESET_FIELDS.map((f) => [f, s[f]]));
}

// The shared sample files core/presets names, and the drawn samples that stand in for them.
const SAMPLE_FOR = {'coffee.png': 'scene', 'brick.png': 'bricks'};

// questionPresets turns the worker's questions into presets: each question's chosen cell.
export function questionPresets(questions) {
  const out = {};
  for (const q of questions) {
    const cell = q.cells[q.preset];
    if (!cell) continue;
    const s = {...defaults(), ...cell.settings};
    s.layers = parseLayers(cell.settings.layers) || DEFAULT_LAYERS.slice();
    out[q.id] = {
      label: q.title.replace(/ - /, ': '),
      note: `${cell.label}. ${q.explanation}`,
      settings: pick(s),
      sample: SAMPLE_FOR[cell.exemplar] || '',
    };
  }
  return out;
}

// presetOf names the preset s matches, or ''; prefer (the one chosen) wins if it matches.
export function presetOf(s, presets, prefer = '') {
  const matches = (p) => PRESET_FIELDS.every((f) => (f === 'layers' ? p.settings.layers.join() === s.layers.join() : p.settings[f] === s[f]));
  if (presets[prefer] && matches(presets[prefer])) return prefer;
  for (const [name, p] of Object.entries(presets)) if (matches(p)) return name;
  return '';
}

// parseLayers reads synth.Settings.Layers ("" the default ten, "all" the 13 convs, or a comma
// list; reluX_Y for convX_Y) into taps in network order; null if a name is unknown.
export function parseLayers(v) {
  v = (v || '').trim();
  if (v === '') return DEFAULT_LAYERS.slice();
  const list = v === 'all' ? CONVS : v.split(',').map((t) => t.trim().replace(/^relu/, 'conv'));
  return list.length && list.every((t) => TAPS.includes(t)) ? TAPS.filter((t) => list.includes(t)) : null;
}

// layersSpec is the layer list as synth.Settings.Layers takes it.
export function layersSpec(layers) {
  return layers.join() === CONVS.join() ? 'all' : layers.join(',');
}

// coreSettings is s as the worker's start message takes it.
export function coreSettings(s) {
  return {
    size: s.size, iters: s.iters, loss: s.loss, gramNorm: s.gramNorm, layers: layersSpec(s.layers),
    layerWeights: s.layerWeights, pad: s.pad, optimizer: s.optimizer, seed: s.seed,
    redraw: s.redraw, exemplarSize: s.exemplarSize, levels: s.levels, spectrumWeight: s.spectrumWeight,
  };
}

const HASH_KEYS = {
  size: 'size', iters: 'iters', loss: 'loss', gramNorm: 'norm', layers: 'layers',
  layerWeights: 'weights', pad: 'pad', optimizer: 'opt', seed: 'seed', redraw: 'redraw',
  exemplarSize: 'ex', levels: 'levels', spectrumWeight: 'spectrum',
};

// toHash writes s (and the drawn sample in use, if any) as a URL hash.
export function toHash(s, sample) {
  const p = new URLSearchParams();
  for (const [field, key] of Object.entries(HASH_KEYS)) {
    p.set(key, field === 'layers' ? layersSpec(s.layers) : String(s[field]));
  }
  if (sample) p.set('sample', sample);
  return '#' + p.toString().replaceAll('%2C', ',').replaceAll('%3A', ':');
}

// FIELDS says how each setting is read from text (a link's hash, an element's attribute) and,
// for messages, what it accepts. read returns null for a value it does not understand.
const wholeNumber = (lo, hi) => ({
  read: (v) => (/^-?\d+$/.test(v) && +v >= lo && +v <= hi ? +v : null),
  accepts: `a whole number from ${lo} to ${hi}`,
});
const oneOf = (list) => ({read: (v) => (list.includes(v) ? v : null), accepts: list.join(', ')});
export const FIELDS = {
  size: wholeNumber(16, 1024),
  iters: wholeNumber(1, 100000),
  loss: oneOf(LOSSES),
  gramNorm: oneOf(['relative', 'seed']),
  layers: {read: (v) => (v ? parseLayers(v) : null), accepts: 'a comma list of conv1_1 … conv5_3 and pool1 … pool4 (e.g. conv1_1,pool1,conv2_1), or all'},
  layerWeights: {read: (v) => v || null, accepts: 'uniform, linear:d, geometric:q or one number per layer'},
  pad: oneOf(PADS),
  optimizer: oneOf(OPTIMIZERS),
  seed: wholeNumber(0, 2 ** 31 - 1),
  redraw: wholeNumber(1, 100000),
  exemplarSize: wholeNumber(-1, 1024),
  levels: wholeNumber(0, 5),
  spectrumWeight: {read: (v) => (/^\d+(\.\d+)?$/.test(v) ? +v : null), accepts: 'a number ≥ 0'},
};

// fromHash reads a hash written by toHash; unknown or malformed values keep the defaults and
// are listed in `ignored`.
export function fromHash(hash) {
  const s = defaults();
  const ignored = [];
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [field, key] of Object.entries(HASH_KEYS)) {
    if (!p.has(key)) continue;
    const v = p.get(key).trim();
    const x = FIELDS[field].read(v);
    if (x === null) ignored.push(`${key}=${v}`);
    else s[field] = x;
  }
  return {settings: s, sample: p.get('sample') || '', ignored};
}

// scheduleWeights computes the layer weights a schedule gives n layers, for display only (the
// core checks and computes its own); null when the spec is not understood.
export function scheduleWeights(spec, n) {
  const [name, arg] = spec.split(':').map((x) => x.trim());
  if (name === 'uniform' && arg === undefined) return Array(n).fill(1);
  const x = Number(arg);
  if (arg !== undefined && arg !== '' && Number.isFinite(x)) {
    if (name === 'linear') return Array.from({length: n}, (_, i) => 1 + i * x);
    if (name === 'geometric') return Array.from({length: n}, (_, i) => x ** i);
  }
  const list = spec.split(',').map((t) => Number(t.trim()));
  if (list.length === n && list.every(Number.isFinite)) return list;
  return null;
}
