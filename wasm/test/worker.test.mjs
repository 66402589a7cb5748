// The worker's message API (wasm/worker.js over texsynth.wasm), driven from Node the way the
// page drives it: decode, weights, start, frames, pause/resume/stop, errors and a crash.
// Needs the built site (make site): SITE=build/site by default.
import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {Worker} from 'node:worker_threads';
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {gif, png} from '../../site/test/images.mjs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const site = path.resolve(root, process.env.SITE || 'build/site');
const shim = path.join(root, 'wasm/test/shim.cjs');

// Fast settings: 32 px, two shallow layers.
const FAST = {size: 32, iters: 4, layers: 'conv1_1,pool1,conv2_1', loss: 'sw', seed: 1};

// A worker plus a queue of its messages.
class Client {
  constructor(dir = site) {
    this.w = new Worker(shim, {workerData: {dir}});
    this.queue = [];
    this.waiters = [];
    this.w.on('message', (m) => {
      this.queue.push(m);
      this.flush();
    });
    this.w.on('error', (e) => { this.queue.push({type: 'thread-error', message: String(e)}); this.flush(); });
  }
  flush() {
    for (const w of [...this.waiters]) {
      const i = this.queue.findIndex(w.pred);
      if (i >= 0) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(this.queue.splice(i, 1)[0]);
      }
    }
  }
  // next resolves with the first message (queued or to come) of one of the types.
  next(types, ms = 120000) {
    const want = [].concat(types);
    const pred = (m) => want.includes(m.type);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${want} within ${ms} ms; got ${JSON.stringify(this.queue.map((m) => m.type))}`)), ms);
      this.waiters.push({pred, resolve: (m) => { clearTimeout(timer); resolve(m); }});
      this.flush();
    });
  }
  post(m, transfer) { this.w.postMessage(m, transfer); }
  drop(type) { this.queue = this.queue.filter((m) => m.type !== type); }
  close() { return this.w.terminate(); }
}


const stripes = (x, y) => ((x + 2 * y) % 8 < 4 ? [200, 60, 40] : [30, 90, 160]);
const ab = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);

function rgba32() {
  const a = new Uint8ClampedArray(32 * 32 * 4);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      a.set([...stripes(x, y), 255], 4 * (32 * y + x));
    }
  }
  return a;
}

let c;
before(async () => {
  c = new Client();
  const ready = await c.next(['ready', 'error']);
  assert.equal(ready.type, 'ready', JSON.stringify(ready));
  schema = ready.schema;
  readyWeights = ready.weights;
  assert.equal(ready.fallback, '', 'the pretrained VGG-19 loads');
  // The worker hands Go's memory to the SIMD kernels (Node 20 without its relaxed-SIMD flag:
  // no fused multiply-add).
  assert.match(ready.kernel, /^wasm SIMD128/);
});
after(() => c && c.close());

let schema;
let readyWeights;
test('the default network is the pretrained VGG-19 the site ships; it can be chosen again', async () => {
  assert.equal(readyWeights.pretrained, true);
  assert.equal(readyWeights.builtin, false);
  assert.match(readyWeights.provenance, /^VGG-19 from vgg19-keras-to-conv3_4/);
  assert.equal(readyWeights.layers.length, 8);
  assert.deepEqual(schema.fields.find((f) => f.name === 'layers').default, ['conv1_1', 'conv1_2', 'conv2_1', 'conv2_2', 'conv3_1', 'conv3_2', 'conv3_3', 'conv3_4']);
  c.post({type: 'weights', builtin: true, seed: 0});
  const u = await c.next(['weights', 'error']);
  assert.equal(u.weights.builtin, true);
  assert.equal(u.schema.fields.find((f) => f.name === 'layers').default.length, 10, "VGG-16's ten default layers");
  c.post({type: 'weights', pretrained: true});
  const p = await c.next(['weights', 'error']);
  assert.equal(p.type, 'weights', JSON.stringify(p));
  assert.equal(p.weights.pretrained, true);
  assert.equal(p.weights.checksum, readyWeights.checksum);
});

test('a pretrained file that is not the committed one is refused: the untrained VGG-16 is used, and ready says why', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'texsynth-site-'));
  const k = (() => {
    cpSync(site, dir, {recursive: true});
    const f = path.join(dir, 'weights/vgg19-conv3_4.q8');
    const b = readFileSync(f);
    b[b.length - 7] ^= 1;
    writeFileSync(f, b);
    return new Client(dir);
  })();
  try {
    const ready = await k.next(['ready', 'error']);
    assert.equal(ready.type, 'ready', JSON.stringify(ready));
    assert.match(ready.fallback, /not the one this build ships: SHA-256/);
    assert.equal(ready.weights.builtin, true);
    k.post({type: 'weights', pretrained: true});
    const e = await k.next(['weights', 'error']);
    assert.equal(e.type, 'error');
    assert.equal(e.during, 'weights');
  } finally {
    await k.close();
    rmSync(dir, {recursive: true, force: true});
  }
});

test('ready names the built-in untrained weights', async () => {
  // 'ready' was consumed in before(); ask again through the weights message.
  c.post({type: 'weights', builtin: true, seed: 0});
  const m = await c.next(['weights', 'error']);
  assert.equal(m.type, 'weights');
  assert.equal(m.weights.builtin, true);
  assert.match(m.weights.provenance, /untrained VGG-16 \(random features.*seed 0\)/);
  assert.match(m.weights.checksum, /^[0-9a-f]{64}$/);
});

test('decode gives RGBA and notices, like the command line', async () => {
  const buf = png(40, 24, stripes);
  c.post({type: 'decode', buffer: ab(buf), name: 'stripes.png', id: 1});
  const m = await c.next(['exemplar', 'error']);
  assert.equal(m.type, 'exemplar', JSON.stringify(m));
  assert.equal(m.width, 40);
  assert.equal(m.height, 24);
  assert.ok(m.rgba instanceof Uint8ClampedArray);
  assert.equal(m.rgba.length, 40 * 24 * 4);
  assert.deepEqual([...m.rgba.slice(0, 4)], [200, 60, 40, 255]);
  assert.deepEqual(m.notices, []);
  assert.equal(m.id, 1);
});

test('decode scales a huge picture down with a notice', async () => {
  c.post({type: 'decode', buffer: ab(png(1200, 600, stripes)), name: 'big.png'});
  const m = await c.next(['exemplar', 'error']);
  assert.equal(m.type, 'exemplar', JSON.stringify(m));
  assert.equal(m.width, 512);
  assert.equal(m.height, 256);
  assert.equal(m.notices.length, 1);
  assert.match(m.notices[0], /scaled down from 1200×600 to 512×256/);
});

test('decode takes an animated GIF\'s first frame, with a notice', async () => {
  const pal = [[255, 0, 0], [0, 0, 255], [0, 255, 0], [255, 255, 255]];
  const anim = gif(20, 18, pal, [(x) => x % 2, () => 2, () => 3]);
  c.post({type: 'decode', buffer: ab(anim), name: 'anim.gif'});
  const m = await c.next(['exemplar', 'error']);
  assert.equal(m.type, 'exemplar', JSON.stringify(m));
  assert.equal(m.width, 20);
  assert.equal(m.height, 18);
  assert.deepEqual([...m.rgba.slice(0, 8)], [255, 0, 0, 255, 0, 0, 255, 255], 'the first frame');
  assert.deepEqual(m.notices, ['animated GIF with 3 frames: using the first frame']);
});

test('decode refuses non-images and tiny pictures as input errors', async () => {
  c.post({type: 'decode', buffer: ab(Buffer.from('this is not a picture at all')), name: 'notes.txt'});
  let m = await c.next(['exemplar', 'error']);
  assert.equal(m.type, 'error');
  assert.equal(m.kind, 'input');
  assert.equal(m.during, 'decode');
  assert.match(m.message, /^the file looks like text, not an image/, 'in plain words, without the "bad input image:" category');
  c.post({type: 'decode', buffer: ab(png(8, 8, stripes)), name: 'tiny.png'});
  m = await c.next(['exemplar', 'error']);
  assert.equal(m.type, 'error');
  assert.equal(m.kind, 'input');
  assert.match(m.message, /8×8 pixels; both sides must be at least 16/);
});

test('start runs to the end, a frame per iteration, pixels transferred', async () => {
  const rgba = rgba32();
  c.post({type: 'start', rgba, width: 32, height: 32, settings: FAST}, [rgba.buffer]);
  assert.equal(rgba.byteLength, 0, 'the exemplar was transferred, not copied');
  const started = await c.next(['started', 'error']);
  assert.equal(started.type, 'started', JSON.stringify(started));
  assert.deepEqual(started.layers, ['conv1_1', 'pool1', 'conv2_1']);
  assert.equal(started.iters, 4);
  const losses = [];
  for (let i = 1; i <= 4; i++) {
    const f = await c.next(['frame', 'error']);
    assert.equal(f.type, 'frame', JSON.stringify(f));
    assert.equal(f.iter, i);
    assert.equal(f.iters, 4);
    assert.equal(f.width, 32);
    assert.ok(f.pixels instanceof Uint8ClampedArray);
    assert.equal(f.pixels.length, 32 * 32 * 4);
    assert.ok(f.seconds > 0 && Number.isFinite(f.loss));
    assert.equal(f.done, i === 4);
    losses.push(f.loss);
  }
  assert.ok(losses[3] < losses[0], `loss falls: ${losses}`);
  const done = await c.next('done');
  assert.equal(done.iter, 4);
});

test('pause, resume and stop act between steps', async () => {
  const rgba = rgba32();
  c.post({type: 'start', rgba, width: 32, height: 32, settings: {...FAST, iters: 50}}, [rgba.buffer]);
  await c.next('started');
  await c.next('frame');
  c.post({type: 'pause'});
  const paused = await c.next('paused');
  c.drop('frame');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.queue.filter((m) => m.type === 'frame').length, 0, 'no frames while paused');
  c.post({type: 'resume'});
  await c.next('resumed');
  const f = await c.next('frame');
  assert.equal(f.iter, paused.iter + 1);
  c.post({type: 'stop'});
  const stopped = await c.next('stopped');
  assert.ok(stopped.iter >= f.iter && stopped.iter < 50);
  await new Promise((r) => setTimeout(r, 300));
  c.drop('frame');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.queue.filter((m) => m.type === 'frame' || m.type === 'done').length, 0, 'nothing after stop');
});

test('bad settings are input errors from the core, named as the CLI names them', async () => {
  for (const [settings, re] of [
    [{...FAST, loss: 'l2'}, /loss/],
    [{...FAST, layers: 'conv9_9'}, /unknown layer "conv9_9"/],
    [{...FAST, layerWeights: '1,2'}, /2 weights for 3 layers/],
    [{...FAST, size: 8}, /size 8 px is out of range/],
    [{...FAST, pad: 'mirror'}, /unknown padding/],
    [{...FAST, iters: 1.5}, /whole number/],
    [{...FAST, iters: 99999}, /use 1 to 10000/],
  ]) {
    const rgba = rgba32();
    c.post({type: 'start', rgba, width: 32, height: 32, settings}, [rgba.buffer]);
    const m = await c.next(['started', 'error']);
    assert.equal(m.type, 'error', JSON.stringify(settings));
    assert.equal(m.kind, 'input', m.message);
    assert.equal(m.during, 'start');
    assert.match(m.message, re);
    assert.doesNotMatch(m.message, /bad specification|bad layer name/, 'plain words');
  }
});

test('ready carries the core\'s schema: every setting with its bounds and options', () => {
  const f = Object.fromEntries(schema.fields.map((x) => [x.name, x]));
  assert.deepEqual([f.size.min, f.size.max, f.size.default], [16, 1024, 128]);
  assert.deepEqual([f.iters.min, f.iters.max], [1, 10000]);
  assert.deepEqual(f.loss.options, ['sw', 'gram', 'emd', 'emd-seed']);
  assert.deepEqual(f.pad.options, ['zero', 'reflect', 'circular']);
  assert.equal(f.layers.options.length, 20, "the pretrained VGG-19's taps");
  assert.equal(f.layers.default.length, 8);
  assert.equal(f.levels.max, 5);
  assert.equal(f.seed.max, 2 ** 53 - 1);
  assert.deepEqual([schema.minSide, schema.maxSide], [16, 512]);
});

test('describe reads text with the core\'s parser: refusals per field, the plan', async () => {
  c.post({type: 'describe', settings: {size: '2000', iters: '0', layers: 'conv1_1,pool1', layerWeights: '1,2,3', colour: 'red'}, id: 'd1'});
  const m = await c.next(['described', 'error']);
  assert.equal(m.type, 'described', JSON.stringify(m));
  assert.equal(m.id, 'd1');
  assert.match(m.errors.size, /^size 2000 px is out of range; use 16 to 1024$/);
  assert.match(m.errors.iters, /0 iterations; use 1 to 10000/);
  assert.match(m.errors.layerWeights, /3 weights for 2 layers/);
  assert.match(m.errors.colour, /unknown setting/);
  assert.equal(m.settings.size, 128, 'a refused value keeps the default');
  assert.equal(m.plan, undefined);
  // On the untrained VGG-16 (the weights in use here); the half-scale term's loss at half the
  // side takes more.
  c.post({type: 'describe', settings: [{size: '128', halfScaleWeight: '0'}, {size: '64', layers: 'conv1_1,pool1', layerWeights: 'linear:1'}, {size: '128'}], exemplarSide: 256, id: 'd2'});
  const two = await c.next('described');
  const [a, b, h] = two.list;
  assert.deepEqual(a.plan.levels.map((l) => [l.size, l.iters]), [[64, 50], [128, 50]]);
  assert.equal(a.plan.levels[1].macs, 4 * a.plan.levels[0].macs);
  // core/synth plan.go: 357 MiB measured for this network at 128 px.
  assert.ok(a.plan.memory > 300e6 && a.plan.memory < 450e6, `memory ${a.plan.memory}`);
  assert.ok(h.plan.memory > a.plan.memory && h.plan.levels[1].macs === a.plan.levels[1].macs * 5 / 4, `with the half-scale term: ${JSON.stringify(h.plan)}`);
  assert.deepEqual(b.plan.layers, ['conv1_1', 'pool1']);
  assert.deepEqual(b.plan.layerWeights, [1, 2], 'the core\'s own layer weights');
});

test('stop keeps the run: more continues it from where it stopped; release drops it', async () => {
  const rgba = rgba32();
  c.post({type: 'start', rgba, width: 32, height: 32, settings: {...FAST, iters: 3}, run: 7}, [rgba.buffer]);
  const started = await c.next('started');
  assert.equal(started.run, 7);
  assert.deepEqual([started.exemplar.width, started.exemplar.height], [32, 32], 'the exemplar as the run sees it');
  for (let i = 1; i <= 3; i++) assert.equal((await c.next('frame')).run, 7);
  const done = await c.next('done');
  assert.deepEqual([done.iter, done.iters, done.run], [3, 3, 7]);
  c.post({type: 'more', iters: 2});
  const more = await c.next(['continued', 'error']);
  assert.deepEqual([more.type, more.iter, more.iters, more.run, more.ends], ['continued', 3, 5, 7, [5]], JSON.stringify(more));
  const f4 = await c.next('frame');
  const f5 = await c.next('frame');
  assert.deepEqual([f4.iter, f4.iters, f5.iter, f5.done], [4, 5, 5, true]);
  assert.ok(f5.memory > 0, 'frames say the engine\'s memory');
  await c.next('done');
  c.post({type: 'release'});
  await c.next('released');
  c.post({type: 'more', iters: 2});
  const e = await c.next(['continued', 'error']);
  assert.equal(e.type, 'error');
  assert.match(e.message, /no run to continue/);
});

test('a weights file: loaded, verified, named by its provenance; a corrupt one refused', async () => {
  const file = readFileSync(path.join(site, 'weights/vgg16-random.q8'));
  c.post({type: 'weights', buffer: ab(file), name: 'vgg16-random.q8'});
  const m = await c.next(['weights', 'error']);
  assert.equal(m.type, 'weights', JSON.stringify(m));
  assert.equal(m.weights.builtin, false);
  assert.equal(m.weights.layers.length, 13);
  assert.match(m.weights.provenance, /seed 0/);
  const bad = Buffer.from(file);
  bad[bad.length - 100] ^= 0xff;
  c.post({type: 'weights', buffer: ab(bad), name: 'bad.q8'});
  const e = await c.next(['weights', 'error']);
  assert.equal(e.type, 'error');
  assert.equal(e.kind, 'input');
  assert.equal(e.during, 'weights');
  // A VGG-19 file: describe reads and plans for VGG-19 (its conv3_4; more work than VGG-16's
  // conv3_3 at the same size); the built-in VGG-16 refuses conv3_4.
  const layers = 'conv1_1,pool1,conv2_1,pool2,conv3_4';
  c.post({type: 'weights', buffer: ab(readFileSync(path.join(root, 'weights/pretrained/vgg19-conv3_4.q8'))), name: 'vgg19-conv3_4.q8'});
  assert.equal((await c.next(['weights', 'error'])).type, 'weights');
  c.post({type: 'describe', settings: [{size: '64', layers}, {size: '64', layers: 'conv1_1,pool1,conv2_1,pool2,conv3_3'}]});
  const [v19, v19short] = (await c.next('described')).list;
  assert.deepEqual(v19.errors, {});
  assert.deepEqual(v19.plan.layers, layers.split(','));
  assert.ok(v19.plan.levels[0].macs > v19short.plan.levels[0].macs, 'conv3_4 is one conv deeper than conv3_3');
  c.post({type: 'weights', builtin: true, seed: 0});
  const back = await c.next('weights');
  assert.equal(back.weights.builtin, true);
  c.post({type: 'describe', settings: {size: '64', layers}});
  assert.match((await c.next('described')).errors.layers, /unknown layer "conv3_4"; VGG-16 has/);
});

test('a crash of the Go program is reported as fatal, and later calls say so', async () => {
  const k = new Client();
  try {
    assert.equal((await k.next(['ready', 'error'])).type, 'ready');
    k.post({type: 'crash'});
    const m = await k.next('error', 30000);
    assert.equal(m.kind, 'fatal');
    k.post({type: 'decode', buffer: ab(png(32, 32, stripes))});
    const again = await k.next('error', 30000);
    assert.equal(again.kind, 'fatal');
  } finally {
    await k.close();
  }
});
