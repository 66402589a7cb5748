// Every core in the page (docs/deploy.md, wasm/pool.js): the deployable folder served with the
// cross-origin isolation headers (tools/serve) is isolated and shares its products among as
// many threads as the machine has cores (at most 8) from two cores up, or as ?threads=N asks;
// served without them (-isolate=false, as GitHub Pages serves it), the first load runs on one
// thread and says why, then the service worker takes over, the page reloads itself once and is
// isolated; isolate=off opts out. A short run gives the same result, to the last bit, on one
// thread and on several. And a 512 px run starts and makes frames.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {root, chromePath, buildServe, serve, stop, launch} from './harness.mjs';

const dist = path.resolve(root, process.env.DIST || 'build/dist');
// Big enough that the sw loss's products at 64 px go to the pool (core/gemm/pool_js.go).
const RUN = 'size=64&iters=3&layers=conv1_1,pool1,conv2_1&loss=sw&seed=3&levels=1&sample=bricks';
const cores = Math.min(os.cpus().length, 8);

let tmp, bin;
const servers = [];
const contexts = [];

before(() => {
  assert.ok(existsSync(path.join(dist, '_headers')), `no deployable folder in ${dist}: run make dist`);
  assert.ok(existsSync(chromePath), `no Chromium at ${chromePath}: apt-get install chromium`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'texsynth-threads-'));
  bin = path.join(tmp, 'serve');
  buildServe(bin);
});

after(async () => {
  for (const c of contexts) await c.close();
  for (const s of servers) await stop(s);
  if (tmp) rmSync(tmp, {recursive: true, force: true});
});

// site serves dist (with flags) and opens a browser profile of its own for it.
async function site(name, flags = []) {
  const {proc, base} = await serve(bin, dist, '127.0.0.1:0', flags);
  servers.push(proc);
  const context = await launch(path.join(tmp, name), {viewport: {width: 1280, height: 800}});
  contexts.push(context);
  // Every page notes the worker's ready message and its last frame (loss in full, pixels' sum).
  await context.addInitScript(() => {
    const seen = window.__seen = {loads: Number(sessionStorage.getItem('loads') || 0) + 1};
    sessionStorage.setItem('loads', String(seen.loads));
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => {
          const m = e.data || {};
          if (m.type === 'ready') seen.ready = {threads: m.threads, why: m.threadsWhy, kernel: m.kernel};
          if (m.type === 'done') seen.pool = m.pool;
          if (m.type === 'frame') {
            let sum = 0;
            for (let i = 0; i < m.pixels.length; i++) sum = (sum * 31 + m.pixels[i]) >>> 0;
            seen.frame = {iter: m.iter, loss: m.loss, sum, done: m.done};
          }
        });
      }
    };
  });
  return {base, context};
}

// open loads url and waits for the engine.
async function open(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.__seen && window.__seen.ready, null, {timeout: 120000});
  return page;
}

const state = (page) => page.evaluate(() => ({isolated: self.crossOriginIsolated, ...window.__seen,
  line: document.querySelector('[data-testid=kernel]').textContent}));

// result runs RUN to its end and returns the last frame.
async function result(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid=start]').disabled, null, {timeout: 120000});
  await page.click('[data-testid=start]');
  await page.waitForFunction(() => window.__seen.frame && window.__seen.frame.done, null, {timeout: 300000});
  return (await state(page)).frame;
}

let pooled; // the isolated page's result, for the one-thread page to match
let isolated; // that site: {base, context}

test('served with the headers: isolated, the products on every core, and it says so', async () => {
  isolated = await site('headers');
  const {base, context} = isolated;
  const page = await open(context, `${base}/index.html?threads=${cores}#${RUN}`);
  const s = await state(page);
  assert.equal(s.isolated, true, 'tools/serve sends COOP and COEP');
  if (cores >= 2) {
    assert.equal(s.ready.threads, cores, `one thread per core: ${JSON.stringify(s.ready)}`);
    assert.match(s.line, new RegExp(`^wasm SIMD, ${cores} threads\\.`));
  }
  pooled = await result(page);
  assert.equal(pooled.iter, 3);
  if (cores >= 2) {
    const p = (await state(page)).pool;
    assert.ok(p && p.shared > 0, `the pool shared no call of the run: ${JSON.stringify(p)}`);
  }
  await page.close();
});

test('isolated, unasked: the pool from two cores up; on one, one thread and the reason', async () => {
  const page = await open(isolated.context, `${isolated.base}/index.html#${RUN}`);
  const s = await state(page);
  assert.equal(s.isolated, true);
  if (cores >= 2) {
    assert.equal(s.ready.threads, cores);
    assert.match(s.line, new RegExp(`^wasm SIMD, ${cores} threads\\.`));
  } else {
    assert.equal(s.ready.threads, 1);
    assert.match(s.line, /^wasm SIMD, 1 thread \(this machine reports 1 core \(threads=2/);
  }
  await page.close();
});

test('served without the headers: one thread, the reason said, and the same result', async () => {
  const {base, context} = await site('plain', ['-isolate=false']);
  // isolate=off keeps the service worker (which would isolate the next load) out of it.
  const page = await open(context, `${base}/index.html?isolate=off#${RUN}`);
  const s = await state(page);
  assert.equal(s.isolated, false);
  assert.equal(s.ready.threads, 1);
  assert.match(s.line, /^wasm SIMD, 1 thread \(this page is not cross-origin isolated: isolate=off/);
  const single = await result(page);
  assert.ok(pooled, 'the isolated run ran');
  assert.deepEqual(single, pooled, 'one thread and several give the same loss and pixels');
  await page.close();
});

test('without the headers, the service worker isolates the page: one reload, then every core', async () => {
  const {base, context} = await site('sw', ['-isolate=false']);
  const page = await context.newPage();
  await page.goto(`${base}/index.html?threads=${cores}`);
  // The first load is not isolated; when the service worker takes control the page reloads once.
  await page.waitForFunction(() => self.crossOriginIsolated && window.__seen && window.__seen.ready, null, {timeout: 180000});
  const s = await state(page);
  assert.equal(s.loads, 2, 'exactly one reload');
  if (cores >= 2) assert.match(s.line, new RegExp(`^wasm SIMD, ${cores} threads\\.`));
  // No loop: the page stays put.
  await page.waitForTimeout(1500);
  assert.equal((await state(page)).loads, 2);
  await page.close();
});

// 512 px in the page: a run starts and draws its frames (two Adam iterations, one evaluation each,
// on the first layer alone to keep it cheap; docs/performance.md has the default layers' cost
// and memory at 512 px, from make bench).
test('a 512 px run starts and makes frames', async () => {
  assert.ok(isolated, 'the isolated site is up');
  const page = await open(isolated.context, `${isolated.base}/index.html#size=512&iters=2&layers=conv1_1&levels=1&optimizer=adam&sample=bricks`);
  const frame = await result(page);
  assert.equal(frame.iter, 2);
  assert.ok(Number.isFinite(frame.loss) && frame.loss > 0, `loss ${frame.loss}`);
  const size = await page.evaluate(() => [document.querySelector('[data-testid=output]').width, document.querySelector('[data-testid=output]').height]);
  assert.deepEqual(size, [512, 512]);
  await page.close();
});
