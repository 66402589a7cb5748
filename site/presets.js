// Presets: a few in plain words first, then the seed write-up's experiments (core/presets,
// Q1–Q7), each the one cell of its question's grid the page offers. A preset sets the fields in
// FIELDS and keeps the size, iterations and seed; its note says exactly what it sets.

import {BY_NAME} from './settings.js';

export const FIELDS = ['loss', 'gramNorm', 'layers', 'layerWeights', 'pad', 'optimizer', 'redraw', 'exemplarSize', 'levels', 'spectrumWeight'];

// The plain presets, as text over the defaults (or a function of the form's settings, for one
// that depends on the size). Each was looked at against the default on the pebbles of
// ../shared/textures at 64 px.
export const PLAIN = [
  {id: 'balanced', label: 'Balanced (the default)', text: {},
    about: 'Sliced Wasserstein on the network\'s default layers (relu1_1 … relu3_4 of the pretrained VGG-19; relu1_1 … relu4_3 of the untrained VGG-16), from a grey start, with the half-scale term, in two levels from 64 px up: chosen by measurement (docs/quality.md).'},
  {id: 'large', label: 'Large structures', text: (t) => ({exemplarSize: String(Math.min(1024, 2 * (+t.size || 64)))}),
    about: 'The exemplar is kept at twice the output\'s scale, so its shapes come out twice as large (and fewer of them fit). Computing its features costs more at large sizes.'},
  {id: 'quick', label: 'Quick (shallow layers)', text: {layers: 'conv1_1,conv1_2,pool1,conv2_1,conv2_2,pool2,conv3_1'},
    about: 'Only the layers up to conv3_1: each iteration is about 2.5 times less work (the size menu shows the time); colours and small shapes, less of the large ones.'},
  {id: 'tileable', label: 'Tileable', text: {pad: 'circular'},
    about: 'Every convolution wraps around the edges, so the texture tiles without seams: check with the "tiled" and "offset by half" views.'},
];

// textOf is a preset's text for the form's current settings.
export function textOf(p, current) {
  return typeof p.text === 'function' ? p.text(current || {}) : p.text;
}

// The shared sample files core/presets names, and the drawn samples that stand in for them.
const SAMPLE_FOR = {'coffee.png': 'scene', 'brick.png': 'bricks'};

// questions turns the worker's experiments into presets.
export function questions(list, iters) {
  return list.map((q) => {
    const cell = q.cells[q.preset];
    const text = {};
    for (const f of FIELDS) {
      const v = cell.settings[f];
      text[f] = v === undefined || v === null ? (f === 'levels' || f === 'spectrumWeight' ? '0' : '') : String(v);
    }
    const note = cell.settings.iters && cell.settings.iters !== iters
      ? ` The experiment ran this cell with ${cell.settings.iters} iterations; the preset keeps yours.` : '';
    return {id: q.id, label: q.title.replace(/ - /, ': '), text, sample: SAMPLE_FOR[cell.exemplar] || '',
      about: `${q.explanation} The experiment compares ${q.cells.length} settings side by side (make experiments); this preset is one of them, "${cell.label}".${note}`};
  });
}

// says lists what a preset sets that differs from the defaults, in the form's words.
export function says(preset, defaults, current) {
  const parts = [];
  const text = textOf(preset, current);
  for (const f of FIELDS) {
    const v = text[f] !== undefined ? text[f] : defaults[f];
    if (canon(v, f, defaults) === canon(defaults[f], f, defaults)) continue;
    const e = BY_NAME[f];
    const words = (e.names && e.names[v]) || (f === 'layers' ? layersWords(v) : f === 'exemplarSize' ? `${v} px` : v);
    parts.push(`${e.label.toLowerCase()} ${words}`);
  }
  const sets = parts.length ? `Sets ${parts.join(', ')}; the rest at the defaults.` : 'Sets every setting to its default.';
  return `${sets} Keeps the size, iterations and seed.${preset.sample ? ` Uses the drawn "${preset.sample}" sample (a picture that is not a texture).` : ''}`;
}

function layersWords(v) {
  if (v === 'all') return 'all 13 conv';
  const list = v.split(',');
  return list.length <= 4 ? list.join(', ') : `${list[0]} … ${list[list.length - 1]} (${list.length})`;
}

// full returns the preset's text over the defaults, for the preset fields only, for the form's
// current settings.
export function full(preset, defaults, current) {
  const t = {};
  const text = textOf(preset, current);
  for (const f of FIELDS) t[f] = text[f] !== undefined ? text[f] : defaults[f];
  return t;
}

// matching names the preset whose fields equal text's, preferring prefer; '' for none.
export function matching(text, presets, defaults, prefer = '') {
  const same = (p) => FIELDS.every((f) => canon(full(p, defaults, text)[f], f, defaults) === canon(text[f], f, defaults));
  const found = presets.find((p) => p.id === prefer && same(p)) || presets.find(same);
  return found ? found.id : '';
}

function canon(v, f, defaults) {
  v = v === undefined || v === null ? '' : String(v);
  if (f === 'layers') return v === '' ? defaults.layersList : v === 'all' ? defaults.allList : v;
  if (f === 'spectrumWeight' || f === 'levels' || f === 'redraw' || f === 'exemplarSize') return String(+v);
  return v;
}
