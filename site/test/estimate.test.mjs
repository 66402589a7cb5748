// The ETA's arithmetic, on made-up timings: a run's levels cost in proportion to their work, so
// the time left at the end of a coarse level is mostly the fine level's. The browser test
// (page-keep.test.mjs) checks the same on the machine's own timings, loosely.
import test from 'node:test';
import assert from 'node:assert/strict';
import {Eta} from '../estimate.js';

// A plan of two levels, 15 iterations each, the second with four times the work (64 → 128 px).
const plan = {levels: [{iters: 15, macs: 1e9}, {iters: 15, macs: 4e9}]};

test('at the end of the coarse level the ETA counts the fine level at its own cost', () => {
  const eta = new Eta(plan, null);
  for (let i = 1; i <= 15; i++) eta.frame({iter: i, seconds: 0.2, evals: i}, 0.25);
  // 15 fine iterations at 4 × 0.25 s, plus the fine level's entry (two of its iterations).
  assert.ok(Math.abs(eta.remaining(15) - (15 + 2) * 1.0) < 1e-9, `${eta.remaining(15)}`);
});

test('a measured speed profile sets the ratio between levels, not the work alone', () => {
  // An engine whose evaluation time grows as the work to the power 0.5 (small sizes are mostly fixed costs).
  const profile = {secondsPerEval: (macs) => Math.sqrt(macs) * 1e-5};
  const eta = new Eta(plan, profile);
  for (let i = 1; i <= 15; i++) eta.frame({iter: i, seconds: 0.2, evals: i}, 0.25);
  assert.ok(Math.abs(eta.remaining(15) - 17 * 0.25 * 2) < 1e-9, `${eta.remaining(15)}`);
});

test('within the fine level the ETA is its own iterations at their measured time, the first left out', () => {
  const eta = new Eta(plan, null);
  for (let i = 1; i <= 15; i++) eta.frame({iter: i, seconds: 0.2, evals: i}, 0.25);
  eta.frame({iter: 16, seconds: 1, evals: 16}, 3); // entering the level: features of the exemplar at 128 px
  for (let i = 17; i <= 20; i++) eta.frame({iter: i, seconds: 1, evals: i}, 1);
  assert.equal(eta.remaining(20), 10);
});

test('a continued run counts the iterations the core added to each level', () => {
  const eta = new Eta(plan, null);
  for (let i = 1; i <= 30; i++) eta.frame({iter: i, seconds: 0.2, evals: i}, i <= 15 ? 0.25 : 1);
  eta.more([15, 40]);
  assert.equal(eta.remaining(30), 10);
});
