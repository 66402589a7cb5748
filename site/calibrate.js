// Measuring this machine's speed (estimate.js keeps it): a few iterations with given settings on
// a drawn sample, in the run controller's worker, off screen. Only when no run is on or held (it
// would replace the one a person might continue); a start or a crash ends it.

import {drawSample} from './samples.js';

// calibrate resolves with {macs, secondsPerEval, setup}, or null when it could not run or
// something else needed the engine first.
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
    const f = this.frames;
    f.push(m);
    if (f.length < this.steps && !m.done) return;
    // Each iteration after the first (which sets the run up), as seconds per evaluation; the
    // median, so that a moment of load elsewhere does not count.
    const per = f.slice(1).map((x, i) => x.seconds / Math.max(1, x.evals - f[i].evals)).sort((a, b) => a - b);
    const macs = this.plan.levels[this.plan.levels.length - 1].macs;
    this.end(per.length ? {macs, secondsPerEval: per[Math.floor(per.length / 2)], setup: this.setup} : null);
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
