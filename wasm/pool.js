// texsynth's worker pool: the SIMD kernels (core/gemm) on several threads, on the Go program's
// own memory.
//
// The worker that runs the Go program instantiates it on a shared WebAssembly.Memory (its module
// rewritten to import one: shared-memory.js), so every pool thread (pool-worker.js) instantiates
// the kernel module (built by the Go program: core/gemm/pool_js.go) on that same memory and reads
// A and B and writes C where Go keeps them: nothing is copied and the pool has no memory of its
// own. A product c += a·B has its rows cut into pieces (a few per thread), a batch of Winograd
// transform steps (mix) its vectors' columns; the workers are woken through a control array
// (Atomics.notify), and every thread, this one too, takes pieces until none is left; then this
// thread waits (Atomics.wait, which workers may do) for the pieces still being computed. The Go
// program sees one synchronous call, and does nothing else meanwhile (Go's wasm is one thread),
// so no thread reads what another writes. Taking pieces rather than a fixed share each keeps a
// worker the system has descheduled (a loaded machine) from holding the call up: the others take
// its pieces.
//
// It needs SharedArrayBuffer, so a cross-origin isolated page (COOP same-origin + COEP
// require-corp, docs/deploy.md); worker.js and site/bench-worker.js start it only there, through
// TexsynthPool.boot, and in Node wasm/memory.cjs does with TEXSYNTH_POOL=N (the tests). Loaded
// with importScripts or require.
'use strict';

// MIN_CORES is the fewest cores on which the pool starts unasked: on the 2-core development
// machine the pool was faster than one thread only while nothing else ran, and slower while other
// work kept a core busy (docs/performance.md, "The page on every core"); with more cores, the
// calls split further and a busy core is less likely to be one the pool waits for.
const MIN_CORES = 4;
// The control array (Int32Array over its own SharedArrayBuffer): GEN counts the jobs posted;
// NEXT is the next piece to take, tagged with the job's GEN (tag << 16 | piece) so that a worker
// that woke late can never take a piece of a later job with the earlier job's operands; FINISHED
// counts the pieces done; READY the workers that can take pieces; KIND is the job's kernel
// (GEMM or MIX), then its operands: for a product c, a, lda, b, k, n, m (addresses in Go's
// memory) and the rows per piece; for a batch of steps ops, count, the vectors' length in bytes
// and the bytes per piece.
const GEN = 0, NEXT = 1, FINISHED = 2, READY = 3, KIND = 4, ARGS = 5;
const C = ARGS, A = ARGS + 1, LDA = ARGS + 2, B = ARGS + 3, K = ARGS + 4, N = ARGS + 5, M = ARGS + 6, ROWS = ARGS + 7;
const OPS = ARGS, COUNT = ARGS + 1, BYTES = ARGS + 2, WIDTH = ARGS + 3;
// SLEEPING counts the workers blocked in Atomics.wait, CALLER_WAITS is 1 while the caller is:
// waking a thread costs a system call (a third of a millisecond on a loaded machine, measured),
// so it is done only for a thread that sleeps; a worker first polls for the next job for SPIN_MS
// (products come back to back within a layer), the caller for the last pieces.
const SLEEPING = ARGS + 8, CALLER_WAITS = ARGS + 9, CTL = ARGS + 10;
const GEMM = 1, MIX = 2;
const SPIN_MS = 1;
// STALL_MS, ALONE_MS, ALONE_MAX_MS: how much later than expected a worker's last piece must end
// for the pool to take the machine for busy, and how long it then runs calls on one thread (run).
const STALL_MS = 1, ALONE_MS = 100, ALONE_MAX_MS = 1600;
// START_MS: how long a worker that boots the Go program waits for the pool's workers (ready).
const START_MS = 10000;
// A batch of steps is cut into pieces of at least MIX_WIDTH bytes of each vector (16 floats):
// every piece runs all the batch's steps on its columns, so narrower pieces would spend more on
// reading the steps than on the arithmetic.
const MIX_WIDTH = 64;
const tag = (gen) => (gen & 0x7fff) << 16;
// CLOSED is the piece number of a finished job, past any real piece's.
const CLOSED = 0xffff;

class TexsynthPool {
  // create starts threads-1 workers from workerURL (the calling thread is the last) and resolves
  // when each has loaded; spawn(url) makes a worker (a Web Worker, or Node's worker_threads).
  // memory is the Go program's (shared) WebAssembly.Memory.
  static async create(threads, memory, workerURL, spawn = (u) => new Worker(u)) {
    const pool = new TexsynthPool(threads, memory);
    await Promise.all(pool.workers.map((_, i) => new Promise((resolve, reject) => {
      const w = spawn(workerURL);
      pool.workers[i] = w;
      const on = (type, f) => (w.addEventListener ? w.addEventListener(type, (e) => f(e.data !== undefined ? e.data : e)) : w.on(type, f));
      on('message', (m) => (m && m.type === 'loaded' ? resolve() : undefined));
      on('error', (e) => reject(new Error('a pool worker failed: ' + (e && e.message ? e.message : e))));
    })));
    return pool;
  }

  // why says, in the words the page shows, why a scope gets one thread: '' when it may have more.
  static why(scope) {
    if (typeof SharedArrayBuffer !== 'function' || !scope.crossOriginIsolated) {
      return 'this page is not cross-origin isolated';
    }
    if (typeof Atomics !== 'object' || typeof Atomics.wait !== 'function') return 'this browser has no Atomics.wait';
    return '';
  }

  // threadsFor says how many threads a worker's pool should have: as many as the machine has
  // cores (at most 8) when it has at least MIN_CORES, or as the worker's address asks
  // (?threads=N; 1 turns the pool off): {threads, why}, why saying, when there is one thread, why.
  static threadsFor(scope) {
    const why = TexsynthPool.why(scope);
    if (why) return {threads: 1, why};
    const asked = Number(new URL(scope.location.href).searchParams.get('threads'));
    const cores = (scope.navigator && scope.navigator.hardwareConcurrency) || 1;
    if (!(asked >= 1) && cores < MIN_CORES) {
      return {threads: 1, why: `this machine reports ${cores} core${cores === 1 ? '' : 's'}; on two, sharing the work measured faster than one thread only on an otherwise idle machine (threads=${Math.max(cores, 2)} in the page's address asks for the pool)`};
    }
    const threads = Math.min(asked >= 1 ? Math.floor(asked) : cores, 8);
    if (threads < 2) return {threads: 1, why: 'one thread was asked for'};
    return {threads, why: ''};
  }

  // boot instantiates the Go program (response: its fetched module, for go's imports) for a
  // worker that is about to run it (worker.js, site/bench-worker.js), and starts the pool when
  // the worker may have one: the program then runs on a shared memory (shared-memory.js, loaded
  // from base) and the pool is handed over as scope.texsynthPool. Where it may not, or the shared
  // memory or the pool cannot be had, the program runs on its own unshared memory, one thread
  // (compiled as it streams in, when the server says it is wasm). It resolves to
  // {instance, threads, why}: why says, when there is one thread, why.
  static async boot(scope, base, response, go) {
    let {threads, why} = TexsynthPool.threadsFor(scope);
    if (threads < 2) {
      const streams = WebAssembly.instantiateStreaming && (response.headers.get('content-type') || '').includes('application/wasm');
      const {instance} = await (streams ? WebAssembly.instantiateStreaming(response, go.importObject)
        : WebAssembly.instantiate(await response.arrayBuffer(), go.importObject));
      return {instance, threads: 1, why};
    }
    const bytes = await response.arrayBuffer();
    let instance;
    try {
      if (typeof scope.TexsynthShared !== 'object') scope.importScripts(new URL('shared-memory.js', base).href);
      instance = await scope.TexsynthShared.instantiate(bytes, go.importObject);
    } catch (e) {
      ({instance} = await WebAssembly.instantiate(bytes, go.importObject));
      return {instance, threads: 1, why: 'the Go program\'s memory could not be shared: ' + (e && e.message ? e.message : e)};
    }
    scope.TexsynthShared.allowShared(scope);
    try {
      scope.texsynthPool = await TexsynthPool.create(threads, instance.exports.mem, new URL('pool-worker.js', base).href);
    } catch (e) {
      threads = 1;
      why = 'the worker pool did not start: ' + (e && e.message ? e.message : e);
    }
    return {instance, threads, why};
  }

  constructor(threads, memory) {
    this.threads = threads;
    this.memory = memory;
    this.workers = new Array(threads - 1).fill(null);
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * CTL));
    this.kernel = null;
    this.aloneUntil = 0; // calls until then run on this thread alone (run), for aloneMs
    this.aloneMs = ALONE_MS;
    this.stalls = 0;     // the times a worker held a piece far longer than expected
    this.shared = 0;     // the calls split between threads
    this.calls = 0;     // products and batches of steps taken, and the time they took (ms)
    this.productMs = 0;
    this.mixes = 0;
    this.mixMs = 0;
    this.gemm = this.gemm.bind(this);
    this.mix = this.mix.bind(this);
  }

  // start instantiates the kernel module (bytes from Go, importing a shared memory as env.mem) on
  // Go's memory here and in every worker; it returns the number of threads a call is split over.
  start(bytes) {
    const module = new WebAssembly.Module(bytes);
    this.kernel = new WebAssembly.Instance(module, {env: {mem: this.memory}}).exports;
    this.workers.forEach((w) => w.postMessage({type: 'start', module, memory: this.memory, ctl: this.ctl}));
    return this.threads;
  }

  // ready resolves to true once every worker has the kernels and takes pieces, or to false after
  // timeoutMs. The Go program posts the kernels to the workers from its start (start), but a
  // browser may hold a worker's messages to its own workers until its event loop turns, which a
  // Go program computing never lets it do: Chromium delivered them only after a whole benchmark,
  // whose calls all ran on one thread. So a worker that boots the program awaits this (each
  // timer lets the messages out) before it computes anything.
  async ready(timeoutMs = START_MS) {
    const until = performance.now() + timeoutMs;
    while (!this.started) {
      if (performance.now() > until) return false;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return true;
  }

  // started says whether every worker has the kernels and takes pieces (Go's gemm.AwaitPool).
  get started() { return Atomics.load(this.ctl, READY) >= this.threads - 1; }

  // counts is what the pool has done so far: calls taken (products and transform batches), how
  // many it shared between threads, how many times a worker held one up.
  counts() { return {calls: this.calls + this.mixes, shared: this.shared, stalls: this.stalls}; }

  // bytes is the memory the pool holds beside the Go program's: none.
  get bytes() { return 0; }

  // gemm is the product kernel's call, gemm(c, m, a, lda, b, k, n) with addresses in Go's memory
  // (core/gemm/simd_js.go), split into pieces of whole 4-row blocks (the kernel's), about four
  // per thread.
  gemm(c, m, a, lda, b, k, n) {
    const t0 = performance.now();
    if (this.sharing(t0)) {
      const rows = 4 * Math.max(1, Math.ceil(m / (16 * this.threads)));
      this.run(GEMM, Math.ceil(m / rows), [c, a, lda, b, k, n, m, rows]);
    } else {
      this.kernel.gemm(c, m, a, lda, b, k, n);
    }
    this.calls++;
    this.productMs += performance.now() - t0;
  }

  // mix is the steps kernel's call, mix(ops, count, 0, bytes) (core/gemm/simd_js.go) for vectors
  // of bytes bytes, split into pieces of the vectors' columns, one per thread (every piece reads
  // all the steps, so more pieces would cost more): every step works element by element, so a
  // piece of columns depends on the same columns only, and each element is computed by the same
  // arithmetic whichever thread runs it.
  mix(ops, count, bytes) {
    const t0 = performance.now();
    if (this.sharing(t0)) {
      const width = Math.max(MIX_WIDTH, 16 * Math.ceil(bytes / (16 * this.threads)));
      this.run(MIX, Math.ceil(bytes / width), [ops, count, bytes, width]);
    } else {
      this.kernel.mix(ops, count, 0, bytes);
    }
    this.mixes++;
    this.mixMs += performance.now() - t0;
  }

  // sharing says whether a call at time now is shared: every worker is ready to take pieces, and
  // the pool is not backing off (run).
  sharing(now) { return now >= this.aloneUntil && this.started; }

  // run posts a job of kind with its operands (args, from ARGS on) in pieces, takes pieces itself,
  // waits for the rest and closes the job. The operands are written and read atomically: a
  // worker that read any of the next job's operands then finds this job closed (NEXT: CLOSED), so
  // it never computes a piece from a mix of two jobs' operands.
  run(kind, pieces, args) {
    const ctl = this.ctl;
    Atomics.store(ctl, KIND, kind);
    args.forEach((v, i) => Atomics.store(ctl, ARGS + i, v));
    const gen = (ctl[GEN] + 1) & 0x7fffffff;
    Atomics.store(ctl, FINISHED, 0);
    Atomics.store(ctl, NEXT, tag(gen));
    Atomics.store(ctl, GEN, gen);
    if (pieces > 1 && Atomics.load(ctl, SLEEPING) > 0) Atomics.notify(ctl, GEN);
    this.shared++;
    const t0 = performance.now();
    const taken = TexsynthPool.take(ctl, gen, this.kernel);
    const t1 = performance.now();
    const until = t1 + SPIN_MS;
    while (Atomics.load(ctl, FINISHED) < pieces && performance.now() < until);
    for (let f; (f = Atomics.load(ctl, FINISHED)) < pieces;) {
      Atomics.store(ctl, CALLER_WAITS, 1);
      if (Atomics.load(ctl, FINISHED) === f) Atomics.wait(ctl, FINISHED, f);
      Atomics.store(ctl, CALLER_WAITS, 0);
    }
    Atomics.store(ctl, NEXT, tag(gen) | CLOSED);
    // A worker that finished its last piece much later than this thread would have (its pieces
    // take about as long as this thread's) was descheduled while it held it: the machine's
    // cores are busy with other work, and each such wait costs a scheduler's time slice, more
    // than sharing saves. Then the calls run on this thread alone for a while (ALONE_MS, doubled
    // while sharing again soon stalls again, to ALONE_MAX_MS) before sharing is tried again.
    const t2 = performance.now();
    if (t2 - t1 > STALL_MS + 2 * (t1 - t0) / Math.max(1, taken)) {
      this.stalls++;
      this.aloneMs = t0 - this.aloneUntil < 2 * this.aloneMs ? Math.min(2 * this.aloneMs, ALONE_MAX_MS) : ALONE_MS;
      this.aloneUntil = t2 + this.aloneMs;
    }
  }

  terminate() {
    for (const w of this.workers) if (w) w.terminate();
  }
}

// take computes pieces of job gen until there are none left (or the job is no longer gen) and
// returns how many it computed; kernel is the kernel instance's exports. Each piece is taken
// with a NEXT read after the operands were: a job still open then (its tag, not CLOSED) had
// these operands.
TexsynthPool.take = function (ctl, gen, kernel) {
  let taken = 0;
  const arg = (i) => Atomics.load(ctl, i);
  const gemm = arg(KIND) === GEMM;
  // A product's pieces are blocks of rows; a batch's, ranges of every vector's columns.
  const c = arg(C), a = arg(A), lda = arg(LDA), b = arg(B), k = arg(K), n = arg(N), m = arg(M), rows = arg(ROWS);
  const ops = arg(OPS), count = arg(COUNT), bytes = arg(BYTES), width = arg(WIDTH);
  const pieces = gemm ? Math.ceil(m / rows) : Math.ceil(bytes / width);
  for (;;) {
    const v = Atomics.load(ctl, NEXT);
    if ((v & ~0xffff) !== tag(gen) || (v & 0xffff) >= pieces) return taken;
    if (Atomics.compareExchange(ctl, NEXT, v, v + 1) !== v) continue;
    const p = v & 0xffff;
    if (gemm) {
      const r0 = p * rows;
      kernel.gemm(c + 4 * r0 * n, Math.min(rows, m - r0), a + 4 * r0 * lda, lda, b, k, n);
    } else {
      kernel.mix(ops, count, p * width, Math.min(bytes, (p + 1) * width));
    }
    taken++;
    Atomics.add(ctl, FINISHED, 1);
    if (Atomics.load(ctl, CALLER_WAITS)) Atomics.notify(ctl, FINISHED);
  }
};

// run is a worker's life (pool-worker.js): wait for a job, take its pieces, wait again. The
// operands take reads are the job's: a piece of job gen can be taken only while the job is
// unfinished, and the next job's operands are written only after it is finished.
TexsynthPool.run = function (ctl, kernel) {
  let gen = Atomics.load(ctl, GEN);
  Atomics.add(ctl, READY, 1);
  for (;;) {
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(ctl, GEN) === gen && performance.now() < until);
    if (Atomics.load(ctl, GEN) === gen) {
      Atomics.add(ctl, SLEEPING, 1);
      Atomics.wait(ctl, GEN, gen);
      Atomics.sub(ctl, SLEEPING, 1);
    }
    gen = Atomics.load(ctl, GEN);
    TexsynthPool.take(ctl, gen, kernel);
  }
};

// NOT_STARTED is what a worker says when ready gave up.
TexsynthPool.NOT_STARTED = `the worker pool did not start in ${START_MS / 1000} s`;

if (typeof module === 'object' && module.exports) module.exports = {TexsynthPool};
else globalThis.TexsynthPool = TexsynthPool;
