// The page end to end in headless Chromium (Debian's chromium, driven by playwright-core):
// the built site (make site) served by tools/serve on localhost, a 32 px exemplar through the
// file input, 10 iterations at 32 px, the PNG download, bad files, a crash, the URL hash.
// A screenshot is saved as build/page.png.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync} from 'node:fs';
import {gif, png} from './images.mjs';
import os from 'node:os';
import path from 'node:path';
import {root, chromePath, buildServe, serve, stop, launch} from './harness.mjs';

const site = path.resolve(root, process.env.SITE || 'build/site');
const FAST = 'size=32&iters=10&layers=conv1_1,pool1,conv2_1&loss=sw&seed=1';

let server, base, context, userDir;

const checks = (x, y) => (((x >> 2) + (y >> 2)) % 2 ? [220, 120, 40] : [40, 70, 150]);

before(async () => {
  assert.ok(existsSync(path.join(site, 'texsynth.wasm')), `no built site in ${site}: run make site`);
  assert.ok(existsSync(chromePath), `no Chromium at ${chromePath}: apt-get install chromium`);
  // The server the README's make serve runs, on a free port.
  const bin = path.join(root, 'build', 'serve');
  buildServe(bin);
  ({proc: server, base} = await serve(bin, site));
  userDir = mkdtempSync(path.join(os.tmpdir(), 'texsynth-chromium-'));
  context = await launch(userDir, {acceptDownloads: true, viewport: {width: 1360, height: 1000}});
});

after(async () => {
  if (context) await context.close();
  await stop(server);
  if (userDir) rmSync(userDir, {recursive: true, force: true});
});

// open loads the page with a hash (and a query) and collects console errors; it waits for
// texsynthReady.
async function open(hash = FAST, query = '') {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/${query}#${hash}`);
  await page.evaluate(() => window.texsynthReady);
  return {page, errors, close: () => page.close()};
}

test('the built-in weights are kept after a first visit and read back, the same numbers', async () => {
  const first = await open();
  const drawn = await first.page.evaluate(() => window.texsynthReady);
  // The worker keeps them a second after it is ready; give it time to write them.
  await first.page.waitForTimeout(2500);
  await first.close();
  const second = await open();
  try {
    const back = await second.page.evaluate(() => window.texsynthReady);
    assert.equal(await second.page.getAttribute('#weights-in-use', 'data-kept'), 'true', 'read back from the cache');
    assert.equal(back.checksum, drawn.checksum);
    assert.equal(back.builtin, true);
    assert.deepEqual(back.layers, drawn.layers);
    assert.deepEqual(second.errors, []);
  } finally {
    await second.close();
  }
});

const canvasData = (page) => page.$eval('[data-testid=output]', (c) => c.toDataURL());
const iteration = (page) => page.textContent('[data-testid=iteration]');

test('a 32 px exemplar, 10 iterations at 32 px: live frames, falling loss, PNG download', async () => {
  const {page, errors, close} = await open();
  try {
    assert.match(await page.textContent('#weights-name'), /untrained VGG-16 \(random features, seed 0\)/);
    // Chromium has relaxed SIMD: the page runs the fused multiply-add product kernel, and says so.
    assert.equal(await page.textContent('[data-testid=kernel]'), 'Kernels: wasm SIMD128 + relaxed FMA.');
    await page.setInputFiles('[data-testid=exemplar-input]', {name: 'checks.png', mimeType: 'image/png', buffer: png(32, 32, checks)});
    await page.waitForFunction(() => document.querySelector('[data-testid=exemplar-info]').textContent.includes('checks.png: 32 × 32'));
    const before = await canvasData(page);
    const t0 = Date.now();
    await page.click('[data-testid=start]');
    // The counter moves through the run, not only at its end.
    await page.waitForFunction(() => /^[1-9] \/ 10$/.test(document.querySelector('[data-testid=iteration]').textContent), null, {timeout: 120000});
    await page.waitForFunction(() => document.querySelector('[data-testid=iteration]').textContent === '10 / 10', null, {timeout: 300000});
    await page.waitForFunction(() => document.querySelector('[data-testid=status]').textContent.startsWith('Done'));
    const seconds = (Date.now() - t0) / 1000;
    console.log(`# 10 iterations at 32 px in the browser: ${seconds.toFixed(1)} s`);
    assert.notEqual(await canvasData(page), before, 'the output canvas changed');
    const losses = await page.evaluate(() => window.texsynth.losses());
    assert.equal(losses.length, 10, 'one loss per iteration');
    assert.ok(losses[9] < losses[0] / 2, `the loss falls: ${losses.join(', ')}`);
    assert.ok(await page.isEnabled('[data-testid=start]'), 'Start works again');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
    assert.match(download.suggestedFilename(), /^texsynth-.*\.png$/);
    const file = readFileSync(await download.path());
    assert.deepEqual([...file.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG');
    assert.equal(file.readUInt32BE(16), 32);
    assert.equal(file.readUInt32BE(20), 32);

    mkdirSync(path.join(root, 'build'), {recursive: true});
    await page.screenshot({path: path.join(root, 'build', 'page.png'), fullPage: true});
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await close();
  }
});

test('bad files show notices and leave the exemplar as it was', async () => {
  const {page, errors, close} = await open();
  try {
    const info = await page.textContent('[data-testid=exemplar-info]');
    await page.setInputFiles('[data-testid=exemplar-input]', {name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture')});
    await page.waitForSelector('[data-testid=notice].error');
    assert.match(await page.textContent('[data-testid=notices]'), /notes\.txt|cannot be used/);
    assert.equal(await page.textContent('[data-testid=exemplar-info]'), info);

    await page.setInputFiles('[data-testid=exemplar-input]', {name: 'tiny.png', mimeType: 'image/png', buffer: png(8, 8, checks)});
    await page.waitForFunction(() => document.querySelector('[data-testid=notices]').textContent.includes('at least 16'));

    await page.setInputFiles('[data-testid=exemplar-input]', {name: 'huge.png', mimeType: 'image/png', buffer: png(1500, 1000, checks)});
    await page.waitForFunction(() => document.querySelector('[data-testid=notices]').textContent.includes('scaled down from 1500×1000 to 512×341'));
    assert.match(await page.textContent('[data-testid=exemplar-info]'), /huge\.png: 512 × 341/);

    const pal = [[255, 0, 0], [0, 0, 255], [0, 255, 0], [255, 255, 255]];
    const anim = gif(20, 20, pal, [(x, y) => (x + y) % 2, (x, y) => 2 + ((x + y) % 2)]);
    await page.setInputFiles('[data-testid=exemplar-input]', {name: 'anim.gif', mimeType: 'image/gif', buffer: anim});
    await page.waitForFunction(() => document.querySelector('[data-testid=notices]').textContent.includes('animated GIF with 2 frames: using the first frame'));
    assert.match(await page.textContent('[data-testid=exemplar-info]'), /anim\.gif: 20 × 20/);
    assert.deepEqual(errors, [], 'no console errors');
  } finally {
    await close();
  }
});

test('drop and paste bring a picture in, as the file input does', async () => {
  const {page, errors, close} = await open();
  try {
    const b64 = png(48, 48, checks).toString('base64');
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.png', {type: 'image/png'}));
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }, b64);
    await page.waitForFunction(() => document.querySelector('[data-testid=exemplar-info]').textContent.startsWith('dropped.png: 48 × 48'));
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'pasted.png', {type: 'image/png'}));
      document.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
    }, b64);
    await page.waitForFunction(() => document.querySelector('[data-testid=exemplar-info]').textContent.startsWith('pasted.png: 48 × 48'));
    assert.match(await page.evaluate(() => location.hash), /^(?!.*sample=)/, 'a picture of the user\'s is not in the link');
    await page.click('[data-testid=sample-pebbles]');
    assert.match(await page.textContent('[data-testid=exemplar-info]'), /sample "pebbles": 256 × 256/);
    assert.match(await page.evaluate(() => location.hash), /sample=pebbles/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('a picked .q8 weights file is verified and named by its provenance', async () => {
  const {page, errors, close} = await open();
  try {
    await page.setInputFiles('[data-testid=weights-input]', path.join(site, 'weights', 'vgg16-random.q8'));
    await page.waitForFunction(() => document.querySelector('[data-testid=weights]').textContent.includes('13 layers, checksum'), null, {timeout: 60000});
    assert.match(await page.textContent('[data-testid=weights]'), /vgg16-random\.q8/);
    assert.match(await page.textContent('#weights-name'), /untrained VGG-16 \(random features, He-normal, seed 0\)/);
    await page.click('#weights-builtin');
    await page.waitForFunction(() => document.querySelector('[data-testid=weights]').textContent.includes('built in this page'));
    // The picked file was kept in Cache Storage and is offered again.
    await page.waitForSelector('#weights-cached:not([hidden])');
    assert.match(await page.textContent('#weights-cached'), /vgg16-random\.q8/);
    await page.setInputFiles('[data-testid=weights-input]', {name: 'broken.q8', mimeType: 'application/octet-stream', buffer: Buffer.from('not weights')});
    await page.waitForFunction(() => document.querySelector('[data-testid=notices]').textContent.includes('These weights cannot be used'));
    assert.match(await page.textContent('[data-testid=weights]'), /built in this page/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('?weights= in the address downloads a weights file from the site, verified; another origin is refused', async () => {
  const {page, errors, close} = await open(FAST, '?weights=weights/vgg16-random.q8');
  try {
    await page.waitForFunction(() => document.querySelector('[data-testid=weights]').textContent.includes('13 layers, checksum'), null, {timeout: 60000});
    assert.match(await page.textContent('[data-testid=weights]'), /vgg16-random\.q8/);
    assert.deepEqual(errors, []);
  } finally { await close(); }
  const other = await open(FAST, '?weights=http://example.invalid/vgg16.q8');
  try {
    await other.page.waitForFunction(() => document.querySelector('[data-testid=notices]').textContent.includes('only a file on this site'));
    assert.match(await other.page.textContent('[data-testid=weights]'), /built in this page/);
  } finally { await other.close(); }
});

test('bad settings are a visible notice and Start works again', async () => {
  const {page, errors, close} = await open(FAST + '&weights=1,2');
  try {
    await page.click('[data-testid=start]');
    await page.waitForFunction(() => document.querySelector('[data-testid=notices]').textContent.includes('2 weights for 3 layers'));
    assert.ok(await page.isEnabled('[data-testid=start]'));
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('pause, resume and stop; a settings change mid-run waits for a restart', async () => {
  const {page, errors, close} = await open(FAST.replace('iters=10', 'iters=200'));
  try {
    await page.click('[data-testid=start]');
    await page.waitForFunction(() => /^[1-9]\d* \/ 200$/.test(document.querySelector('[data-testid=iteration]').textContent), null, {timeout: 120000});
    await page.click('[data-testid=pause]');
    await page.waitForFunction(() => document.querySelector('[data-testid=status]').textContent.startsWith('Paused'), null, {timeout: 60000});
    const at = await iteration(page);
    await page.waitForTimeout(1500);
    assert.equal(await iteration(page), at, 'no progress while paused');
    await page.selectOption('#pad', 'circular');
    assert.match(await page.textContent('#settings-note'), /Restart/);
    assert.match(await page.evaluate(() => location.hash), /pad=circular/);
    await page.click('[data-testid=pause]'); // Resume
    await page.waitForFunction((a) => document.querySelector('[data-testid=iteration]').textContent !== a, at, {timeout: 60000});
    await page.click('[data-testid=stop]');
    await page.waitForFunction(() => document.querySelector('[data-testid=status]').textContent.startsWith('Stopped'), null, {timeout: 60000});
    assert.ok(await page.isEnabled('[data-testid=download]'), 'the last frame can still be downloaded');
    assert.ok(await page.isEnabled('[data-testid=start]'));
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('Restart mid-run starts over with the new settings', async () => {
  const {page, errors, close} = await open(FAST.replace('iters=10', 'iters=200'));
  try {
    await page.click('[data-testid=start]');
    await page.waitForFunction(() => /^([3-9]|\d\d+) \/ 200$/.test(document.querySelector('[data-testid=iteration]').textContent), null, {timeout: 120000});
    assert.equal(await page.textContent('[data-testid=start]'), 'Restart');
    await page.fill('#iters', '150');
    await page.click('[data-testid=start]');
    await page.waitForFunction(() => /^[2-9] \/ 150$/.test(document.querySelector('[data-testid=iteration]').textContent), null, {timeout: 120000});
    const [k, losses] = await page.evaluate(() => [parseInt(document.querySelector('[data-testid=iteration]').textContent, 10), window.texsynth.losses()]);
    assert.ok(losses.length === k || losses.length === k + 1, `the curve restarted: ${losses.length} points at iteration ${k}`);
    await page.click('[data-testid=stop]');
    await page.waitForFunction(() => document.querySelector('[data-testid=status]').textContent.startsWith('Stopped'), null, {timeout: 60000});
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('a crashed engine is reported and replaced; the page keeps working', async () => {
  const {page, errors, close} = await open();
  try {
    await page.evaluate(() => window.texsynth.engine().crash());
    await page.waitForFunction(() => document.querySelector('[data-testid=notices]').textContent.includes('restarting'));
    await page.waitForFunction(() => !document.querySelector('[data-testid=start]').disabled, null, {timeout: 60000});
    await page.click('[data-testid=start]');
    await page.waitForFunction(() => /^[1-9]\d* \/ 10$/.test(document.querySelector('[data-testid=iteration]').textContent), null, {timeout: 120000});
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('the URL hash sets the form, and the form writes the hash', async () => {
  const {page, errors, close} = await open('size=64&iters=7&loss=gram&norm=seed&layers=all&weights=geometric:2&pad=reflect&opt=adam&seed=5');
  try {
    assert.equal(await page.inputValue('#size'), '64');
    assert.equal(await page.inputValue('#iters'), '7');
    assert.equal(await page.inputValue('#loss-kind'), 'gram');
    assert.equal(await page.inputValue('#gram-norm'), 'seed');
    assert.equal(await page.inputValue('#pad'), 'reflect');
    assert.equal(await page.inputValue('#optimizer'), 'adam');
    assert.equal(await page.inputValue('#schedule'), 'geometric');
    assert.equal(await page.inputValue('#param'), '2');
    assert.equal(await page.$$eval('#layer-grid input:checked', (b) => b.length), 13);
    // The experiments come from the core (core/presets): Q1 … Q5 at least.
    await page.waitForSelector('#preset option[value=q5]', {state: 'attached'});
    for (const q of ['q1', 'q2', 'q3', 'q4', 'q5']) assert.ok(await page.$(`#preset option[value=${q}]`), q);
    // Each preset sets the form as its settings say (core/presets owns their content) and keeps
    // the size, iterations and seed.
    for (const q of ['q3', 'q4', 'q5', 'q1']) {
      await page.selectOption('#preset', q);
      const want = await page.evaluate((q) => window.texsynth.presets()[q].settings, q);
      const got = await page.evaluate(() => window.texsynth.settings());
      for (const f of ['loss', 'gramNorm', 'layerWeights', 'pad', 'levels', 'spectrumWeight']) assert.equal(got[f], want[f], `${q} ${f}`);
      assert.deepEqual(got.layers, want.layers, `${q} layers`);
      assert.deepEqual([got.size, got.iters, got.seed], [64, 7, 5], `${q} keeps size, iterations, seed`);
      const hash = await page.evaluate(() => location.hash);
      assert.ok(hash.includes(`loss=${want.loss}&`) && hash.includes(`weights=${want.layerWeights}&`), hash);
      assert.equal(await page.inputValue('#preset'), q, 'the menu shows the preset the settings match');
    }
    await page.selectOption('#preset', 'q2'); // a non-texture picture: the drawn scene
    assert.match(await page.textContent('[data-testid=exemplar-info]'), /sample "scene"/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
