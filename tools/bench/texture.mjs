// `make bench-page`'s last table: one whole texture with the page's default settings, made the
// way a person makes it — the deployable page (build/dist) served cross-origin isolated by
// tools/serve, a picture put in the page's file input, Start — in headless Chromium, timed from
// the click to the last frame, with the most WebAssembly memory a frame of the run reported (the
// Go program's linear memory, which never shrinks; the worker pool has none of its own). Usage:
//   node tools/bench/texture.mjs [-size 512] [-in picture] [-threads 1,2] [-out build/bench-texture]
// threads: 1 is one thread (?threads=1), N the worker pool of N threads; the default is 1 and
// the number of cores. Each run's last frame is written as <out>-<size>px-<threads>t.png.
import {mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {root, chromePath, buildServe, serve, stop, launch} from '../../site/test/harness.mjs';

const args = {size: '512', in: path.resolve(root, '../shared/textures/embark_1.jpg'), threads: '', out: 'build/bench-texture'};
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^-+/, '');
  if (!(key in args) || process.argv[i + 1] === undefined) {
    console.error('usage: node tools/bench/texture.mjs [-size 512] [-in picture] [-threads 1,2] [-out build/bench-texture]');
    process.exit(2);
  }
  args[key] = process.argv[i + 1];
}
const dist = path.join(root, 'build/dist');
if (!existsSync(path.join(dist, 'index.html'))) {
  console.error('no build/dist/index.html: run make dist');
  process.exit(2);
}
if (!existsSync(args.in)) {
  console.error(`no picture at ${args.in}`);
  process.exit(2);
}
const size = Number(args.size);
const cores = os.cpus().length;
const counts = (args.threads || `1,${cores}`).split(',').map(Number);
const mime = /\.png$/i.test(args.in) ? 'image/png' : 'image/jpeg';
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// One page load: the worker's messages noted as they pass (the frames' memory and evaluations).
async function run(context, base, threads) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const seen = window.__seen = {memory: 0, frames: 0};
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(...a) {
        super(...a);
        this.addEventListener('message', (e) => {
          const m = e.data || {};
          if (m.type === 'ready') seen.ready = {threads: m.threads, why: m.threadsWhy, kernel: m.kernel};
          if (m.type === 'frame' && seen.armed) {
            seen.frames++;
            seen.memory = Math.max(seen.memory, m.memory || 0);
            seen.last = {iter: m.iter, iters: m.iters, evals: m.evals, loss: m.loss, done: m.done, width: m.width};
            if (m.done) seen.end = performance.now();
          }
          if (m.type === 'error' || m.type === 'fatal' || m.type === 'refused') seen.error = JSON.stringify(m).slice(0, 300);
        });
      }
    };
  });
  await page.goto(`${base}/index.html?threads=${threads}#size=${size}`);
  await page.waitForFunction(() => window.__seen.ready, null, {timeout: 120000});
  await page.setInputFiles('[data-testid=exemplar-input]', {name: path.basename(args.in), mimeType: mime, buffer: readFileSync(args.in)});
  await page.waitForFunction(() => !document.querySelector('[data-testid=start]').disabled, null, {timeout: 120000});
  // The size menu's estimate of time and memory for this machine, once the page has measured it.
  const option = (s) => {
    const o = [...document.querySelectorAll('[data-testid=field-size] option')].find((x) => x.value === String(s));
    return o && /about|too large/.test(o.textContent) ? o.textContent.trim() : '';
  };
  const estimate = await page.waitForFunction(option, size, {timeout: 60000}).then((h) => h.jsonValue(), () => 'no estimate shown');
  // The page's speed calibration (a short run of its own, speed-ui.js) has ended once the menu
  // shows an estimate; only the frames after the click are the texture's.
  const t0 = await page.evaluate(() => { window.__seen.armed = true; return performance.now(); });
  await page.click('[data-testid=start]');
  await page.waitForFunction(() => (window.__seen.last && window.__seen.last.done) || window.__seen.error, null, {timeout: 3 * 3600 * 1000, polling: 1000});
  const s = await page.evaluate(() => window.__seen);
  if (s.error) throw new Error(`the page reported: ${s.error}`);
  const png = await page.evaluate(() => document.querySelector('[data-testid=output]').toDataURL('image/png'));
  const file = `${args.out}-${size}px-${threads}t.png`;
  writeFileSync(path.resolve(root, file), Buffer.from(png.split(',')[1], 'base64'));
  await page.close();
  return {threads: s.ready.threads, kernel: s.ready.kernel, seconds: (s.end - t0) / 1000, ...s.last, memory: s.memory, estimate, file};
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'texsynth-bench-texture-'));
let server, context;
try {
  const bin = path.join(tmp, 'serve');
  buildServe(bin);
  let base;
  ({proc: server, base} = await serve(bin, dist));
  context = await launch(path.join(tmp, 'profile'), {viewport: {width: 1280, height: 800}});
  console.log(`\nA default ${size} px texture in the page (${path.basename(args.in)}), headless Chromium, ${cores} cores, load before: ${load()}`);
  const rows = [];
  for (const t of counts) rows.push({...(await run(context, base, t)), load: load()});
  console.log('\n| size | threads | iterations | evaluations | wall time | peak wasm memory | the size menu said | load after | last frame |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${size} px | ${r.threads} | ${r.iter} | ${r.evals} | ${r.seconds.toFixed(1)} s | ${(r.memory / 2 ** 20).toFixed(0)} MiB | ${r.estimate} | ${r.load} | ${r.file} |`);
  }
} finally {
  if (context) await context.close();
  await stop(server);
  rmSync(tmp, {recursive: true, force: true});
}
