// The page's preset menu: the plain presets, then the seed's experiments as the core lists them
// at the form's size and iterations, each with a note that says what it sets. A preset that needs
// a drawn sample switches to it; the next preset brings the exemplar back.

import {PLAIN, full, matching, questions, says} from './presets.js';

const $ = (id) => document.getElementById(id);

export class PresetMenu {
  // form: the SettingsForm; defaults: every setting's default as text, with layersList and allList.
  constructor(controller, form, defaults, notices, changed) {
    this.c = controller;
    this.form = form;
    this.defaults = defaults;
    this.notices = notices;
    this.changed = changed;
    this.presets = PLAIN;
    this.asked = '';       // the size and iterations the experiments were asked for
    this.before = null;    // the exemplar in use before a preset switched to its sample
    this.pending = null;   // an experiment waiting for the VGG-16 it asked for
    this.build();
    $('preset').addEventListener('change', () => this.choose());
    controller.addEventListener('presets', (e) => {
      this.presets = [...PLAIN, ...questions(e.detail.questions, e.detail.iters)];
      this.build();
      this.show();
    });
  }

  // ask asks the core for its experiments at the form's size and iterations (a coarse-to-fine
  // level count and Q6's doubled iterations depend on them).
  ask(text) {
    const key = `${text.size}/${text.iters}`;
    if (!this.c.ready || key === this.asked || !(+text.size > 0) || !(+text.iters > 0)) return;
    this.asked = key;
    this.c.engine.post({type: 'presets', size: +text.size, iters: +text.iters});
  }

  build() {
    const sel = $('preset');
    const chosen = sel.value;
    sel.replaceChildren(new Option('Custom', ''));
    const groups = [['Presets', PLAIN], ['The seed write-up\'s experiments', this.presets.filter((p) => !PLAIN.includes(p))]];
    for (const [label, list] of groups) {
      if (!list.length) continue;
      const g = document.createElement('optgroup');
      g.label = label;
      for (const p of list) g.append(new Option(p.label, p.id));
      sel.append(g);
    }
    sel.value = chosen;
  }

  // show names the preset the form matches and says what it sets.
  show() {
    const id = matching(this.form.read(), this.presets, this.defaults, $('preset').value);
    $('preset').value = id;
    const p = this.presets.find((x) => x.id === id);
    $('preset-note').textContent = p ? `${says(p, this.defaults, this.form.read())} ${p.about}` : 'Your own combination: pick a preset to start from a known one.';
  }

  choose() {
    const p = this.presets.find((x) => x.id === $('preset').value);
    this.pending = null;
    if (!p) return;
    // The seed write-up's experiments are on VGG-16's 13 layers, as the write-up ran them: on the
    // pretrained VGG-19 (eight layers) they are switched to the untrained VGG-16, and the preset
    // is set again when that network's layers are in the form (weightsChanged).
    if (!PLAIN.includes(p) && this.c.weights && this.c.weights.pretrained) {
      this.pending = p;
      this.c.engine.useBuiltinWeights(0);
      this.notices.show(`The seed write-up's experiments ran on VGG-16: the network is now the untrained VGG-16; "Use the pretrained VGG-19" under Network weights brings it back.`, 'info', 'preset');
    }
    this.form.write(full(p, this.defaults, this.form.read()));
    this.show();
    const ex = this.c.exemplar;
    if (p.sample && ex && ex.sample !== p.sample) {
      this.before = this.before || ex;
      this.c.useSample(p.sample);
      this.notices.show(`The preset "${p.label}" uses the drawn "${p.sample}" sample; another preset brings your exemplar back.`, 'info', 'preset');
    } else if (!p.sample && this.before) {
      const back = this.before;
      this.before = null;
      if (back.sample) this.c.useSample(back.sample);
      else this.c.usePixels(back, back.name);
    }
    this.changed();
  }

  // weightsChanged: the network changed and the form holds its default layers; an experiment
  // that asked for the VGG-16 is set again on it. It returns whether one was.
  weightsChanged(defaults) {
    this.defaults = defaults;
    const p = this.pending;
    this.pending = null;
    if (!p) return false;
    this.form.write(full(p, this.defaults, this.form.read()));
    $('preset').value = p.id;
    this.show();
    return true;
  }

  // forget: the person chose an exemplar, which no preset change undoes.
  forget() { this.before = null; }
}
