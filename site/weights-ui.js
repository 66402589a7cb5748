// The page's network weights: the pretrained VGG-19 the site ships (the default: the worker
// downloads weights/vgg19-conv3_4.q8 and refuses any bytes but the committed file's), the
// untrained VGG-16 built in the page from a seed, a picked .q8 file (kept in Cache Storage and
// offered again on the next visit), or one named by the address (?weights=weights/vgg16.q8, from
// this site only). The worker verifies every file.

import {assetURL} from './assets.js';
import {plain, readBody} from './controller.js';

const CACHE = 'texsynth-weights';
const KEY = './weights/picked.q8';

export class WeightsUI {
  constructor(controller, el, notices) {
    this.c = controller;
    this.el = el; // {name, inUse, input, builtin, pretrained, cached, progress}
    this.notices = notices;
    this.pending = null;   // {buffer, name} being verified: kept once it is
    this.cachedName = '';
    this.fromAddress = new URLSearchParams(location.search).get('weights');
    el.input.addEventListener('change', () => {
      this.readFile(el.input.files[0]);
      el.input.value = '';
    });
    el.builtin.addEventListener('click', () => {
      this.pending = null;
      this.c.engine.useBuiltinWeights(0);
    });
    el.pretrained.addEventListener('click', () => {
      this.pending = null;
      this.el.inUse.textContent = 'loading the pretrained VGG-19…';
      this.c.engine.usePretrainedWeights();
    });
    controller.addEventListener('weights', (e) => this.onWeights(e.detail));
    controller.addEventListener('error', (e) => { if (e.detail.during === 'weights') this.onRefused(e.detail.message); });
  }

  // ready: the engine is (again) ready with its default weights, or a replacement worker;
  // fallback says why the pretrained VGG-19 could not be loaded ('' when it was).
  ready(weights, fallback) {
    this.show(weights);
    if (fallback) {
      this.notices.show(`The pretrained VGG-19 could not be loaded (${plain(fallback)}); the untrained VGG-16 is in use, whose textures look much less like the exemplar.`, 'warn', 'weights');
    }
    this.el.inUse.dataset.kept = String(Boolean(this.c.kept));
    this.offerCached();
    if (this.fromAddress) {
      const spec = this.fromAddress;
      this.fromAddress = null; // once: a restarted engine keeps what the user chose since
      this.fetch(spec);
    }
  }

  show(w, name) {
    if (!w) return;
    this.weights = w;
    this.el.name.textContent = w.pretrained ? 'pretrained VGG-19 (ImageNet, conv1_1 … conv3_4)'
      : w.builtin ? `untrained VGG-16 (random features, seed ${w.seed})` : w.provenance;
    this.el.inUse.textContent = w.pretrained ? `${w.provenance}; shipped with this page, ${w.layers.length} layers, checksum ${w.checksum.slice(0, 12)}…`
      : w.builtin ? `${w.provenance}; built in this page, nothing downloaded`
      : `${w.provenance} — ${name ? name + ', ' : ''}${w.layers.length} layers, checksum ${w.checksum.slice(0, 12)}…`;
    this.el.inUse.title = `checksum (SHA-256 of the numbers): ${w.checksum}`;
    this.el.inUse.dataset.kept = String(Boolean(w.builtin && this.c.kept));
    this.el.builtin.hidden = w.builtin;
    this.el.pretrained.hidden = Boolean(w.pretrained);
    this.el.cached.hidden = !this.cachedName || w.layers === undefined || !(w.builtin || w.pretrained);
  }

  onWeights(m) {
    this.el.progress.hidden = true;
    this.show(m.weights, m.name);
    if (this.pending && !m.weights.builtin && !m.weights.pretrained) this.keep(this.pending.buffer, this.pending.name);
    this.pending = null;
    if (this.c.busy) this.notices.show('The new weights apply when you start the next run.', 'info', 'weights');
  }

  onRefused(message) {
    this.el.progress.hidden = true;
    this.pending = null;
    this.show(this.weights);
    this.notices.show(`These weights cannot be used: ${message}. Still using: ${this.weights ? this.weights.provenance : 'none'}.`, 'error', 'weights');
    if (this.weights && (this.weights.builtin || this.weights.pretrained)) this.c.engine.userWeights = null;
  }

  verify(buffer, name, keep) {
    this.el.progress.removeAttribute('value'); // indeterminate while the worker verifies it
    this.el.inUse.textContent = `verifying ${name}…`;
    this.pending = keep ? {buffer, name} : null;
    this.c.engine.loadWeights(buffer, name);
  }

  readFile(file) {
    if (!file) return;
    this.notices.clear('weights');
    const r = new FileReader();
    this.el.progress.hidden = false;
    this.el.progress.value = 0;
    r.onprogress = (e) => { if (e.lengthComputable) this.el.progress.value = e.loaded / e.total; };
    r.onerror = () => {
      this.el.progress.hidden = true;
      this.notices.show(`${file.name}: cannot read the file.`, 'error', 'weights');
    };
    r.onload = () => this.verify(r.result, file.name, true);
    r.readAsArrayBuffer(file);
  }

  // fetch loads a weights file named by the page's address from the page's own origin: no
  // request leaves the site.
  async fetch(spec) {
    let url;
    try { url = new URL(spec, location.href); } catch (e) { url = null; }
    if (!url || url.origin !== location.origin) {
      this.notices.show(`weights=${spec}: only a file on this site can be loaded (e.g. ?weights=weights/vgg16.q8); the weights in use stay.`, 'error', 'weights');
      return;
    }
    const name = decodeURIComponent(url.pathname.split('/').pop() || 'weights.q8');
    this.el.progress.hidden = false;
    this.el.progress.value = 0;
    this.el.inUse.textContent = `downloading ${name}…`;
    try {
      const r = await fetch(assetURL(url)); // its content-hashed name in a deployed build
      if (!r.ok) throw new Error(`the server answered ${r.status} ${r.statusText}`);
      const buffer = await readBody(r, {progress: (f) => { this.el.progress.value = f; }});
      this.verify(buffer, name, true);
    } catch (e) {
      this.el.progress.hidden = true;
      this.show(this.weights);
      this.notices.show(`${name}: cannot download it: ${plain(e.message)}. The weights in use stay.`, 'error', 'weights');
    }
  }

  async keep(buffer, name) {
    try {
      if (!('caches' in window)) return;
      const cache = await caches.open(CACHE);
      await cache.put(KEY, new Response(buffer, {headers: {'content-type': 'application/octet-stream', 'x-texsynth-name': encodeURIComponent(name)}}));
      this.offerCached();
    } catch (e) { /* storage is a convenience: private windows and quotas may refuse it */ }
  }

  // offerCached offers a weights file picked before while a built-in network is in use.
  async offerCached() {
    try {
      if (!('caches' in window)) return;
      const cache = await caches.open(CACHE);
      const r = await cache.match(KEY);
      this.cachedName = r ? decodeURIComponent(r.headers.get('x-texsynth-name') || 'weights.q8') : '';
      this.el.cached.textContent = `Use saved ${this.cachedName}`;
      this.el.cached.hidden = !this.cachedName || !this.weights || !(this.weights.builtin || this.weights.pretrained);
      this.el.cached.onclick = async () => {
        const again = await cache.match(KEY);
        if (again) this.verify(await again.arrayBuffer(), this.cachedName, false);
      };
    } catch (e) { /* see keep */ }
  }
}
