// The WebGPU engine in the browser: bench.html (the benchmark page a person opens) run in
// headless Chromium with WebGPU on SwiftShader (site/test/webgpu.mjs), at 32 px with one timed
// evaluation per engine (the wasm one on one thread and on its worker pool). It checks that both
// engines ran in the worker, that one thread and the pool give the same loss (the pool having
// shared some of the calls), that the adapter is named
// and marked as CPU emulation, and that the WebGPU engine agrees with the wasm SIMD engine: the sw
// and gram losses to 1e-3 relative, the gram loss's image gradient more loosely (see below;
// core/gpu's Node tests check the engine against float64).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {root, buildServe, serve, stop} from './harness.mjs';
import {launchWebGPU, runBench} from './webgpu.mjs';

const site = path.resolve(root, process.env.SITE || 'build/site');
let tmp, server, base, browser;

before(async () => {
  assert.ok(existsSync(path.join(site, 'bench.html')), `no bench.html in ${site}: run make site`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'texsynth-bench-'));
  const bin = path.join(tmp, 'serve');
  buildServe(bin);
  ({proc: server, base} = await serve(bin, site));
  browser = await launchWebGPU();
});

after(async () => {
  if (browser) await browser.close();
  await stop(server);
  if (tmp) rmSync(tmp, {recursive: true, force: true});
});

test('bench.html runs both engines, and WebGPU agrees with wasm SIMD', {timeout: 600_000}, async () => {
  const {rows, table, errors} = await runBench(browser, base, 'sizes=32&engines=webgpu,wasm&evals=1');
  console.log(table);
  assert.deepEqual(errors, []);
  // The page is served cross-origin isolated, so the wasm engine runs on one thread and on every
  // core (its worker pool): the same evaluation to the last bit.
  const pooled = Math.min(os.cpus().length, 8);
  assert.equal(rows.length, pooled > 1 ? 3 : 2, JSON.stringify(rows));
  for (const r of rows) assert.ok(!r.error, `${r.engine}: ${r.error}`);
  const [gpu, wasm, wasmPooled] = rows;
  assert.equal(wasm.engine, 'wasm SIMD, 1 thread');
  if (pooled > 1) {
    assert.equal(wasmPooled.engine, `wasm SIMD, ${pooled} threads`);
    assert.equal(wasmPooled.raw.value, wasm.raw.value, 'one thread and the pool give the same loss');
    // …having shared calls between its threads: a pool whose workers never started runs every
    // call on one thread and gives the same loss too.
    const p = wasmPooled.raw.pool;
    assert.ok(p && p.shared > 0 && p.calls >= p.shared, `the pool shared no call: ${JSON.stringify(p)}`);
  }
  assert.equal(gpu.engine, 'WebGPU');
  assert.match(gpu.adapter, /swiftshader/i);
  assert.ok(gpu.emulated, 'SwiftShader is marked as CPU emulation');
  assert.match(gpu.adapter, /CPU emulation/);
  assert.ok(gpu.best > 0 && wasm.best > 0);
  assert.equal(gpu.raw.forward.length, 1);
  const a = wasm.raw.agreement;
  assert.ok(a && a.with === 'webgpu', JSON.stringify(wasm.raw));
  assert.ok(a.sw < 1e-3 && a.gram < 1e-3, `relative difference: ${JSON.stringify(a)}`);
  // Looser for the gradient: the wasm SIMD engine's (with relaxed SIMD's fused multiply-add) is
  // itself 6e-3 from float64 on this input, where the WebGPU engine's is 1e-6 (core/gpu's tests
  // hold the WebGPU gradient to 1e-3 of float64; with TEXSYNTH_SIMD=nofma the wasm one is 7e-6).
  assert.ok(a.gramGradient < 2e-2, `relative difference: ${JSON.stringify(a)}`);
});
