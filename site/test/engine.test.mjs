// The engine a run is on, in headless Chromium: with WebGPU on SwiftShader (site/test/webgpu.mjs)
// and with Chromium's default flags, where there is no WebGPU adapter. At 32 px with three layers
// and a few iterations: SwiftShader takes about 3 s an iteration there, the wasm kernels 0.3 s.
//
// - auto takes the wasm kernels on SwiftShader (a CPU emulation of WebGPU), and says why;
// - engine=webgpu runs on the GPU engine, and its loss curve and final texture match a wasm run
//   of the same settings; pause, resume and more work on it as on the wasm engine;
// - a device lost mid-run (the worker's lose-gpu test hook destroys it while a step waits on the
//   GPU) costs nothing but speed: the run goes on with the wasm kernels to the same iteration
//   count, its curve the wasm run's, with a notice;
// - a device lost before a run: the run starts on the wasm kernels, with a notice;
// - the iframe's element names the engine;
// - without WebGPU, auto is the wasm kernels and engine=webgpu in a link is refused with a notice.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {root, buildServe, serve, stop, launch} from './harness.mjs';
import {launchWebGPU} from './webgpu.mjs';
import {FAST, opener, until} from './page-helpers.mjs';

const site = path.resolve(root, process.env.SITE || 'build/site');
let tmp, server, base, gpuBrowser, gpu, plain, open;

// The comparison's settings: FAST's three shallow layers, six iterations.
const RUN = FAST.replace('iters=10', 'iters=6');

before(async () => {
  assert.ok(existsSync(path.join(site, 'engine-label.js')), `no engine-label.js in ${site}: run make site`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'texsynth-engine-'));
  const bin = path.join(tmp, 'serve');
  buildServe(bin);
  ({proc: server, base} = await serve(bin, site));
  open = opener(base);
  gpuBrowser = await launchWebGPU();
  gpu = await gpuBrowser.newContext({viewport: {width: 1280, height: 800}});
  plain = await launch(path.join(tmp, 'plain'), {viewport: {width: 1280, height: 800}});
});

after(async () => {
  if (gpuBrowser) await gpuBrowser.close();
  if (plain) await plain.close();
  await stop(server);
  if (tmp) rmSync(tmp, {recursive: true, force: true});
});

const state = (page) => page.evaluate(() => window.texsynth.controller().state);
const iter = (page) => page.evaluate(() => (window.texsynth.controller().run || {}).iter || 0);
const ended = (page) => until(page, () => ['done', 'stopped'].includes(window.texsynth.controller().state), 300000);

// finish runs the page's settings to the end and returns {losses, stats, engine, toasts}.
async function finish(page, during = null) {
  await page.click('#start');
  if (during) await during(page);
  await ended(page);
  return page.evaluate(() => {
    const img = window.texsynth.shown().image;
    // VGG-free statistics of the texture, as core/metrics takes them: per channel the mean and
    // standard deviation, and the mean absolute difference of neighbours (its fine structure).
    const stats = [];
    const n = img.width * img.height;
    for (let c = 0; c < 3; c++) {
      let sum = 0, sq = 0, dx = 0;
      for (let i = 0; i < n; i++) {
        const v = img.data[4 * i + c];
        sum += v;
        sq += v * v;
        if (i % img.width) dx += Math.abs(v - img.data[4 * (i - 1) + c]);
      }
      const mean = sum / n;
      stats.push(mean, Math.sqrt(sq / n - mean * mean), dx / (n - img.height));
    }
    return {losses: window.texsynth.losses(), stats, engine: document.getElementById('engine').textContent,
      toasts: document.getElementById('toasts').textContent, state: window.texsynth.controller().state};
  });
}

// worst is the largest relative difference of two lists, element by element.
const worst = (a, b) => Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.abs(b[i])));

let wasmRun = null; // the wasm engine's run of RUN, the reference of the others

test('auto takes the wasm kernels on SwiftShader, and says why; engine=wasm runs them', {timeout: 300000}, async () => {
  const {page, errors, close} = await open(gpu, `${RUN}&engine=wasm`);
  const gpuSeen = await page.evaluate(() => window.texsynth.controller().gpu);
  assert.match(gpuSeen.adapter, /swiftshader/i);
  assert.equal(gpuSeen.emulated, true);
  assert.match(await page.textContent('#engine'), /^Engine: wasm SIMD128.*, 1 thread \(auto: the WebGPU adapter \(.*swiftshader.*\) is a CPU emulation/i);
  wasmRun = await finish(page);
  assert.equal(wasmRun.state, 'done');
  assert.equal(wasmRun.losses.length, 6);
  assert.match(wasmRun.engine, /^Engine: wasm SIMD128.*, 1 thread\.$/);
  assert.deepEqual(errors, []);
  await close();
});

test('engine=webgpu runs on the GPU engine: the loss curve and the texture match the wasm run; pause, resume and more', {timeout: 600000}, async () => {
  assert.ok(wasmRun, 'the wasm run ran first');
  const {page, errors, close} = await open(gpu, `${RUN}&engine=webgpu`);
  const run = await finish(page, async (p) => {
    await until(p, () => (window.texsynth.controller().run || {}).iter >= 2, 300000);
    await p.click('#pause');
    await until(p, () => window.texsynth.controller().state === 'paused', 60000);
    const at = await iter(p);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await iter(p), at, 'a paused GPU run takes no steps');
    await p.click('#pause'); // Resume
  });
  assert.equal(run.state, 'done');
  assert.match(run.engine, /^Engine: WebGPU · .*swiftshader.* \(CPU emulation\)\.$/i);
  // Float32 on both engines, summed in different orders (and the wasm kernels' fused
  // multiply-adds: their image gradient is 6e-3 from float64 where the GPU's is 1e-6,
  // bench.test.mjs), and L-BFGS feeds each step's rounding into the next: six iterations
  // differed by up to 5e-3 relative here. 2e-2 allows for that; a wrong kernel, padding or
  // gradient moves the curve by far more (the loss falls by 70% over these six).
  const d = worst(run.losses, wasmRun.losses);
  assert.ok(d < 2e-2, `loss curves differ by ${d}: ${run.losses} vs ${wasmRun.losses}`);
  const s = worst(run.stats, wasmRun.stats);
  console.log(`webgpu vs wasm: loss curves ${d.toExponential(2)}, texture statistics ${s.toExponential(2)} (relative)`);
  assert.ok(s < 2e-2, `texture statistics differ by ${s}: ${run.stats} vs ${wasmRun.stats}`);
  // More continues on the GPU.
  await page.fill('#more-iters', '1');
  await page.click('#more');
  await until(page, () => window.texsynth.controller().state === 'running', 60000).catch(() => {});
  await ended(page);
  assert.equal(await iter(page), 7);
  assert.match(await page.textContent('#engine'), /WebGPU/);
  assert.deepEqual(errors, []);
  await close();
});

test('a device lost mid-run: the run goes on with the wasm kernels, the same curve, with a notice', {timeout: 600000}, async () => {
  assert.ok(wasmRun, 'the wasm run ran first');
  const {page, errors, close} = await open(gpu, `${RUN}&engine=webgpu`);
  let lostAt = 0;
  const run = await finish(page, async (p) => {
    await until(p, () => (window.texsynth.controller().run || {}).iter >= 2, 300000);
    lostAt = await iter(p);
    // While the next step waits on the GPU.
    await new Promise((r) => setTimeout(r, 300));
    await p.evaluate(() => window.texsynth.engine().post({type: 'lose-gpu'}));
  });
  assert.equal(run.state, 'done');
  assert.equal(run.losses.length, 6, 'every iteration ran, none twice');
  assert.match(run.toasts, /The GPU failed during iteration \d.*the WebGPU device failed.*goes on on the CPU \(wasm SIMD128.*\) from where it was/);
  assert.match(run.engine, /^Engine: wasm SIMD128.*\(the GPU failed; see the notice\)\.$/);
  const failedAt = +run.toasts.match(/during iteration (\d+)/)[1];
  console.log(`lost after iteration ${lostAt}, failed during ${failedAt}; curve vs wasm ${worst(run.losses, wasmRun.losses).toExponential(2)}`);
  assert.ok(failedAt > lostAt, `failed during iteration ${failedAt}, lost after ${lostAt}`);
  // The run did not start again, nor jump: its curve is the wasm run's, as the GPU run's is.
  const d = worst(run.losses, wasmRun.losses);
  assert.ok(d < 2e-2, `loss curves differ by ${d}: ${run.losses} vs ${wasmRun.losses}`);
  assert.deepEqual(errors, []);
  await close();
});

test('a device lost before the run: it starts on the wasm kernels, with a notice', {timeout: 300000}, async () => {
  const {page, errors, close} = await open(gpu, `${FAST.replace('iters=10', 'iters=2')}&engine=webgpu`);
  await page.evaluate(() => window.texsynth.engine().post({type: 'lose-gpu'}));
  const run = await finish(page);
  assert.equal(run.state, 'done');
  assert.equal(run.losses.length, 2);
  assert.match(run.toasts, /The GPU failed as the run started .*goes on on the CPU/);
  assert.match(run.engine, /^Engine: wasm SIMD128.*\(the GPU failed; see the notice\)\.$/);
  assert.deepEqual(errors, []);
  await close();
});

test('the iframe\'s element names the engine it runs on', {timeout: 300000}, async () => {
  const page = await gpu.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/embed.html#size=32&iterations=1&layers=conv1_1&engine=webgpu&autostart`);
  const info = await until(page, () => {
    const el = document.querySelector('texture-synth');
    return el && el.state === 'done' && el.shadowRoot.querySelector('.info').textContent;
  }, 300000);
  assert.match(info, /Engine: WebGPU · .*swiftshader.* \(CPU emulation\)\./i);
  assert.deepEqual(errors, []);
  await page.close();
});

test('without WebGPU: auto is the wasm kernels; engine=webgpu in a link is refused with a notice', {timeout: 300000}, async () => {
  const {page, errors, close} = await open(plain, `${FAST.replace('iters=10', 'iters=2')}&engine=webgpu`);
  assert.equal(await page.evaluate(() => window.texsynth.controller().gpu.adapter), undefined);
  assert.match(await page.textContent('#engine'), /^Engine: wasm SIMD128.*, 1 thread \(auto: no WebGPU/);
  await until(page, () => /engine= in the link: this browser gives no WebGPU adapter.*use auto or wasm.*Kept auto/.test(document.getElementById('toasts').textContent), 30000);
  assert.equal(await page.evaluate(() => window.texsynth.text().engine), 'auto');
  const d = await page.evaluate(() => window.texsynth.controller().describe({engine: 'cuda'}));
  assert.match(d.errors.engine, /unknown engine "cuda"; use auto, webgpu or wasm/);
  const run = await finish(page);
  assert.equal(run.state, 'done');
  assert.match(run.engine, /^Engine: wasm SIMD128.*, 1 thread\.$/);
  assert.deepEqual(errors, []);
  await close();
});
