// The worker pool's choice between sharing a call and running it on the caller alone (pool.js,
// sharing): on a clock the test drives, with calls that take as long as the test says shared or
// alone, the pool must send each class of call the faster way, keep measuring the other way as
// pool.js says (one call in 16 while sharing is faster; while one thread is, one shared call
// every 50 ms, and no more than one every 50 ms that wakes sleeping workers), and turn round when
// the machine does.
import test from 'node:test';
import assert from 'node:assert/strict';
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);
const {TexsynthPool} = require('../pool.js');

// A pool of two threads whose worker has started (READY, pool.js's control array), whose calls
// take cost(shared) ms on the test's clock and compute nothing.
function fakePool() {
  let now = 0;
  const clock = {now: () => now};
  const pool = new TexsynthPool(2, null);
  Atomics.store(pool.ctl, 3, 1); // READY: one worker takes pieces
  pool.cost = {shared: 1, alone: 2};
  pool.kernel = {gemm: () => { now += pool.cost.alone; }, mix: () => { now += pool.cost.alone; }};
  pool.run = () => { pool.shared++; now += pool.cost.shared; };
  pool.idle = (ms) => { now += ms; };
  return {pool, clock};
}

// With the clock swapped in for performance.now, calls calls of one class (a product of 2²⁰
// multiply-adds) and returns how many were shared.
function calls(pool, clock, count) {
  const saved = globalThis.performance;
  Object.defineProperty(globalThis, 'performance', {value: clock, configurable: true, writable: true});
  try {
    const before = pool.shared;
    for (let i = 0; i < count; i++) pool.gemm(0, 64, 0, 128, 0, 128, 128);
    return pool.shared - before;
  } finally {
    Object.defineProperty(globalThis, 'performance', {value: saved, configurable: true, writable: true});
  }
}

test('sharing that is faster is chosen, and the other way measured one call in 16', () => {
  const {pool, clock} = fakePool();
  calls(pool, clock, 32); // both ways measured
  const shared = calls(pool, clock, 160);
  assert.equal(shared, 150, 'one call in 16 runs alone');
  assert.deepEqual(pool.counts(), {calls: 192, shared: 180, alone: 12});
});

test('one thread that is faster is chosen, sharing measured once per 50 ms', () => {
  const {pool, clock} = fakePool();
  pool.cost = {shared: 3, alone: 1};
  calls(pool, clock, 32);
  const t0 = clock.now();
  const shared = calls(pool, clock, 500);
  const elapsed = clock.now() - t0;
  // Each shared call wakes the workers (none was shared within the last millisecond).
  assert.ok(shared >= Math.floor(elapsed / 50) - 1 && shared <= Math.ceil(elapsed / 50), `${shared} shared in ${elapsed} ms`);
  assert.ok(shared < 20, `${shared} of 500 shared`);
});

test('while one thread is faster, no more than one shared call per 50 ms wakes the workers', () => {
  const {pool, clock} = fakePool();
  pool.cost = {shared: 3, alone: 1};
  const saved = globalThis.performance;
  Object.defineProperty(globalThis, 'performance', {value: clock, configurable: true, writable: true});
  try {
    // Two classes (2²⁰ and 2²² multiply-adds) in turn, 2 ms of other work between calls, so the
    // workers are never awake from the call before.
    const both = (count) => {
      const before = pool.shared;
      for (let i = 0; i < count; i++) {
        pool.gemm(0, i % 2 ? 256 : 64, 0, 128, 0, 128, 128);
        pool.idle(2);
      }
      return pool.shared - before;
    };
    both(64);
    const t0 = clock.now();
    const shared = both(600);
    const elapsed = clock.now() - t0;
    assert.ok(shared <= Math.ceil(elapsed / 50), `${shared} shared in ${elapsed} ms`);
  } finally {
    Object.defineProperty(globalThis, 'performance', {value: saved, configurable: true, writable: true});
  }
});

test('the choice turns when the machine turns busy, and back', () => {
  const {pool, clock} = fakePool();
  calls(pool, clock, 64);
  pool.cost = {shared: 4, alone: 2}; // another process takes a core
  calls(pool, clock, 200);
  assert.ok(calls(pool, clock, 300) < 20, 'alone once sharing measured slower');
  pool.cost = {shared: 1, alone: 2}; // idle again
  pool.idle(100);
  calls(pool, clock, 400); // the probes, one per 50 ms, bring the shared pace back
  assert.ok(calls(pool, clock, 160) >= 150, 'shared again');
});

test('nothing is shared before the workers start, and the tests can share everything', () => {
  const {pool, clock} = fakePool();
  Atomics.store(pool.ctl, 3, 0);
  assert.equal(calls(pool, clock, 50), 0);
  assert.equal(pool.counts().alone, 0, 'not counted as chosen');
  Atomics.store(pool.ctl, 3, 1);
  pool.cost = {shared: 5, alone: 1};
  calls(pool, clock, 40);
  pool.alwaysShare = true;
  assert.equal(calls(pool, clock, 50), 50);
});
