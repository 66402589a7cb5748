// The benchmark page (bench.html): runs texsynth's benchmark (wasm/bench.go) in a worker
// (bench-worker.js), one cell at a time (size × engine), and fills the table. The address can
// preset and start it, as `make bench` does in headless Chromium:
//   bench.html?sizes=64,128&engines=webgpu,wasm&evals=3&threads=1,2&run
// (threads: the wasm engine's thread counts; by default one, and every core where the page is
// cross-origin isolated).
// window.benchDone resolves to every row when a run ends.

const form = document.getElementById('bench-form');
const q = new URLSearchParams(location.search); // presets from the address
const status = document.getElementById('bench-status');
const body = document.querySelector('#bench-table tbody');

// One worker per thread count of the wasm engine (its worker pool, wasm/pool.js, has that many
// threads; more than one only where the page is cross-origin isolated).
const workers = new Map();
let pending = null;

function spawn(threads) {
  const worker = new Worker(`bench-worker.js?threads=${threads}`);
  workers.set(threads, worker);
  const drop = () => {
    worker.terminate();
    workers.delete(threads);
  };
  worker.onmessage = (e) => {
    const p = pending;
    pending = null;
    if (!p) return;
    if (e.data.fatal) {
      drop();
      p.reject(new Error(e.data.fatal));
    } else if (e.data.error) {
      p.reject(new Error(e.data.error));
    } else {
      p.resolve(e.data.result);
    }
  };
  worker.onerror = (e) => {
    e.preventDefault();
    drop();
    if (pending) pending.reject(new Error(e.message || 'the benchmark worker failed'));
    pending = null;
  };
  return worker;
}

function cell(size, engine, evals, threads) {
  // One engine's memory at a time: the others' workers go.
  for (const [t, w] of workers) {
    if (t !== threads) {
      w.terminate();
      workers.delete(t);
    }
  }
  const worker = workers.get(threads) || spawn(threads);
  return new Promise((resolve, reject) => {
    pending = {resolve, reject};
    worker.postMessage({size, engine, evals});
  });
}

const fmt = (v) => (v === undefined || v === null ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(0));
const best = (a) => (a && a.length ? Math.min(...a) : undefined);
const median = (a) => {
  if (!a || !a.length) return undefined;
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function row(values) {
  const tr = document.createElement('tr');
  for (const v of values) {
    const td = document.createElement('td');
    td.textContent = v;
    tr.append(td);
  }
  body.append(tr);
  return tr;
}

const engineName = {webgpu: 'WebGPU', wasm: 'wasm SIMD'};

// summary is one result as the table (and make bench) shows it.
function summary(r) {
  const adapter = r.adapter + (r.emulated ? ' (CPU emulation)' : '');
  const gpu = r.forward ? `${fmt(best(r.forward))} / ${fmt(best(r.backward))}` : '–';
  const agree = r.agreement
    ? `vs ${engineName[r.agreement.with]}, relative: sw loss ${r.agreement.sw.toExponential(1)}; gram loss ${r.agreement.gram.toExponential(1)}, its gradient ${r.agreement.gramGradient.toExponential(1)}`
    : '–';
  const engine = r.engine === 'wasm' ? `${engineName.wasm}, ${r.threads} thread${r.threads === 1 ? '' : 's'}` : engineName[r.engine];
  return {size: r.size, engine, threads: r.threads, memory: r.memory, adapter, best: best(r.times), median: median(r.times),
    loss: median(r.loss), gpu, agreement: agree, emulated: r.emulated, raw: r};
}

// threadCounts is the wasm engine's thread counts to time: the address's threads=1,2 list, else
// one and every core (at most 8) where the page is cross-origin isolated, else one.
function threadCounts() {
  const asked = (q.get('threads') || '').split(',').map(Number).filter((n) => n >= 1 && n <= 8);
  if (asked.length) return asked;
  const all = Math.min(navigator.hardwareConcurrency || 1, 8);
  return self.crossOriginIsolated && all > 1 ? [1, all] : [1];
}

async function run(sizes, engines, evals) {
  body.replaceChildren();
  const rows = [];
  form.querySelector('button').disabled = true;
  const cells = engines.flatMap((engine) => (engine === 'wasm' ? threadCounts().map((t) => [engine, t]) : [[engine, 1]]));
  for (const size of sizes) {
    for (const [engine, threads] of cells) {
      status.textContent = `Running ${engineName[engine]}${engine === 'wasm' ? ` (${threads} thread${threads > 1 ? 's' : ''})` : ''} at ${size} px…`;
      try {
        const s = summary(await cell(size, engine, evals, threads));
        rows.push(s);
        row([`${size} px`, s.engine, s.adapter, fmt(s.best), fmt(s.median), fmt(s.loss), s.gpu, s.agreement]);
      } catch (err) {
        rows.push({size, engine: engineName[engine], error: err.message});
        row([`${size} px`, engineName[engine], '–', 'error: ' + err.message, '', '', '', '']).classList.add('error');
      }
    }
  }
  form.querySelector('button').disabled = false;
  status.textContent = 'Done.';
  return rows;
}

function checked(name) {
  return [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const evals = Math.max(1, Math.min(20, Number(form.elements.evals.value) || 3));
  window.benchDone = run(checked('size').map(Number), checked('engine'), evals);
});

if (q.has('sizes')) {
  const sizes = q.get('sizes').split(',').map(Number).filter((n) => n >= 16 && n <= 1024);
  for (const box of form.querySelectorAll('input[name=size]')) box.checked = sizes.includes(Number(box.value));
  window.benchSizes = sizes;
}
if (q.has('engines')) {
  const engines = q.get('engines').split(',');
  for (const box of form.querySelectorAll('input[name=engine]')) box.checked = engines.includes(box.value);
}
if (q.has('evals')) form.elements.evals.value = q.get('evals');
if (q.has('run')) {
  const evals = Math.max(1, Math.min(20, Number(form.elements.evals.value) || 3));
  const sizes = window.benchSizes || checked('size').map(Number);
  window.benchDone = run(sizes, checked('engine'), evals);
}
