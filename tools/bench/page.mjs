// `make bench-page`: the benchmark page (site/bench.html, in build/site) in headless Chromium with
// WebGPU on (site/test/webgpu.mjs), served by tools/serve on localhost; prints its table as
// markdown, with the machine's load. Usage:
//   node tools/bench/page.mjs [-sizes 64,128] [-evals 3] [-engines webgpu,wasm] [-threads 1,2]
// (threads: the wasm engine's worker pool; by default one thread and every core, the page being
// served cross-origin isolated). The wasm memory column is the Go program's linear memory after
// the cell (it never shrinks: its peak), which the pool shares.
import {mkdtempSync, rmSync, existsSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {root, buildServe, serve, stop} from '../../site/test/harness.mjs';
import {launchWebGPU, runBench} from '../../site/test/webgpu.mjs';

const args = {sizes: '64,128', evals: '3', engines: 'webgpu,wasm', threads: ''};
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^-+/, '');
  if (!(key in args) || process.argv[i + 1] === undefined) {
    console.error(`usage: node tools/bench/page.mjs [-sizes 64,128] [-evals 3] [-engines webgpu,wasm] [-threads 1,2]`);
    process.exit(2);
  }
  args[key] = process.argv[i + 1];
}
const site = path.join(root, 'build/site');
if (!existsSync(path.join(site, 'bench.html'))) {
  console.error('no build/site/bench.html: run make site');
  process.exit(2);
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'texsynth-bench-page-'));
let server, browser;
try {
  const bin = path.join(tmp, 'serve');
  buildServe(bin);
  let base;
  ({proc: server, base} = await serve(bin, site));
  browser = await launchWebGPU();
  console.log(`Chromium ${browser.version()}, ${os.cpus().length} cores, load before: ${load()}`);
  const {rows, errors} = await runBench(browser, base,
    `sizes=${args.sizes}&engines=${args.engines}&evals=${args.evals}${args.threads ? '&threads=' + args.threads : ''}`);
  console.log(`load after: ${load()}\n`);
  console.log('| size | engine | adapter | best ms | median ms | loss on CPU ms | GPU fwd / bwd ms | wasm memory MiB | agreement |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    if (r.error) {
      console.log(`| ${r.size} | ${r.engine} | | error: ${r.error} | | | | | |`);
      continue;
    }
    const f = (v) => (v === undefined ? '–' : v.toFixed(0));
    const mib = r.memory ? (r.memory / 2 ** 20).toFixed(0) : '–';
    console.log(`| ${r.size} | ${r.engine} | ${r.adapter} | ${f(r.best)} | ${f(r.median)} | ${f(r.loss)} | ${r.gpu} | ${mib} | ${r.agreement} |`);
  }
  for (const r of rows) {
    const p = r.raw && r.raw.pool;
    if (p) console.log(`pool at ${r.size} px, ${r.engine}: ${p.shared} of ${p.calls} calls shared, ${p.alone} run alone by choice`);
  }
  for (const e of errors) console.log('page error: ' + e);
} finally {
  if (browser) await browser.close();
  await stop(server);
  rmSync(tmp, {recursive: true, force: true});
}
