// What a person keeps of a run: exports (PNG at the size made, tiled, WebP/JPEG, the
// clipboard), the recent runs kept in this browser (gallery.js), and variations: the same
// settings with N seeds run one after the other, one of which is picked.

import {copy, fileName, render, save} from './export.js';
import {Gallery, ago, blobToImageData, thumbnail} from './gallery.js';

const $ = (id) => document.getElementById(id);

export class Exporter {
  // shown() returns what the output shows: {image, name, loss, seed, width, iter} or null.
  constructor(shown, notices) {
    this.shown = shown;
    this.notices = notices;
    this.el = {format: $('format'), quality: $('quality'), qualityValue: $('quality-value'), qualityField: $('quality-field'),
      tiles: $('tiles'), download: $('download'), copy: $('copy'), note: $('export-note')};
    for (const c of [this.el.format, this.el.quality, this.el.tiles]) c.addEventListener('input', () => this.refresh());
    this.el.download.addEventListener('click', () => this.download());
    this.el.copy.addEventListener('click', () => this.copy());
    this.refresh();
  }

  options() {
    return {type: this.el.format.value, quality: +this.el.quality.value / 100, tiles: +this.el.tiles.value};
  }

  refresh() {
    const o = this.options();
    const s = this.shown();
    this.el.qualityField.hidden = o.type === 'image/png';
    this.el.qualityValue.textContent = this.el.quality.value;
    this.el.download.disabled = this.el.copy.disabled = !s;
    this.el.download.textContent = `Download ${o.type.split('/')[1].toUpperCase().replace('JPEG', 'JPEG')}`;
    this.el.note.textContent = s ? `${fileName(s, o)}: ${s.width * o.tiles} × ${s.width * o.tiles} px.` : '';
  }

  async download() {
    const s = this.shown();
    if (!s) return;
    const o = this.options();
    try {
      save(await render(s.image, o), fileName(s, o));
    } catch (e) {
      this.notices.show(`Cannot export: ${e.message}.`, 'error', 'export');
    }
  }

  async copy() {
    const s = this.shown();
    if (!s) return;
    try {
      await copy(await render(s.image, {...this.options(), type: 'image/png'}));
      this.notices.show(`Copied the texture (${s.width * this.options().tiles} px, PNG) to the clipboard.`, 'info', 'export');
    } catch (e) {
      this.notices.show(`Cannot copy to the clipboard: ${e.message}. Download it instead.`, 'error', 'export');
    }
  }
}

export class GalleryUI {
  // open(entry, image) shows a kept run again.
  constructor(open, notices) {
    this.store = new Gallery();
    this.open = open;
    this.notices = notices;
    this.list = $('gallery');
    this.empty = $('gallery-empty');
    this.urls = [];
    this.render();
  }

  // keep stores the shown run ({image, name, …, text, hash, sample, exemplar canvas}).
  async keep(s, exemplarCanvas) {
    try {
      const c = document.createElement('canvas');
      c.width = s.image.width;
      c.height = s.image.height;
      c.getContext('2d').putImageData(s.image, 0, 0);
      const png = await new Promise((r) => c.toBlob(r, 'image/png'));
      await this.store.add({png, thumb: await thumbnail(c), exemplar: await thumbnail(exemplarCanvas, 512),
        name: s.name, sample: s.sample, text: s.text, hash: s.hash, width: s.width, iter: s.iter, iters: s.iters,
        loss: s.loss, seed: s.seed, lossKind: s.lossKind, done: s.done});
      await this.render();
    } catch (e) {
      this.notices.show(`This run could not be kept in the browser (${e.message}); download it to keep it.`, 'warn', 'gallery');
    }
  }

  async render() {
    const all = await this.store.list();
    for (const u of this.urls) URL.revokeObjectURL(u);
    this.urls = [];
    this.list.replaceChildren();
    this.empty.hidden = all.length > 0;
    for (const e of all) {
      const li = document.createElement('li');
      li.setAttribute('data-testid', 'gallery-item');
      const img = document.createElement('img');
      const url = URL.createObjectURL(e.thumb);
      this.urls.push(url);
      img.src = url;
      img.alt = `texture from ${e.name}, ${e.width} px`;
      const cap = document.createElement('span');
      cap.className = 'small';
      cap.textContent = `${e.name.replace(/^sample /, '')} · ${e.width} px · ${e.iter}${e.done ? '' : ` of ${e.iters}`} it · ${ago(e.when)}`;
      const row = document.createElement('span');
      row.className = 'row small';
      for (const [words, act] of [['Open', () => this.reopen(e.id)], ['Download', () => this.download(e)], ['Delete', () => this.remove(e.id)]]) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'link';
        b.textContent = words;
        b.setAttribute('data-testid', `gallery-${words.toLowerCase()}`);
        b.addEventListener('click', act);
        row.append(b);
      }
      li.append(img, cap, row);
      this.list.append(li);
    }
  }

  async reopen(id) {
    const e = await this.store.get(id);
    if (e) this.open(e, await blobToImageData(e.png), await blobToImageData(e.exemplar));
  }

  download(e) {
    save(e.png, fileName({name: e.name, loss: e.lossKind, width: e.width, seed: e.seed, iter: e.iter}));
  }

  async remove(id) {
    await this.store.remove(id);
    await this.render();
  }
}

// Variations runs the same settings with n seeds one after the other; each finished one is a
// cell of the grid, and picking a cell shows it as the result (pick(cell)).
export class Variations {
  constructor(controller, pick) {
    this.c = controller;
    this.pick = pick;
    this.grid = $('variation-grid');
    this.button = $('variations');
    this.count = $('variation-count');
    this.series = null; // {seeds, at, text, cells}
    controller.addEventListener('done', () => this.next());
    controller.addEventListener('stopped', () => this.cancel('stopped'));
    controller.addEventListener('fatal', () => this.cancel('the engine crashed'));
    controller.addEventListener('refused', () => this.cancel('not started'));
  }

  get running() { return !!this.series; }

  // start begins a series from the form's settings text.
  start(text) {
    const n = +this.count.value;
    const base = +text.seed || 0;
    this.series = {text, at: -1, seeds: Array.from({length: n}, (_, i) => base + i)};
    this.grid.replaceChildren();
    this.cells = this.series.seeds.map((seed) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'variation';
      b.disabled = true;
      b.setAttribute('data-testid', 'variation');
      const c = document.createElement('canvas');
      c.width = c.height = 8;
      const label = document.createElement('span');
      label.textContent = `seed ${seed}: waiting`;
      b.append(c, label);
      this.grid.append(b);
      return {seed, button: b, canvas: c, label, result: null};
    });
    this.next(true);
  }

  // next records the finished run and starts the following seed.
  async next(first = false) {
    const s = this.series;
    if (!s) return;
    if (!first && s.at >= 0) {
      const cell = this.cells[s.at];
      const r = this.c.result;
      if (r && r.run.settings.seed === cell.seed) {
        cell.result = {...r};
        cell.canvas.width = r.width;
        cell.canvas.height = r.height;
        cell.canvas.getContext('2d').putImageData(r.image, 0, 0);
        cell.label.textContent = `seed ${cell.seed}: pick`;
        cell.button.disabled = false;
        cell.button.onclick = () => this.pick(cell);
      }
    }
    s.at++;
    if (s.at >= s.seeds.length) {
      this.series = null;
      this.button.textContent = 'Run variations';
      return;
    }
    this.cells[s.at].label.textContent = `seed ${s.seeds[s.at]}: running`;
    this.button.textContent = 'Stop variations';
    if (!this.c.start({...s.text, seed: String(s.seeds[s.at])})) this.cancel('not started');
  }

  cancel(why) {
    if (!this.series) return;
    for (const cell of this.cells) if (!cell.result) cell.label.textContent = `seed ${cell.seed}: ${why}`;
    this.series = null;
    this.button.textContent = 'Run variations';
  }
}
