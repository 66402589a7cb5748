// The deployable folder (make dist) as a host serves it: tools/serve on localhost in front of
// build/dist, and Debian's Chromium driven by playwright-core. It checks the headers (types,
// encodings, caching, ETags, ranges, CSP), that the page works and keeps every request on its
// origin, that after a first visit it works with the server gone and the network off, that a new
// deployment replaces the old cache, and it measures the time from navigation to the first frame
// on screen (printed as FIRST-FRAME <ms> ms; docs/deploy.md quotes it).
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, appendFileSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {root, chromePath, buildServe, serve, stop, launch} from './harness.mjs';

const dist = path.resolve(root, process.env.DIST || 'build/dist');
const site = path.resolve(root, process.env.SITE || 'build/site');
const FAST = 'size=32&iters=10&layers=conv1_1,pool1,conv2_1&loss=sw&seed=1';
const WEIGHTS = 'weights/vgg16-random.q8';

let tmp, serveBin, server, base, port, context, userDir, devOrigin;
const requests = [];    // every URL the browser asked for, from the page, its workers and the service worker
const hashed = {};      // plain name → name in build/dist

// startServer runs tools/serve on dir; on the port of the first start afterwards, so the origin
// (and with it the service worker and its caches) stays the same.
async function startServer(dir) {
  ({proc: server, base} = await serve(serveBin, dir, `127.0.0.1:${port || 0}`));
  port = new URL(base).port;
}

async function stopServer() {
  const s = server;
  server = null;
  await stop(s);
}

before(async () => {
  assert.ok(existsSync(path.join(dist, '_headers')), `no deployable folder in ${dist}: run make dist`);
  assert.ok(existsSync(chromePath), `no Chromium at ${chromePath}: apt-get install chromium`);
  const assets = readFileSync(path.join(dist, 'assets.js'), 'utf8').match(/export const ASSETS = (\{.*\});/);
  Object.assign(hashed, JSON.parse(assets[1]));
  for (const n of ['texsynth.wasm', 'wasm_exec.js', WEIGHTS]) assert.ok(hashed[n], `assets.js does not map ${n}`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'texsynth-dist-'));
  serveBin = path.join(tmp, 'serve');
  buildServe(serveBin);
  await startServer(dist);
  userDir = path.join(tmp, 'chromium');
  context = await launch(userDir, {viewport: {width: 1360, height: 1000}});
  context.on('request', (r) => requests.push(r.url()));
});

after(async () => {
  if (context) await context.close();
  await stopServer();
  if (tmp) rmSync(tmp, {recursive: true, force: true});
});

// get asks the server for path with the given headers, as they are (no decoding).
function get(p, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(`${base}/${p}`, {headers}, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body: Buffer.concat(parts)}));
    }).on('error', reject);
  });
}

const version = (dir) => readFileSync(path.join(dir, 'sw.js'), 'utf8').match(/const VERSION = '(\w+)';/)[1];

// open loads the page and collects console errors; with timing, it also records when the worker
// was made, when the wasm was running (the worker's first progress message), when the weights
// were built (ready), and, having pressed Start as soon as the page was ready, when the run
// started and its first frame was drawn — all in ms since navigation began.
async function open(url, {timing = false} = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  if (timing) {
    await page.addInitScript(() => {
      const t = window.__timing = {controlledAtStart: !!(navigator.serviceWorker && navigator.serviceWorker.controller)};
      const Native = window.Worker;
      window.Worker = class extends Native {
        constructor(...args) {
          super(...args);
          t.worker ??= performance.now();
          this.addEventListener('message', (e) => {
            const m = e.data || {};
            const at = performance.now();
            if (m.type === 'progress' && m.stage === 'weights') t.wasm ??= at;
            if (m.type === 'ready') {
              t.ready ??= at;
              setTimeout(() => document.querySelector('[data-testid=start]').click(), 0);
            }
            if (m.type === 'started') t.started ??= at;
            if (m.type === 'frame' && t.frame === undefined) {
              t.frame = at;
              requestAnimationFrame(() => requestAnimationFrame(() => { t.drawn = performance.now(); }));
            }
          });
        }
      };
    });
  }
  await page.goto(url);
  await page.evaluate(() => window.texsynthReady);
  return {page, errors};
}

const firstFrame = (page) => page.waitForFunction(() => /^[1-9]\d* \/ \d+$/.test(document.querySelector('[data-testid=iteration]').textContent), null, {timeout: 180000});

test('headers: types, precompressed encodings, caching, ETags, ranges, CSP', async () => {
  const wasm = hashed['texsynth.wasm'];
  assert.match(wasm, /^texsynth\.[0-9a-f]{12}\.wasm$/);
  assert.match(readFileSync(path.join(dist, 'worker.js'), 'utf8'), new RegExp(`'${wasm.replace(/\./g, '\\.')}'`), 'worker.js names the hashed wasm');

  const br = await get(wasm, {'accept-encoding': 'gzip, deflate, br'});
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers['content-type'], 'application/wasm');
  assert.equal(br.headers['vary'], 'Accept-Encoding');
  assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(br.body.length, statSync(path.join(dist, wasm + '.br')).size, 'the .br copy is sent as it is');
  assert.equal(Number(br.headers['content-length']), br.body.length);
  console.log(`# ${wasm}: ${statSync(path.join(dist, wasm)).size} bytes, ${br.body.length} brotli on the wire`);

  const gz = await get(wasm, {'accept-encoding': 'gzip'});
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers['content-type'], 'application/wasm');
  const plain = await get(wasm);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.length, statSync(path.join(dist, wasm)).size);

  const etag = br.headers['etag'];
  assert.match(etag, /^"[0-9a-f]+"$/, 'a strong ETag');
  const again = await get(wasm, {'accept-encoding': 'br', 'if-none-match': etag});
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);

  const html = await get('', {'accept-encoding': 'br'});
  assert.equal(html.status, 200);
  assert.equal(html.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(html.headers['cache-control'], 'no-cache');
  const meta = readFileSync(path.join(dist, 'index.html'), 'utf8').match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
  assert.ok(meta, 'index.html has a CSP <meta>');
  assert.equal(html.headers['content-security-policy'], meta[1], 'the header and the <meta> are the same policy');
  for (const f of ['app.js', 'worker.js', 'sw.js', 'style.css']) {
    const r = await get(f, {'accept-encoding': 'br'});
    assert.equal(r.headers['cache-control'], 'no-cache', f);
    assert.equal(r.headers['content-encoding'], 'br', f);
    assert.match(r.headers['content-type'], f.endsWith('.css') ? /^text\/css/ : /^text\/javascript/, f);
  }

  const weights = hashed[WEIGHTS];
  const size = statSync(path.join(dist, weights)).size;
  const range = await get(weights, {range: 'bytes=0-1023', 'accept-encoding': 'br'});
  assert.equal(range.status, 206);
  assert.equal(range.headers['content-range'], `bytes 0-1023/${size}`);
  assert.equal(range.body.length, 1024);
  assert.equal(range.headers['cache-control'], 'public, max-age=31536000, immutable');
});

test('wrangler.jsonc deploys the dist folder; _headers carries the CSP and the caching', () => {
  const text = readFileSync(path.join(root, 'wrangler.jsonc'), 'utf8');
  const config = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
  assert.equal(config.name, 'texsynth');
  assert.match(config.compatibility_date, /^\d{4}-\d\d-\d\d$/);
  assert.equal(path.resolve(root, config.assets.directory), path.resolve(root, 'build/dist'));
  const headers = readFileSync(path.join(dist, '_headers'), 'utf8');
  assert.ok(headers.includes(`/${hashed['texsynth.wasm']}\n  Cache-Control: public, max-age=31536000, immutable`));
  assert.ok(headers.includes('/index.html\n  Cache-Control: no-cache'));
  assert.ok(headers.includes("Content-Security-Policy: default-src 'self'"));
});

test('first visit: the page works under its CSP, the service worker stores the shell and the weights', async () => {
  const {page, errors} = await open(`${base}/?weights=${WEIGHTS}#${FAST}`, {timing: true});
  try {
    await page.waitForSelector('[data-testid=offline][data-state=ready]', {timeout: 120000});
    assert.match(await page.textContent('[data-testid=offline]'), /Works offline/);
    assert.equal(await page.getAttribute('[data-testid=offline]', 'data-version'), version(dist));
    await page.waitForFunction(() => document.querySelector('[data-testid=weights]').textContent.includes('13 layers, checksum'), null, {timeout: 120000});
    await firstFrame(page);
    const t = await page.evaluate(() => window.__timing);
    console.log(`# first visit (nothing cached): first frame drawn ${Math.round(t.drawn ?? t.frame)} ms after navigation`);
    const stored = await page.evaluate(async () => {
      const out = {};
      for (const k of await caches.keys()) out[k] = (await (await caches.open(k)).keys()).map((r) => new URL(r.url).pathname);
      return out;
    });
    const shell = stored['texsynth-v-' + version(dist)];
    assert.ok(shell, `the version's cache exists: ${Object.keys(stored)}`);
    for (const f of ['/', '/index.html', '/app.js', '/offline.js', '/worker.js', '/style.css', '/' + hashed['texsynth.wasm'], '/' + hashed['wasm_exec.js']]) {
      assert.ok(shell.includes(f), `${f} is stored: ${shell}`);
    }
    await page.waitForFunction(async (w) => (await (await caches.open(await caches.keys().then((k) => k.find((n) => n.startsWith('texsynth-v-'))))).keys()).some((r) => r.url.endsWith(w)), hashed[WEIGHTS], {timeout: 60000});
    assert.ok(!shell.includes('/sw.js'), 'the service worker does not store itself');
    assert.deepEqual(errors, [], 'no console errors (a CSP violation is one)');
  } finally {
    await page.close();
  }
});

test('FIRST-FRAME: navigation to the first frame on screen, second visit, caches warm', async () => {
  // A visit that fills the caches (already done when the whole file runs).
  const warm = await open(`${base}/#${FAST}`);
  await warm.page.waitForSelector('[data-testid=offline][data-state=ready]', {timeout: 120000});
  await warm.page.waitForTimeout(2500); // the worker keeps the built-in weights a second after it is ready
  await warm.page.close();
  const {page, errors} = await open(`${base}/#${FAST}`, {timing: true});
  try {
    await firstFrame(page);
    await page.waitForFunction(() => window.__timing.drawn !== undefined);
    const t = await page.evaluate(() => window.__timing);
    assert.ok(t.controlledAtStart, 'the service worker answered this visit from its start');
    const ms = (x) => `${Math.round(x)} ms`;
    console.log(`FIRST-FRAME ${Math.round(t.drawn)} ms`);
    console.log(`# breakdown: worker created at ${ms(t.worker)}; wasm fetched, compiled and running ${ms(t.wasm - t.worker)}; ` +
      `random VGG-16 weights ready (read back from the cache) ${ms(t.ready - t.wasm)}; Start → run started (exemplar features) ${ms(t.started - t.ready)}; ` +
      `first iteration ${ms(t.frame - t.started)}; drawn ${ms(t.drawn - t.frame)} later`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
  // The page's own defaults (64 px, relu1_1 … relu4_3), for the record.
  const def = await open(`${base}/`, {timing: true});
  try {
    await firstFrame(def.page);
    await def.page.waitForFunction(() => window.__timing.drawn !== undefined);
    const t = await def.page.evaluate(() => window.__timing);
    console.log(`FIRST-FRAME-DEFAULTS ${Math.round(t.drawn)} ms (64 px, relu1_1 … relu4_3; weights ready ${Math.round(t.ready - t.wasm)} ms, run started ${Math.round(t.started - t.ready)} ms, first iteration ${Math.round(t.frame - t.started)} ms)`);
  } finally {
    await def.page.close();
  }
});

test('offline: with the server gone and the network off, a reload synthesises (weights from ?weights= included)', async () => {
  await stopServer();
  await context.setOffline(true);
  try {
    const {page, errors} = await open(`${base}/?weights=${WEIGHTS}#${FAST}`);
    try {
      assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller));
      await page.waitForFunction(() => document.querySelector('[data-testid=weights]').textContent.includes('13 layers, checksum'), null, {timeout: 120000});
      await page.click('[data-testid=start]');
      await firstFrame(page);
      assert.match(await page.textContent('[data-testid=status]'), /Running|Done/);
      assert.deepEqual(errors, [], 'no console errors offline');
    } finally {
      await page.close();
    }
  } finally {
    await context.setOffline(false);
    await startServer(dist);
  }
});

test('a new deployment replaces the old cache (the page\'s weights cache stays)', async () => {
  // A second deployment: the same site with one changed file.
  const site2 = path.join(tmp, 'site2');
  const dist2 = path.join(tmp, 'dist2');
  cpSync(site, site2, {recursive: true});
  appendFileSync(path.join(site2, 'style.css'), '\n/* deployment 2 */\n');
  execFileSync('go', ['run', './tools/dist', '-src', site2, '-out', dist2, '-compress=false'], {cwd: root, stdio: ['ignore', 'ignore', 'inherit']});
  const [v1, v2] = [version(dist), version(dist2)];
  assert.notEqual(v1, v2);

  await stopServer();
  await startServer(dist2);
  let {page, errors} = await open(`${base}/#${FAST}`);
  try {
    const shows = (p, ms) => p.waitForFunction((v) => document.querySelector('[data-testid=offline]').dataset.version === v, v2, {timeout: ms})
      .then(() => true, () => false);
    // The new worker takes over in the background (skipWaiting) unless Chromium keeps the old
    // one on while it still has work for the open page: then it waits, installed, and the next
    // page the browser opens gets it.
    if (!(await shows(page, 30000))) {
      const waiting = await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration()).waiting);
      assert.ok(waiting, 'after 30 s the new version is neither active nor waiting');
      await page.close();
      ({page, errors} = await open(`${base}/#${FAST}`));
      assert.ok(await shows(page, 90000), 'the next page opened does not get the new version');
    }
    // Activation deletes the old cache; the line shows the version once that is done.
    const keys = await page.evaluate(() => caches.keys());
    assert.deepEqual(keys.filter((k) => k.startsWith('texsynth-v-')), ['texsynth-v-' + v2], `the old version's cache is gone: ${keys}`);
    assert.ok(keys.includes('texsynth-weights'), `the page's cache of picked weights stays: ${keys}`);
    // The unchanged weights were carried over; the changed style is the new one.
    const has = await page.evaluate(async ([v, w]) => {
      const c = await caches.open('texsynth-v-' + v);
      return [!!(await c.match(w, {ignoreVary: true})), await (await c.match('style.css', {ignoreVary: true})).text()];
    }, [v2, hashed[WEIGHTS]]);
    assert.ok(has[0], 'the weights stored by the old version were kept');
    assert.match(has[1], /deployment 2/);
    assert.match(await page.evaluate(() => fetch('style.css').then((r) => r.text())), /deployment 2/, 'the page gets the new files');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await stopServer();
    await startServer(dist);
  }
});

test('the development build (build/site) registers no service worker', async () => {
  const {proc: dev, base: devBase} = await serve(serveBin, site);
  try {
    devOrigin = new URL(devBase).origin;
    const {page, errors} = await open(`${devBase}/#${FAST}`);
    try {
      await page.waitForTimeout(1000);
      assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 0);
      assert.ok(await page.isHidden('[data-testid=offline]'), 'no offline line in the development build');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  } finally {
    await stop(dev);
  }
});

test('no request left the page\'s origin', () => {
  assert.ok(requests.length > 10, `requests were recorded: ${requests.length}`);
  // The pages were opened from the deployed build's server and (the last test) the development
  // build's: those two origins, on localhost, and nothing else.
  const origins = [new URL(base).origin, devOrigin];
  const away = requests.filter((u) => !origins.includes(new URL(u).origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(away, [], 'every request went to the page\'s own origin');
  assert.ok(requests.some((u) => u.endsWith(hashed['texsynth.wasm'])), 'the hashed wasm was requested');
});
