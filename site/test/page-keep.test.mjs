// The page in headless Chromium, continued (page.test.mjs has the runs and the inputs): outputs
// at exactly the size asked, the ETA across coarse-to-fine levels, the size menu's estimates,
// the views beside the exemplar, exports, the gallery across reloads, and variations. Tiny runs
// except where the figure needs the page's defaults (the ETA at 128 px).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {root, chromePath, buildServe, serve, stop, launch} from './harness.mjs';
import {opener, until, text} from './page-helpers.mjs';

const site = path.resolve(root, process.env.SITE || 'build/site');
const TINY = 'layers=conv1_1,pool1,conv2_1&loss=sw&seed=1';
let server, base, context, userDir, open;

before(async () => {
  assert.ok(existsSync(path.join(site, 'texsynth.wasm')), `no built site in ${site}: run make site`);
  assert.ok(existsSync(chromePath), `no Chromium at ${chromePath}: apt-get install chromium`);
  const bin = path.join(root, 'build', 'serve-keep');
  buildServe(bin);
  ({proc: server, base} = await serve(bin, site));
  userDir = mkdtempSync(path.join(os.tmpdir(), 'texsynth-keep-'));
  context = await launch(userDir, {acceptDownloads: true, viewport: {width: 1280, height: 800}});
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: base});
  open = opener(base);
});

after(async () => {
  if (context) await context.close();
  await stop(server);
  if (userDir) rmSync(userDir, {recursive: true, force: true});
});

const done = (page) => until(page, () => /^(Done|Stopped)/.test(document.querySelector('[data-testid=status]').textContent), 300000);
const pngSize = (file) => [file.readUInt32BE(16), file.readUInt32BE(20)];

async function download(page) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
  return {name: d.suggestedFilename(), file: readFileSync(await d.path())};
}

test('64, 128 and 256 px show and download exactly that size, past the coarse level (defect 1)', async () => {
  const {page, errors, close} = await open(context, `size=64&iters=2&${TINY}`);
  try {
    for (const size of [64, 128, 256]) {
      await page.evaluate((s) => { location.hash = `size=${s}&iters=2&layers=conv1_1,pool1,conv2_1&loss=sw&seed=1`; }, size);
      await until(page, (s) => document.querySelector('[data-testid=field-size]').value === String(s), 30000, size);
      await until(page, () => !document.querySelector('[data-testid=start]').disabled);
      await page.click('[data-testid=start]');
      if (await page.isVisible('[data-testid=confirm][open]')) await page.click('[data-testid=confirm-yes]');
      await until(page, () => document.querySelector('[data-testid=status]').textContent.startsWith('Done'), 300000);
      assert.deepEqual(await page.$eval('#output', (c) => [c.width, c.height]), [size, size], `${size} px on screen`);
      assert.deepEqual(await page.$eval('#seen', (c) => [c.width, c.height]), [size, size], 'the exemplar as the network sees it, at the same size');
      assert.match(await text(page, '[data-testid=output-caption]'), new RegExp(`${size} × ${size} px`));
      const {name, file} = await download(page);
      assert.deepEqual(pngSize(file), [size, size], `${size} px downloaded`);
      assert.match(name, new RegExp(`-${size}px-`));
      if (size > 64) assert.match(await text(page, '[data-testid=chart-note]'), new RegExp(`1 iterations at ${size / 2} px, then 1 iterations at ${size} px`));
    }
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('at 128 px the ETA at the halfway iteration is within a factor of two of the time that remained (defect 3)', async () => {
  const {page, errors, close} = await open(context, 'size=128&iters=30&seed=1');
  try {
    // The machine's speed at 64 and 128 px, as the page measures it when left alone.
    const points = await page.evaluate(() => window.texsynth.calibrate());
    assert.ok(points.length >= 2, `measured: ${JSON.stringify(points)}`);
    await page.evaluate(() => {
      window.etas = [];
      window.texsynth.controller().addEventListener('frame', (e) => window.etas.push({iter: e.detail.frame.iter, eta: e.detail.eta, t: performance.now()}));
    });
    await page.click('[data-testid=start]');
    await done(page);
    const etas = await page.evaluate(() => window.etas);
    const half = etas.find((e) => e.iter === 15);
    const last = etas[etas.length - 1];
    const remained = (last.t - half.t) / 1000;
    console.log(`# 128 px, 30 iterations (15 at 64 px): ETA at iteration 15 ${half.eta.toFixed(1)} s, remained ${remained.toFixed(1)} s`);
    // Within a factor of two: the machine's load may change during the run (estimate.test.mjs
    // checks the arithmetic exactly); an ETA that left the fine level's cost out was 3–4× short.
    assert.ok(half.eta >= remained / 2 && half.eta <= remained * 2, `ETA ${half.eta.toFixed(1)} s against ${remained.toFixed(1)} s`);
    // The curve marks the level change and says why the loss jumps there.
    assert.match(await text(page, '[data-testid=chart-note]'), /15 iterations at 64 px, then 15 iterations at 128 px\. The loss jumps where a level starts/);
    // The size menu gives each size's time and memory on this machine, and refuses what cannot fit.
    const sizes = await until(page, () => {
      const o = [...document.querySelectorAll('[data-testid=field-size] option')];
      return o.every((x) => /about|too large/.test(x.textContent)) && o.map((x) => [x.value, x.textContent, x.disabled, x.title]);
    }, 30000);
    const by = Object.fromEntries(sizes.map(([v, ...rest]) => [v, rest]));
    assert.match(by['128'][0], /^128 × 128 — about \d+ (s|min) · \d+ MB$/);
    assert.match(by['512'][0], /about .* · \d\.\d GB/);
    assert.ok(by['1024'][1], '1024 px cannot be chosen');
    assert.match(by['1024'][0], /too large: needs about \d+\.\d GB of memory; the browser's engine \(32-bit WebAssembly\) can have at most 4 GB/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('views: beside the exemplar at the same scale, before/after, tiled, offset by half, zoom, smooth', async () => {
  const {page, errors, close} = await open(context, `size=32&iters=3&${TINY}&pad=circular`);
  try {
    await page.click('[data-testid=start]');
    await done(page);
    await page.selectOption('[data-testid=view]', 'side');
    const [o, s] = await page.$$eval('#output, #seen', (cs) => cs.map((c) => c.getBoundingClientRect().width));
    assert.ok(o > 100 && Math.abs(o - s) < 1, `the same scale: ${o} and ${s}`);
    await page.selectOption('[data-testid=zoom]', '2');
    assert.equal(await page.$eval('#output', (c) => c.getBoundingClientRect().width), 64);
    await page.selectOption('[data-testid=zoom]', 'fit');
    await page.selectOption('[data-testid=view]', 'slider');
    assert.ok(await page.isVisible('[data-testid=split]'));
    await page.fill('[data-testid=split]', '25');
    assert.match(await page.$eval('#overlay', (c) => c.style.clipPath), /inset\(0(px)? 75% 0(px)? 0(px)?\)/);
    await page.selectOption('[data-testid=view]', 'offset');
    const same = await page.evaluate(() => {
      const px = (c, x, y) => [...c.getContext('2d').getImageData(x, y, 1, 1).data].join();
      const out = document.getElementById('output'), ov = document.getElementById('overlay');
      return px(ov, 0, 0) === px(out, 16, 16) && px(ov, 16, 16) === px(out, 0, 0) && ov.width === 32;
    });
    assert.ok(same, 'rolled by half');
    assert.match(await text(page, '[data-testid=view-note]'), /edges meet in the middle/);
    await page.selectOption('[data-testid=view]', 'tiled');
    assert.equal(await page.$eval('#overlay', (c) => c.width), 96);
    assert.equal(await page.$eval('#output', (c) => getComputedStyle(c).imageRendering), 'pixelated');
    await page.check('[data-testid=smooth]');
    assert.equal(await page.$eval('#output', (c) => getComputedStyle(c).imageRendering), 'auto');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('exports: tiled PNG, WebP and JPEG with a quality, the clipboard', async () => {
  const {page, errors, close} = await open(context, `size=32&iters=2&${TINY}&pad=circular`);
  try {
    await page.click('[data-testid=start]');
    await done(page);
    await page.selectOption('[data-testid=tiles]', '2');
    let d = await download(page);
    assert.deepEqual(pngSize(d.file), [64, 64]);
    assert.match(d.name, /-32px-seed1-it2-2x2\.png$/);
    await page.selectOption('[data-testid=tiles]', '1');
    await page.selectOption('[data-testid=format]', 'image/webp');
    assert.ok(await page.isVisible('[data-testid=quality]'));
    await page.fill('[data-testid=quality]', '50');
    d = await download(page);
    assert.equal(d.file.subarray(0, 4).toString(), 'RIFF');
    assert.equal(d.file.subarray(8, 12).toString(), 'WEBP');
    assert.match(d.name, /\.webp$/);
    await page.selectOption('[data-testid=format]', 'image/jpeg');
    const hi = (await download(page)).file;
    await page.fill('[data-testid=quality]', '10');
    const lo = (await download(page)).file;
    assert.deepEqual([...hi.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
    assert.ok(lo.length < hi.length, `quality 10 is smaller than 50: ${lo.length} < ${hi.length}`);
    await page.click('[data-testid=copy]');
    await until(page, () => document.querySelector('[data-testid=notices]').textContent.includes('Copied the texture (32 px, PNG)'));
    const back = await page.evaluate(async () => {
      const [item] = await navigator.clipboard.read();
      const bmp = await createImageBitmap(await item.getType('image/png'));
      return [item.types, bmp.width];
    });
    assert.deepEqual(back, [['image/png'], 32]);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('the gallery keeps runs across a reload: reopen, download, delete', async () => {
  const first = await open(context, `size=32&iters=2&${TINY}&seed=4&sample=tiles`);
  try {
    await first.page.click('[data-testid=start]');
    await done(first.page);
    // Kept when it ended (earlier tests' runs are in the gallery too).
    await until(first.page, () => [...document.querySelectorAll('[data-testid=gallery-item]')].some((li) => li.textContent.includes('"tiles"')), 30000);
  } finally {
    await first.close();
  }
  const {page, errors, close} = await open(context, `size=64&iters=100&sample=bricks`);
  try {
    await page.waitForSelector('[data-testid=gallery-item]');
    const item = page.locator('[data-testid=gallery-item]').filter({hasText: 'tiles'}).first();
    assert.match(await item.textContent(), /"tiles" · 32 px · 2 it/);
    await item.locator('[data-testid=gallery-open]').click();
    await until(page, () => document.querySelector('[data-testid=output-caption]').textContent.startsWith('kept run'));
    assert.deepEqual(await page.$eval('#output', (c) => [c.width, c.height]), [32, 32]);
    assert.equal(await page.inputValue('[data-testid=field-seed]'), '4', 'its settings are back in the form');
    assert.match(await text(page, '[data-testid=exemplar-info]'), /sample "tiles"/);
    const [d] = await Promise.all([page.waitForEvent('download'), item.locator('[data-testid=gallery-download]').click()]);
    assert.match(d.suggestedFilename(), /^texsynth-tiles-sw-32px-seed4-it2\.png$/);
    const n = await page.locator('[data-testid=gallery-item]').count();
    await item.locator('[data-testid=gallery-delete]').click();
    await until(page, (n) => document.querySelectorAll('[data-testid=gallery-item]').length === n - 1, 30000, n);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('variations: N seeds one after the other, one picked', async () => {
  const {page, errors, close} = await open(context, `size=32&iters=2&${TINY}&seed=7`);
  try {
    await page.selectOption('[data-testid=variation-count]', '2');
    await page.click('[data-testid=variations]');
    await until(page, () => [...document.querySelectorAll('[data-testid=variation]')].filter((b) => !b.disabled).length === 2, 300000);
    const labels = await page.$$eval('[data-testid=variation]', (b) => b.map((x) => x.textContent));
    assert.deepEqual(labels, ['seed 7: pick', 'seed 8: pick']);
    const cells = await page.$$eval('[data-testid=variation] canvas', (cs) => cs.map((c) => c.toDataURL()));
    assert.notEqual(cells[0], cells[1], 'different seeds, different textures');
    await page.click('[data-testid=variation] >> nth=1');
    assert.equal(await page.inputValue('[data-testid=field-seed]'), '8');
    assert.match(await text(page, '[data-testid=output-caption]'), /seed 8 \(picked\)/);
    assert.equal(await page.$eval('#output', (c) => c.toDataURL()), cells[1]);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
