// This machine's speed on the page: measured once the page is left alone with nothing to run (a
// few iterations at 64 and 128 px in one run, off screen, which a Start cancels) and by every run, kept in
// the browser (estimate.js); and the size menu's estimates from it: each size's time on this
// machine and its memory (the core's formula), refusing what cannot fit.

import {SpeedProfile, bytes, fits, rough} from './estimate.js';

const IDLE = 10000; // ms without input or a run before measuring

// The default layers' work at a size: 2 × 4.56 GMAC at 128 px, scaled by the area (core/synth Plan).
const macsAt = (size) => 9.12e9 * (size / 128) ** 2;

export class SpeedUI {
  constructor(controller) {
    this.c = controller;
    this.profile = new SpeedProfile('');
    this.timer = 0;
    this.done = new Promise((resolve) => { this.resolve = resolve; });
    for (const type of ['input', 'change', 'click', 'keydown']) window.addEventListener(type, () => this.soon(), true);
  }

  // ready: the engine is (again) ready; the profile is this kernel's.
  ready(defaults) {
    this.defaults = defaults;
    if (this.profile.kernel !== this.c.speedKey) this.profile = new SpeedProfile(this.c.speedKey);
    this.c.profile = this.profile;
    this.soon();
  }

  soon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { if (this.c.state === 'ready' && !this.c.run && !this.c.decoding && !document.hidden) this.measure(); }, IDLE);
  }

  // measure runs the calibration now: a 128 px run of twelve iterations, six at 64 px and six at
  // 128 px, which measures both sizes in one worker as a real run does (the median of five
  // iterations each: three were too few on a busy machine, their ratio off by a third). It resolves with the
  // profile's points once they are in.
  async measure() {
    clearTimeout(this.timer);
    const have = (size) => this.profile.points.some(([m]) => Math.abs(Math.log(m / macsAt(size))) < 0.1);
    if (!have(64) || !have(128)) {
      const r = await this.c.calibrate({...this.defaults, size: '128', iters: '12', levels: '2'}, 12);
      if (!r) return this.done; // something else needed the engine: the runs measure instead
      for (const l of r.levels) this.profile.record(l.macs, l.secondsPerEval);
      this.profile.recordStart(r.levels[0].macs, r.setup);
      if (this.onMeasured) this.onMeasured();
    }
    this.resolve(this.profile.points);
    return this.done;
  }

  // sizeOptions says, for each size with the form's other settings (text), its time and memory
  // and whether it can run: [{size, words, refuse}].
  async sizeOptions(text, sizes) {
    const answers = await this.c.describe(sizes.map((size) => ({...text, size: String(size)})));
    return sizes.map((size, i) => {
      const plan = answers.list[i].plan;
      if (!plan) return {size, words: ''};
      const fit = fits(plan);
      if (!fit.ok) return {size, words: `too large: ${fit.reason}`, refuse: fit.reason};
      const t = this.profile.runSeconds(plan, text.optimizer);
      // The worker pool works on the core's own memory: the plan's is the whole.
      return {size, words: `${t === null ? 'measuring speed…' : rough(t)} · ${bytes(plan.memory)}${fit.warn ? ' (may not fit)' : ''}`};
    });
  }
}
