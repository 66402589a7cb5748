// How long a run will take and whether it fits, in one place. Memory comes from the core's
// formula (core/synth Memory, in the worker's plan); time from this machine's measured speed: a
// profile of seconds per loss evaluation against the evaluation's work (multiply-adds, from the
// plan), kept in localStorage, filled by a short measurement when the page is idle
// (calibrationRuns) and by every run's levels. Work the engine does faster later (threads, less
// memory) changes these numbers, not the page.

const KEY = 'texsynth-speed-v1';
const MAX_POINTS = 24;

// The engine is 32-bit WebAssembly: its memory cannot grow past 4 GiB.
export const ENGINE_MEMORY = 4 * 2 ** 30;

// Evaluations per iteration before a run has measured its own: L-BFGS' line search now and then
// takes a second one; Adam takes one.
const EVALS_PER_ITER = {lbfgs: 1.08, adam: 1};

export class SpeedProfile {
  constructor(kernel = '') {
    this.kernel = kernel; // the vector kernels in use: a profile measured with others does not apply
    this.points = [];     // [[macs, seconds per evaluation]], ascending
    this.starts = [];     // [[macs, seconds from start to the first frame]]
    try {
      const kept = JSON.parse(localStorage.getItem(KEY) || 'null');
      if (kept && kept.kernel === kernel) ({points: this.points, starts: this.starts} = kept);
    } catch (e) { /* no storage (a private window): measure again */ }
  }

  save() {
    try {
      localStorage.setItem(KEY, JSON.stringify({kernel: this.kernel, points: this.points, starts: this.starts}));
    } catch (e) { /* see the constructor */ }
  }

  // record adds a measurement; one within 10 % of the work of a kept one is averaged into it,
  // the newer weighing more (the machine's load changes).
  static merge(list, macs, seconds) {
    if (!(macs > 0 && seconds > 0)) return;
    const near = list.find(([m]) => Math.abs(Math.log(m / macs)) < 0.1);
    if (near) near[1] = 0.4 * near[1] + 0.6 * seconds;
    else list.push([macs, seconds]);
    list.sort((a, b) => a[0] - b[0]);
    if (list.length > MAX_POINTS) list.splice(0, list.length - MAX_POINTS);
  }

  record(macs, secondsPerEval) {
    SpeedProfile.merge(this.points, macs, secondsPerEval);
    this.save();
  }

  recordStart(macs, seconds) {
    SpeedProfile.merge(this.starts, macs, seconds);
    this.save();
  }

  get measured() { return this.points.length > 0; }

  // secondsPerEval predicts an evaluation's time for this much work: between two measured
  // points, on the line through them in log–log; beyond them, in proportion to the work from the
  // nearest. null before any measurement.
  secondsPerEval(macs) { return interpolate(this.points, macs); }
  startSeconds(macs) { return interpolate(this.starts, macs) || 0; }

  // runSeconds predicts a whole run from its plan (levels with their work) and optimiser.
  runSeconds(plan, optimizer = 'lbfgs') {
    if (!this.measured || !plan) return null;
    const per = EVALS_PER_ITER[optimizer] || 1;
    let t = 0;
    for (const l of plan.levels) t += l.iters * per * this.secondsPerEval(l.macs) + this.startSeconds(l.macs);
    return t;
  }
}

// interpolate reads a profile: on the log–log line through the two measured points around
// macs; above the largest, in proportion to the work (big evaluations are all products); below
// the smallest, along the first segment's slope (small ones are partly fixed costs), at most in
// proportion.
function interpolate(points, macs) {
  if (!points.length) return null;
  const at = (i, f) => Math.exp(Math.log(points[i][1]) + f);
  const slope = (i) => Math.log(points[i + 1][1] / points[i][1]) / Math.log(points[i + 1][0] / points[i][0]);
  const i = points.findIndex(([m]) => m >= macs);
  if (i < 0) return at(points.length - 1, Math.log(macs / points[points.length - 1][0]));
  if (i === 0) {
    const k = points.length > 1 ? Math.min(1, Math.max(0.3, slope(0))) : 1;
    return at(0, k * Math.log(macs / points[0][0]));
  }
  return at(i - 1, slope(i - 1) * Math.log(macs / points[i - 1][0]));
}

// fits says whether a plan's memory fits in the engine, and if not, why.
export function fits(plan) {
  if (!plan) return {ok: true};
  if (plan.memory > ENGINE_MEMORY) {
    return {ok: false, reason: `needs about ${bytes(plan.memory)} of memory; the browser's engine (32-bit WebAssembly) can have at most 4 GB`};
  }
  const device = typeof navigator !== 'undefined' && navigator.deviceMemory;
  if (device && plan.memory > device * 2 ** 30 / 2) {
    return {ok: true, warn: `needs about ${bytes(plan.memory)} of memory, more than half of this device's ${device} GB`};
  }
  return {ok: true};
}

// A new level's first iteration also computes the exemplar's features at its scale and sets
// the loss up: measured at 128 px after 64 px (wasm in Chromium, two busy cores), two to two and
// a half of its iterations more.
// A run that has entered a level measures it for the levels after.
const ENTRY_ITERS = 2;

// Eta follows a run: the wall time per iteration at the level in progress (frame to frame, so
// drawing and the level's set-up count), and for the levels to come the profile's ratio of their
// time per evaluation to this level's (their work's ratio, (s/S)² for a level of side s after one
// of side S, when nothing is measured), so the machine's load right now counts.
export class Eta {
  constructor(plan, profile) {
    this.plan = plan;
    this.profile = profile;
    this.ends = [];
    let end = 0;
    for (const l of plan.levels) this.ends.push(end += l.iters);
    this.times = plan.levels.map(() => []);     // wall seconds per iteration, per level
    this.evals = plan.levels.map(() => [0, 0]); // [evaluations, step seconds] per level
    this.lastEvals = 0;
    this.level = 0;
  }

  levelOf(iter) {
    const i = this.ends.findIndex((e) => iter <= e);
    return i < 0 ? this.ends.length - 1 : i;
  }

  // frame takes a frame ({iter, seconds, evals: the run's so far, over every level}) and the wall
  // seconds since the one before (or since the run started); it returns the frame's level.
  frame(f, wall) {
    const l = this.levelOf(f.iter);
    this.level = l;
    this.times[l].push(wall);
    const e = this.evals[l];
    e[0] += Math.max(1, f.evals - this.lastEvals);
    e[1] += f.seconds;
    this.lastEvals = f.evals;
    return l;
  }

  // more: the run was continued; ends is where each of its levels now ends, as the core shared
  // the new iterations (core/synth More, the worker's continued message).
  more(ends) {
    this.ends = Array.from(ends);
  }

  // perIteration is the level's typical iteration: the mean of its latest, leaving out its first
  // (which also sets the level up) once there are others.
  perIteration(l) {
    const t = this.times[l];
    const steady = t.length > 1 ? t.slice(1) : t;
    const recent = steady.slice(-8);
    return recent.reduce((a, b) => a + b, 0) / recent.length;
  }

  // entry is what entering a level costs beyond an iteration, in its iterations.
  entry() {
    for (let l = this.level; l > 0; l--) {
      const t = this.times[l];
      if (t.length > 1) return Math.max(0, t[0] / this.perIteration(l) - 1);
    }
    return ENTRY_ITERS;
  }

  // remaining predicts the seconds left after iteration iter.
  remaining(iter) {
    const l = this.level;
    if (!this.times[l].length) return NaN;
    const now = this.perIteration(l);
    let left = (this.ends[l] - iter) * now;
    const here = this.plan.levels[l].macs;
    const entry = this.entry();
    for (let k = l + 1; k < this.ends.length; k++) {
      if (this.ends[k] === this.ends[k - 1]) continue; // left without iterations by a continuation
      const there = this.plan.levels[k].macs;
      const p0 = this.profile && this.profile.secondsPerEval(here);
      const p1 = this.profile && this.profile.secondsPerEval(there);
      const ratio = p0 && p1 ? p1 / p0 : there / here;
      left += (this.ends[k] - this.ends[k - 1] + entry) * now * ratio;
    }
    return left;
  }

  // finishLevel records the level's measured speed in the profile.
  finishLevel(l) {
    const [n, s] = this.evals[l];
    if (this.profile && n >= 2) this.profile.record(this.plan.levels[l].macs, s / n);
  }
}

// duration says seconds in words: "45 s", "3 min 5 s", "1 h 20 min".
export function duration(s) {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.max(1, Math.round(s))} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

// rough says an estimate without false precision: "about 40 s", "about 3 min", "about 2 h".
export function rough(s) {
  if (!Number.isFinite(s)) return '';
  if (s < 60) return `about ${Math.max(5, Math.round(s / 5) * 5)} s`;
  if (s < 3600) return `about ${Math.round(s / 60)} min`;
  return `about ${(s / 3600).toFixed(s < 36000 ? 1 : 0)} h`;
}

export function bytes(n) {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GB` : `${Math.round(n / 2 ** 20)} MB`;
}
