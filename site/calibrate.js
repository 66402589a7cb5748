// Measuring this machine's speed (estimate.js keeps it): a few iterations with given settings on
// a drawn sample, in the run controller's worker, off screen. Only when no run is on or held (it
// would replace the one a person might continue); a start or a crash ends it.

import {drawSample} from './samples.js';

// calibrate resolves with {levels: [{macs, secondsPerEval}], setup} — one per level of the run, so
// that one coarse-to-fine run measures two sizes in the conditions of a real run (the same
// worker, heap and garbage collector) — or null when it could not run or something else needed
// the engine first.
export async function calibrate(c, text, steps) {
  if (!c.ready || c.busy || c.held || c.bench) return null;
  const d = await c.describe(text);
  if (Object.keys(d.errors).length || c.busy || c.held || c.bench) return null;
  return new Promise((resolve) => {
    c.bench = new Bench(c, `bench-${++c.runs}`, d.plan, steps, resolve);
    c.engine.start({...drawSample('bricks', 256)}, d.settings, c.bench.id);
  });
}

class Bench {
  constructor(c, id, plan, steps, resolve) {
    Object.assign(this, {c, id, plan, steps, resolve, frames: [], began: performance.now(), setup: 0});
  }

  // message takes the worker's messages about this run.
  message(m) {
    if (m.type === 'started') this.setup = (performance.now() - this.began) / 1000;
    if (m.type === 'error') return this.end(null);
    if (m.type !== 'frame') return;
    this.frames.push(m);
    if (this.frames.length < this.steps && !m.done) return;
    const levels = this.plan.levels.map((l) => ({macs: l.macs, secondsPerEval: this.median(l.size)})).filter((l) => l.secondsPerEval > 0);
    this.end(levels.length ? {levels, setup: this.setup} : null);
  }

  // median is the seconds per evaluation of a level's iterations after its first (which sets the
  // level up), the median, so that a moment of load elsewhere does not count; 0 if none.
  median(size) {
    const f = this.frames.filter((x) => x.width === size);
    const per = f.slice(1).map((x, i) => x.seconds / Math.max(1, x.evals - f[i].evals)).sort((a, b) => a - b);
    return per.length ? per[Math.floor(per.length / 2)] : 0;
  }

  // end stops the measurement's run, drops it in the worker, and answers.
  end(result) {
    if (this.c.bench !== this) return;
    this.c.bench = null;
    if (this.c.engine.isReady) {
      this.c.engine.stop();
      this.c.engine.release();
    }
    this.resolve(result);
  }
}
