// Embedding (docs/embedding.md) in headless Chromium: <texture-synth> elements and embed.html in
// an iframe, from the built site (make site) served by tools/serve. The pages that hold the
// elements are the test's own, answered through Playwright's routing on the site's origin, and
// carry the site's strict Content-Security-Policy, so a style or script the policy blocks is a
// console error and fails the test. The page that frames embed.html comes from a second, plain
// HTTP server on another port: another origin with its own policy, as a course site would be.
// Tiny settings: 32 px, three layers, a few iterations.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, existsSync} from 'node:fs';
import http from 'node:http';
import {png} from './images.mjs';
import os from 'node:os';
import path from 'node:path';
import {root, chromePath, buildServe, serve, stop, launch} from './harness.mjs';

const site = path.resolve(root, process.env.SITE || 'build/site');
const TINY = 'size="32" layers="conv1_1,pool1,conv2_1"';
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; img-src 'self' data: blob:; connect-src 'self'; style-src 'self'; object-src 'none'";
const LONG = 300000; // a run on two busy cores

let server, base, course, courseBase, course2, course2Base, context, userDir;
const privateAsked = []; // requests for the site's private paths (answered by the test)

const stripes = (x, y) => ((x + 2 * y) % 8 < 4 ? [200, 60, 40] : [30, 90, 160]);

before(async () => {
  for (const f of ['texture-synth.js', 'embed.html', 'embed.js', 'worker.js']) {
    assert.ok(existsSync(path.join(site, f)), `no ${f} in ${site}: run make site`);
  }
  assert.ok(existsSync(chromePath), `no Chromium at ${chromePath}: apt-get install chromium`);
  const bin = path.join(root, 'build', 'serve-embed-test');
  buildServe(bin);
  ({proc: server, base} = await serve(bin, site));
  // The course site: one page that frames embed.html, with a policy of its own.
  const coursePage = page('<iframe id="frame" width="480" height="320"></iframe>', '', "script-src 'self'; style-src 'self'; object-src 'none'");
  course = http.createServer((req, res) => res.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end(coursePage));
  await new Promise((resolve) => course.listen(0, '127.0.0.1', resolve));
  courseBase = `http://127.0.0.1:${course.address().port}`;
  // A third origin: the course page a hostile top page frames in the nested case.
  course2 = http.createServer((req, res) => res.writeHead(200, {'content-type': 'text/html; charset=utf-8'}).end(coursePage));
  await new Promise((resolve) => course2.listen(0, '127.0.0.1', resolve));
  course2Base = `http://127.0.0.1:${course2.address().port}`;
  userDir = mkdtempSync(path.join(os.tmpdir(), 'texsynth-embed-'));
  context = await launch(userDir, {viewport: {width: 1000, height: 900}});
  // Host pages and a picture, answered by the test; everything else comes from the server.
  await context.route(/\/test-host\/[\w-]+\.html$/, (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    route.fulfill({contentType: 'text/html; charset=utf-8', body: hosts[name]});
  });
  await context.route(/\/test-host\/stripes\.png$/, (route) => route.fulfill({contentType: 'image/png', body: png(40, 40, stripes)}));
  // The site's private files (a picture, a text, nothing), as a host behind a login might have.
  await context.route(/\/private\//, (route) => {
    const url = route.request().url();
    privateAsked.push(url);
    if (url.endsWith('secret.png')) route.fulfill({contentType: 'image/png', body: png(40, 40, stripes)});
    else if (url.endsWith('notes.txt')) route.fulfill({contentType: 'text/plain', body: 'grades'});
    else route.fulfill({status: 404, body: 'not found'});
  });
});

after(async () => {
  if (context) await context.close();
  await stop(server);
  if (course) course.close();
  if (course2) course2.close();
  if (userDir) rmSync(userDir, {recursive: true, force: true});
});

const page = (body, script = '../texture-synth.js', csp = CSP) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>host</title>${script ? `<script type="module" src="${script}"></script>` : ''}</head>
<body>${body}</body></html>`;

const hosts = {
  'two.html': page(`
    <texture-synth id="a" ${TINY} iterations="4" sample="pebbles"></texture-synth>
    <texture-synth id="b" ${TINY} iterations="4" exemplar="stripes.png" loss="gram" controls></texture-synth>`),
  'bad.html': page(`
    <texture-synth id="bad" iterations="2" size="huge" loss="wasserstein" layers="conv9_9"></texture-synth>
    <texture-synth id="missing" ${TINY} exemplar="no-such-picture.png"></texture-synth>
    <texture-synth id="elsewhere" ${TINY} exemplar="http://example.invalid/brick.png"></texture-synth>
    <texture-synth id="notpicture" ${TINY} exemplar="../worker.js"></texture-synth>
    <texture-synth id="core" ${TINY} iterations="2" layer-weights="1,2" controls></texture-synth>`),
  'crash.html': page(`<texture-synth id="a" ${TINY} iterations="2" controls></texture-synth>`),
  'remove.html': page(`
    <texture-synth id="a" ${TINY} iterations="1"></texture-synth>
    <texture-synth id="b" ${TINY} iterations="1" sample="tiles"></texture-synth>`),
};

// open loads a host page and collects console errors and every texsynth-* event (they bubble
// out of the element's shadow root) in window.events.
async function open(url) {
  const p = await context.newPage();
  const errors = [];
  p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.addInitScript(() => {
    window.events = [];
    for (const type of ['ready', 'started', 'frame', 'done', 'stopped', 'error']) {
      document.addEventListener(`texsynth-${type}`, (e) => {
        const rec = {id: e.target.id, type, ...e.detail};
        // The canvas as the first and the last frame left it, read in the event itself.
        if (type === 'frame' && (e.detail.iter === 1 || e.detail.iter === e.detail.iters)) {
          rec.canvas = e.target.shadowRoot.querySelector('canvas.output').toDataURL();
        }
        window.events.push(rec);
      });
    }
  });
  await p.goto(url);
  return {page: p, errors};
}

const events = (p, id, type) => p.evaluate(([id, type]) => window.events.filter((e) => e.id === id && (!type || e.type === type)), [id, type]);
const waitEvent = (p, id, type, timeout = LONG) => p.waitForFunction(([id, type]) => window.events.some((e) => e.id === id && e.type === type), [id, type], {timeout});
const notices = (p, id) => p.$$eval(`#${id} .notices li`, (lis) => lis.map((li) => li.textContent));

test('two elements on one page run independently, each in its own worker, to the end', async () => {
  const {page: p, errors} = await open(`${base}/test-host/two.html`);
  try {
    // Start one by its button (no controls: a single Start) and one by its method.
    await p.click('#a button.start', {timeout: LONG});
    await p.evaluate(() => document.getElementById('b').start());
    assert.equal(p.workers().length, 2, 'a worker per element');
    const t0 = Date.now();
    await waitEvent(p, 'a', 'done');
    await waitEvent(p, 'b', 'done');
    console.log(`# two elements, 4 iterations each at 32 px, side by side: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const last = {};
    for (const id of ['a', 'b']) {
      const evs = await events(p, id);
      const types = evs.map((e) => e.type);
      assert.deepEqual(types, ['ready', 'started', 'frame', 'frame', 'frame', 'frame', 'done'], `${id}: ${types}`);
      const frames = evs.filter((e) => e.type === 'frame');
      assert.deepEqual(frames.map((f) => [f.iter, f.iters]), [[1, 4], [2, 4], [3, 4], [4, 4]], id);
      assert.ok(frames.every((f) => Number.isFinite(f.loss) && f.seconds > 0), id);
      assert.ok(frames[3].loss < frames[0].loss, `${id}: the loss falls: ${frames.map((f) => f.loss)}`);
      assert.notEqual(frames[3].canvas, frames[0].canvas, `${id}: the texture changed after the first frame`);
      const done = evs.find((e) => e.type === 'done');
      assert.deepEqual([done.iter, done.iters, done.loss], [4, 4, frames[3].loss], id);
      last[id] = frames[3].canvas;
      assert.match(await p.textContent(`#${id} .status`), /^Done: 4 iterations/);
    }
    assert.notEqual(last.a, last.b, 'different exemplars, different textures');
    assert.match(await p.textContent('#b .exemplar-caption'), /stripes\.png/, 'the exemplar came from its URL');
    // The canvases fill the element's width (two columns) and keep their square shape.
    const box = await p.$eval('#a', (el) => {
      const c = el.shadowRoot.querySelector('canvas.output').getBoundingClientRect();
      return {el: el.getBoundingClientRect().width, w: c.width, h: c.height};
    });
    assert.ok(box.w > 0.4 * box.el && box.w > 100, `the 32 px canvas is scaled up: ${JSON.stringify(box)}`);
    assert.ok(Math.abs(box.w - box.h) < 2, `square: ${JSON.stringify(box)}`);
    assert.deepEqual(errors, [], 'no console errors (a blocked style or script would be one)');
  } finally {
    await p.close();
  }
});

test('attribute and exemplar errors are visible notices that say what would work', async () => {
  const {page: p, errors} = await open(`${base}/test-host/bad.html`);
  try {
    // The core reads the attributes (once its engine is loaded) and says what it refuses.
    await p.waitForFunction(() => document.getElementById('bad').shadowRoot.querySelectorAll('.notices li').length >= 3, null, {timeout: LONG});
    const bad = await notices(p, 'bad');
    assert.equal(bad.length, 3, bad.join('\n'));
    assert.match(bad[0], /^The size attribute: size "huge" is not a whole number; use 16 to 1024\.$/);
    assert.match(bad[1], /^The loss attribute: unknown loss "wasserstein"; valid: gram, sw, emd, emd-seed\.$/);
    assert.match(bad[2], /^The layers attribute: unknown layer "conv9_9"; VGG-19 has conv1_1, conv1_2, pool1, /);
    assert.ok(await p.isVisible('#bad .notices li'), 'the notice is shown');
    const [event] = await events(p, 'bad', 'error');
    assert.ok(event && event.kind === 'input' && event.during === 'attributes' && event.message.includes('size "huge"'), 'a texsynth-error event too');
    await p.waitForFunction(() => document.getElementById('bad').state !== 'loading', null, {timeout: LONG});
    assert.equal(await p.evaluate(() => document.getElementById('bad').state), 'error');
    assert.ok(await p.isDisabled('#bad button.start'), 'no start with a bad attribute');
    assert.match(await p.textContent('#bad .status'), /attribute needs fixing/);

    await p.waitForFunction(() => document.querySelectorAll('#missing, #elsewhere, #notpicture').length === 3 &&
      [...document.querySelectorAll('#missing, #elsewhere, #notpicture')].every((el) => el.shadowRoot.querySelector('.notices li')), null, {timeout: LONG});
    assert.match((await notices(p, 'missing'))[0], /exemplar="no-such-picture\.png" cannot be loaded: the server answered 404.*on this site/);
    assert.match((await notices(p, 'elsewhere'))[0], /only a picture on this site can be used/);
    assert.match((await notices(p, 'notpicture'))[0], /worker\.js: that picture cannot be used: the file looks like text, not an image .*PNG, JPEG/);
    for (const id of ['missing', 'elsewhere', 'notpicture']) {
      assert.ok(await p.isVisible(`#${id} .notices li`), id);
      await p.waitForFunction((id) => document.getElementById(id).state === 'error', id, {timeout: LONG});
    }

    // Fixing the attributes clears their notices and the element can start.
    await p.evaluate(() => {
      const el = document.getElementById('bad');
      el.setAttribute('size', '32');
      el.setAttribute('loss', 'sw');
      el.setAttribute('layers', 'conv1_1,pool1,conv2_1');
    });
    await p.waitForFunction(() => document.getElementById('bad').shadowRoot.querySelectorAll('.notices li').length === 0, null, {timeout: LONG});
    await p.waitForFunction(() => document.getElementById('bad').state === 'ready', null, {timeout: LONG});
    assert.ok(await p.isEnabled('#bad button.start'));

    // What the core checks across attributes (three layers, two weights) is said the same way,
    // by the core, before any start.
    await waitEvent(p, 'core', 'error');
    assert.match((await events(p, 'core', 'error'))[0].message, /The layer-weights attribute: layer weights "1,2": 2 weights for 3 layers/);
    assert.match((await notices(p, 'core')).join(' '), /2 weights for 3 layers/);
    assert.ok(await p.isDisabled('#core button.start'), 'no start until it is fixed');
    await p.evaluate(() => document.getElementById('core').setAttribute('layer-weights', '1,2,4'));
    await p.waitForFunction(() => !document.getElementById('core').shadowRoot.querySelector('button.start').disabled, null, {timeout: LONG});

    // A picked file (controls): refused as the page refuses it, then a good one is taken.
    await p.setInputFiles('#core input[type=file]', {name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture')});
    await p.waitForFunction(() => document.getElementById('core').shadowRoot.querySelector('.notices').textContent.includes('that picture cannot be used'), null, {timeout: LONG});
    await p.setInputFiles('#core input[type=file]', {name: 'mine.png', mimeType: 'image/png', buffer: png(24, 24, stripes)});
    await p.waitForFunction(() => document.getElementById('core').shadowRoot.querySelector('.exemplar-caption').textContent === 'exemplar: mine.png', null, {timeout: LONG});
    assert.deepEqual(errors.filter((e) => !/404/.test(e)), [], 'no console errors but the missing picture\'s 404');
  } finally {
    await p.close();
  }
});

test('removing an element ends its worker; the other element keeps working', async () => {
  const {page: p, errors} = await open(`${base}/test-host/remove.html`);
  try {
    await waitEvent(p, 'a', 'ready');
    await waitEvent(p, 'b', 'ready');
    const workers = p.workers();
    assert.equal(workers.length, 2);
    const closed = workers.map((w) => new Promise((resolve) => w.once('close', () => resolve(w))));
    await p.evaluate(() => document.getElementById('a').remove());
    const gone = await Promise.race([...closed, new Promise((r) => setTimeout(r, 30000, null))]);
    assert.ok(gone, 'a worker closed after its element was removed');
    assert.equal(p.workers().length, 1);
    // A move (remove and re-insert in one task) keeps the worker.
    await p.evaluate(() => { const b = document.getElementById('b'); document.body.prepend(b); });
    await p.waitForTimeout(500);
    assert.equal(p.workers().length, 1, 'moving an element keeps its worker');
    await p.evaluate(() => document.getElementById('b').start());
    await waitEvent(p, 'b', 'done');
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});

test('a crashed engine is a notice, is replaced, and the element runs again', async () => {
  const {page: p, errors} = await open(`${base}/test-host/crash.html`);
  try {
    await waitEvent(p, 'a', 'ready');
    await p.evaluate(() => document.getElementById('a').engine.crash());
    await waitEvent(p, 'a', 'error');
    const [e] = await events(p, 'a', 'error');
    assert.equal(e.kind, 'fatal');
    assert.match((await notices(p, 'a')).join(' '), /restarting/);
    await p.waitForFunction(() => window.events.filter((e) => e.type === 'ready').length === 2, null, {timeout: LONG});
    await p.click('#a button.start', {timeout: LONG});
    await waitEvent(p, 'a', 'done');
    assert.equal(p.workers().length, 1, 'the dead worker is gone, one new one');
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});

test('embed.html in an iframe on another origin posts started, frame and done to its parent', async () => {
  const {page: p, errors} = await open(`${courseBase}/lecture-7.html`);
  try {
    assert.notEqual(new URL(courseBase).origin, new URL(base).origin);
    await p.evaluate(() => {
      window.posted = [];
      const frame = document.getElementById('frame');
      window.addEventListener('message', (e) => {
        window.posted.push({data: e.data, origin: e.origin, fromFrame: e.source === frame.contentWindow, bytes: JSON.stringify(e.data).length});
      });
    });
    const hash = 'size=32&iters=3&layers=conv1_1,pool1,conv2_1&sample=tiles&seed=2';
    await p.evaluate((src) => { document.getElementById('frame').src = src; }, `${base}/embed.html#${hash}`);
    const posted = (type) => p.evaluate((type) => window.posted.filter((m) => m.data.type === type), type);
    await p.waitForFunction(() => window.posted.some((m) => m.data.type === 'ready'), null, {timeout: 120000});
    // The parent starts it.
    await p.evaluate((origin) => document.getElementById('frame').contentWindow.postMessage({type: 'start'}, origin), new URL(base).origin);
    await p.waitForFunction(() => window.posted.some((m) => m.data.type === 'done'), null, {timeout: LONG});
    const all = await p.evaluate(() => window.posted);
    assert.deepEqual(all.map((m) => m.data.type), ['ready', 'started', 'frame', 'frame', 'frame', 'done']);
    for (const m of all) {
      assert.equal(m.data.source, 'texsynth');
      assert.equal(m.origin, new URL(base).origin);
      assert.ok(m.fromFrame);
      assert.ok(m.bytes < 300, `small messages, no pixels: ${JSON.stringify(m.data)}`);
    }
    const [started] = await posted('started');
    assert.deepEqual([started.data.iters, started.data.size, started.data.layers], [3, 32, ['conv1_1', 'pool1', 'conv2_1']], 'the hash set the element');
    const frames = (await posted('frame')).map((m) => m.data);
    assert.deepEqual(frames.map((f) => [f.iter, f.iters]), [[1, 3], [2, 3], [3, 3]]);
    assert.deepEqual(Object.keys(frames[0]).sort(), ['iter', 'iters', 'loss', 'seconds', 'source', 'type']);
    assert.ok(frames[2].loss < frames[0].loss, `the loss falls: ${frames.map((f) => f.loss)}`);

    // Pixels only when the parent asks, and only to the parent's origin.
    await p.evaluate((origin) => document.getElementById('frame').contentWindow.postMessage({type: 'snapshot'}, origin), new URL(base).origin);
    await p.waitForFunction(() => window.posted.some((m) => m.data.type === 'snapshot'), null, {timeout: 30000});
    const [snap] = await posted('snapshot');
    assert.match(snap.data.dataURL, /^data:image\/png;base64,/);
    assert.deepEqual([snap.data.iter, snap.data.iters], [3, 3]);
    const frame = p.frame({url: /embed\.html/});
    assert.ok(frame, 'the frame is there');
    assert.equal(await frame.evaluate(() => document.querySelector('texture-synth').snapshot()), snap.data.dataURL, 'the snapshot is the frame\'s output');
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});

test('embed.html names what it ignores in its address', async () => {
  const {page: p, errors} = await open(`${base}/embed.html#size=32&colour=red&controls`);
  try {
    await p.waitForSelector('#ignored:not([hidden])');
    assert.match(await p.textContent('#ignored'), /colour/);
    assert.ok(await p.isVisible('texture-synth button.stop'), 'controls from the address');
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});

test('the example lecture page: the autostart figure runs, the frame\'s events are logged', async () => {
  const {page: p, errors} = await open(`${base}/embed-example.html`);
  try {
    // Figure 1 has autostart and is on screen; figure 2 waits for its Start button.
    await waitEvent(p, 'gram-demo', 'done');
    assert.equal(await p.evaluate(() => document.getElementById('sw-demo').state), 'ready');
    await p.waitForFunction(() => document.getElementById('log').textContent.includes('ready'), null, {timeout: LONG});
    // The buttons are pressed from script: the log grows by a line per frame (every 50 ms or so)
    // and scrolls, so a pointer click can land beside a button that has just moved.
    const press = (id) => p.evaluate((id) => document.getElementById(id).click(), id);
    const logged = (re) => p.waitForFunction((src) => new RegExp(src).test(document.getElementById('log').textContent), re.source, {timeout: LONG});
    await press('cmd-start');
    await logged(/frame 2\/30/);
    await press('cmd-snapshot');
    await p.waitForSelector('#snapshot:not([hidden])');
    // The 30 iterations take a few seconds: let the run end, start it again and stop it at once.
    await logged(/done after 30\/30/);
    await press('cmd-start');
    await logged(/done after 30\/30.*started/);
    await press('cmd-stop');
    await logged(/stopped after \d+\/30/);
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});

// frameAndWatch, run in a page: frames src invisibly, records every message it posts, has it start
// and asks for a snapshot, and resolves with the messages (origin, data; no timings).
async function frameAndWatch([src, wait]) {
  const f = document.createElement('iframe');
  f.width = f.height = 1;
  const got = [];
  const on = (e) => { if (e.source === f.contentWindow) got.push({origin: e.origin, data: e.data}); };
  window.addEventListener('message', on);
  document.body.append(f);
  f.src = src;
  const until = (type) => new Promise((resolve) => {
    const t0 = Date.now();
    const tick = () => (got.some((m) => m.data.type === type) || Date.now() - t0 > wait ? resolve() : setTimeout(tick, 50));
    tick();
  });
  await until('ready');
  f.contentWindow.postMessage({type: 'start'}, '*');
  await until('done');
  f.contentWindow.postMessage({type: 'snapshot'}, '*');
  await until('snapshot');
  window.removeEventListener('message', on);
  f.remove();
  return got.map((m) => ({origin: m.origin, type: m.data.type, iter: m.data.iter, during: m.data.during, message: m.data.message, dataURL: m.data.dataURL}));
}

test('a hostile page on another origin learns nothing about a same-origin path it names (issue 14)', async () => {
  const {page: p, errors} = await open(`${courseBase}/hostile.html`);
  try {
    const tiny = 'size=32&iters=2&layers=conv1_1,pool1,conv2_1&seed=3';
    const seen = {};
    for (const path of ['/private/secret.png', '/private/notes.txt', '/private/missing.png']) {
      seen[path] = await p.evaluate(frameAndWatch, [`${base}/embed.html#${tiny}&exemplar=${encodeURIComponent(path)}&sample=${encodeURIComponent(path)}`, LONG]);
    }
    assert.deepEqual(privateAsked, [], 'the frame asked the site for none of the paths');
    const [a, b, c] = Object.values(seen);
    assert.deepEqual(a.map((m) => m.type), ['ready', 'started', 'frame', 'frame', 'done', 'snapshot'], JSON.stringify(a));
    for (const m of a) assert.equal(m.origin, new URL(base).origin);
    // Whatever the path, the parent gets the same messages: the drawn default sample's texture.
    const strip = (list) => list.map(({origin, type, iter, during, message, dataURL}) => ({origin, type, iter, during, message, dataURL}));
    assert.deepEqual(strip(b), strip(a));
    assert.deepEqual(strip(c), strip(a));
    assert.ok(a.find((m) => m.type === 'snapshot').dataURL.startsWith('data:image/png'), 'the snapshot is of the default sample');
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});

test('a hostile top page gets no message meant for the course page it frames, and cannot command its embed', async () => {
  const {page: p, errors} = await open(`${courseBase}/top.html`);
  try {
    // top (hostile) → course page (another origin) → embed.html (the site).
    await p.evaluate((src) => { document.getElementById('frame').src = src; }, `${course2Base}/lecture.html`);
    let course = null;
    for (let i = 0; i < 200 && !course; i++) {
      course = p.frame({url: /lecture\.html/});
      if (!course) await p.waitForTimeout(50);
    }
    await course.waitForSelector('#frame');
    await course.evaluate(() => {
      window.posted = [];
      window.addEventListener('message', (e) => window.posted.push({origin: e.origin, type: e.data && e.data.type}));
    });
    await p.evaluate(() => {
      window.posted = [];
      window.addEventListener('message', (e) => window.posted.push({origin: e.origin, type: e.data && e.data.type}));
    });
    await course.evaluate((src) => { document.getElementById('frame').src = src; }, `${base}/embed.html#size=32&iters=2&layers=conv1_1,pool1,conv2_1`);
    await course.waitForFunction(() => window.posted.some((m) => m.type === 'ready'), null, {timeout: LONG});
    // The top page reaches the embed's window and tries to take it over.
    await p.evaluate(() => {
      const embed = window.frames[0].frames[0];
      for (const type of ['hello', 'start', 'snapshot']) embed.postMessage({type}, '*');
    });
    await p.waitForTimeout(3000);
    assert.deepEqual(await course.evaluate(() => window.posted.map((m) => m.type)), ['ready'], 'the top page\'s commands were ignored');
    // The course page starts it; its messages go to the course page's origin alone.
    await course.evaluate((origin) => document.getElementById('frame').contentWindow.postMessage({type: 'start'}, origin), new URL(base).origin);
    await course.waitForFunction(() => window.posted.some((m) => m.type === 'done'), null, {timeout: LONG});
    assert.deepEqual(await course.evaluate(() => window.posted.map((m) => m.type)), ['ready', 'started', 'frame', 'frame', 'done']);
    assert.deepEqual(await p.evaluate(() => window.posted), [], 'nothing reached the top page');
    assert.deepEqual(errors, []);
  } finally {
    await p.close();
  }
});
