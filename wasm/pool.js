// texsynth's worker pool: the SIMD kernels (core/gemm) on several threads, on the Go program's
// own memory.
//
// The worker that runs the Go program instantiates it on a shared WebAssembly.Memory (its module
// rewritten to import one: shared-memory.js), so every pool thread (pool-worker.js) instantiates
// the kernel module (built by the Go program: core/gemm/pool_js.go) on that same memory and reads
// A and B and writes C where Go keeps them: nothing is copied and the pool has no memory of its
// own. A product c += a·B has its rows cut into pieces (a few per thread), a batch of Winograd
// transform steps (mix) its vectors' columns, a matching of the sorted losses its blocks of
// columns; the workers are woken through a control array
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

// MIN_CORES is the fewest cores on which the pool starts unasked. Two: the pool measures whether
// sharing a call pays and runs it alone where it does not (sharing), so on the 2-core development
// machine it made an evaluation faster on an idle machine and cost 4–10 % while another process
// kept a core busy (docs/performance.md, "The page on every core").
const MIN_CORES = 2;
// The control array (Int32Array over its own SharedArrayBuffer): GEN counts the jobs posted;
// NEXT is the next piece to take, tagged with the job's GEN (tag << 16 | piece) so that a worker
// that woke late can never take a piece of a later job with the earlier job's operands; FINISHED
// counts the pieces done; READY the workers that can take pieces; KIND is the job's kernel
// (GEMM, MIX or MATCH), then its operands: for a product c, a, lda, b, k, n, m (addresses in
// Go's memory) and the rows per piece; for a batch of steps ops, count, the vectors' length in
// bytes and the bytes per piece; for a matching (core/gemm/match_js.go: one piece per block of
// columns) its record, the blocks, the table of the threads' scratch and how many threads have
// one (thread i, the caller being 0, takes pieces only if i < that).
const GEN = 0, NEXT = 1, FINISHED = 2, READY = 3, KIND = 4, ARGS = 5;
const C = ARGS, A = ARGS + 1, LDA = ARGS + 2, B = ARGS + 3, K = ARGS + 4, N = ARGS + 5, M = ARGS + 6, ROWS = ARGS + 7;
const OPS = ARGS, COUNT = ARGS + 1, BYTES = ARGS + 2, WIDTH = ARGS + 3;
const JOB = ARGS, BLOCKS = ARGS + 1, TABLE = ARGS + 2, SCRATCHES = ARGS + 3;
// SCRATCH_BYTES is one thread's entry in a matching's table: six addresses.
const SCRATCH_BYTES = 24;
// SLEEPING counts the workers blocked in Atomics.wait, CALLER_WAITS is 1 while the caller is:
// waking a thread costs a system call (a third of a millisecond on a loaded machine, measured),
// so it is done only for a thread that sleeps; a worker first polls for the next job for SPIN_MS
// (products come back to back within a layer), the caller for the last pieces.
const SLEEPING = ARGS + 8, CALLER_WAITS = ARGS + 9, CTL = ARGS + 10;
const GEMM = 1, MIX = 2, MATCH = 3;
const SPIN_MS = 1;
// Whether sharing a call pays is measured, not assumed (sharing): the calls are sorted into
// classes by kind and size (within a factor of two), and for each class the pool keeps the time
// per unit of work of its last PACES calls shared and of its last PACES alone; their medians say
// which way is faster (a median, since one call now and then waits a scheduler's time slice on
// any machine). On an idle machine sharing is faster for most classes; when other work keeps the
// cores busy, the threads wait for one another (a worker descheduled while it holds a piece) and
// take turns on the cores, and one thread alone is faster. A call goes the faster way, but to
// keep both paces current some go the other: one in PROBE while sharing is faster; while alone
// is, one shared call every PROBE_MS for the class, and no more than one every PROBE_MS that
// wakes the workers, since each woken worker polls for SPIN_MS, taking a core from the other work.
const PACES = 5, PROBE = 16, PROBE_MS = 50;
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
      return {threads: 1, why: `this machine reports ${cores} core${cores === 1 ? '' : 's'} (threads=${MIN_CORES} in the page's address asks for the pool)`};
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
    this.paces = new Map(); // class of call → its paces (pace)
    this.lastShared = -Infinity; // when the last shared call ended
    this.lastWake = -Infinity;   // when a call last went to the workers while they slept (sharing)
    this.alwaysShare = false; // every call is shared, whatever the paces (the tests)
    this.shared = 0;     // the calls split between threads
    this.alone = 0;      // the calls the pool could have shared but ran on this thread
    this.calls = 0;     // products, batches of steps and matchings taken, and the time they took (ms)
    this.productMs = 0;
    this.mixes = 0;
    this.mixMs = 0;
    this.matches = 0;
    this.matchMs = 0;
    this.gemm = this.gemm.bind(this);
    this.mix = this.mix.bind(this);
    this.match = this.match.bind(this);
  }

  // start instantiates the kernel module (bytes from Go, importing a shared memory as env.mem) on
  // Go's memory here and in every worker; it returns the number of threads a call is split over.
  start(bytes) {
    const module = new WebAssembly.Module(bytes);
    this.kernel = new WebAssembly.Instance(module, {env: {mem: this.memory}}).exports;
    this.workers.forEach((w, i) => w.postMessage({type: 'start', module, memory: this.memory, ctl: this.ctl, index: i + 1}));
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

  // counts is what the pool has done so far: calls taken (products, transform batches and
  // matchings), how many it shared between threads, how many it could have shared but ran on this
  // thread (sharing).
  counts() { return {calls: this.calls + this.mixes + this.matches, shared: this.shared, alone: this.alone}; }

  // bytes is the memory the pool holds beside the Go program's: none.
  get bytes() { return 0; }

  // gemm is the product kernel's call, gemm(c, m, a, lda, b, k, n) with addresses in Go's memory
  // (core/gemm/simd_js.go), split into pieces of whole 4-row blocks (the kernel's), about four
  // per thread.
  gemm(c, m, a, lda, b, k, n) {
    const t0 = performance.now();
    const p = this.pace(GEMM, m * k * n);
    if (this.sharing(p)) {
      const rows = 4 * Math.max(1, Math.ceil(m / (16 * this.threads)));
      this.run(GEMM, Math.ceil(m / rows), [c, a, lda, b, k, n, m, rows]);
    } else {
      this.kernel.gemm(c, m, a, lda, b, k, n);
    }
    this.calls++;
    this.productMs += this.note(p, t0);
  }

  // mix is the steps kernel's call, mix(ops, count, 0, bytes) (core/gemm/simd_js.go) for vectors
  // of bytes bytes, split into pieces of the vectors' columns, one per thread (every piece reads
  // all the steps, so more pieces would cost more): every step works element by element, so a
  // piece of columns depends on the same columns only, and each element is computed by the same
  // arithmetic whichever thread runs it.
  mix(ops, count, bytes) {
    const t0 = performance.now();
    const p = this.pace(MIX, count * bytes);
    if (this.sharing(p)) {
      const width = Math.max(MIX_WIDTH, 16 * Math.ceil(bytes / (16 * this.threads)));
      this.run(MIX, Math.ceil(bytes / width), [ops, count, bytes, width]);
    } else {
      this.kernel.mix(ops, count, 0, bytes);
    }
    this.mixes++;
    this.mixMs += this.note(p, t0);
  }

  // match is the matching kernel's call for blocks blocks of columns of rows rows, the record at
  // job, with the threads' scratch in table, scratches of them (core/gemm/match_js.go): one piece
  // per block, each block's columns and sum its own, so the bits are those of one thread's loop
  // over the blocks.
  match(job, blocks, table, scratches, rows) {
    const t0 = performance.now();
    const p = this.pace(MATCH, blocks * rows);
    if (blocks > 1 && scratches > 1 ? this.sharing(p) : (p.share = false)) {
      this.run(MATCH, blocks, [job, blocks, table, scratches]);
    } else {
      this.kernel.match(job, 0, blocks, table);
    }
    this.matches++;
    this.matchMs += this.note(p, t0);
  }

  // pace returns the record of the calls of kind with about work units of work (a product's
  // multiply-adds, a batch's steps × bytes, a matching's values), with this call's work.
  pace(kind, work) {
    const key = kind * 64 + Math.min(63, Math.floor(Math.log2(Math.max(1, work))));
    let p = this.paces.get(key);
    if (!p) {
      p = {shared: new Pace(), alone: new Pace(), calls: 0, probed: -Infinity, work: 0, share: false};
      this.paces.set(key, p);
    }
    p.work = work;
    return p;
  }

  // sharing says whether the call p describes is shared, and notes it in p: never before every
  // worker takes pieces; then the faster way of its class (sharing while either pace is unknown)
  // or, to measure, the other way.
  sharing(p) {
    if (!this.started) return (p.share = false);
    const now = performance.now();
    if (this.alwaysShare) {
      p.share = true;
    } else if (!(p.shared.median > 0 && p.alone.median > 0) || p.shared.median <= p.alone.median) {
      p.share = ++p.calls % PROBE !== 0;
    } else {
      const awake = now - this.lastShared < SPIN_MS;
      p.share = now - p.probed >= PROBE_MS && (awake || now - this.lastWake >= PROBE_MS);
      if (p.share) {
        p.probed = now;
        if (!awake) this.lastWake = now;
      }
    }
    if (!p.share) this.alone++;
    return p.share;
  }

  // note adds the call p describes, which began at t0, to its class's paces (once the pool runs)
  // and returns how long it took.
  note(p, t0) {
    const t1 = performance.now();
    if (this.started) (p.share ? p.shared : p.alone).add((t1 - t0) / Math.max(1, p.work));
    if (p.share) this.lastShared = t1;
    return t1 - t0;
  }

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
    TexsynthPool.take(ctl, gen, this.kernel, 0);
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(ctl, FINISHED) < pieces && performance.now() < until);
    for (let f; (f = Atomics.load(ctl, FINISHED)) < pieces;) {
      Atomics.store(ctl, CALLER_WAITS, 1);
      if (Atomics.load(ctl, FINISHED) === f) Atomics.wait(ctl, FINISHED, f);
      Atomics.store(ctl, CALLER_WAITS, 0);
    }
    Atomics.store(ctl, NEXT, tag(gen) | CLOSED);
  }

  terminate() {
    for (const w of this.workers) if (w) w.terminate();
  }
}

// Pace is the median of the last PACES times per unit of work of a class of calls done one way;
// it allocates nothing per call (there are thousands of calls per evaluation).
class Pace {
  constructor() {
    this.last = new Float64Array(PACES); // a ring, the oldest at next once full
    this.sorted = new Float64Array(PACES);
    this.count = 0;
    this.next = 0;
    this.median = 0;
  }

  add(v) {
    this.last[this.next] = v;
    this.next = (this.next + 1) % PACES;
    this.count = Math.min(this.count + 1, PACES);
    const full = this.count === PACES;
    const sorted = full ? this.sorted : this.sorted.subarray(0, this.count);
    sorted.set(full ? this.last : this.last.subarray(0, this.count));
    sorted.sort();
    this.median = sorted[this.count >> 1];
  }
}

// take computes pieces of job gen until there are none left (or the job is no longer gen);
// kernel is the kernel instance's exports, index the thread's number (the caller's 0). Each piece
// is taken with a NEXT read after the operands were: a job still open then (its tag, not CLOSED)
// had these operands.
TexsynthPool.take = function (ctl, gen, kernel, index) {
  const arg = (i) => Atomics.load(ctl, i);
  const kind = arg(KIND), gemm = kind === GEMM, match = kind === MATCH;
  // A product's pieces are blocks of rows; a batch's, ranges of every vector's columns; a
  // matching's, blocks of columns, taken only by a thread with scratch.
  const c = arg(C), a = arg(A), lda = arg(LDA), b = arg(B), k = arg(K), n = arg(N), m = arg(M), rows = arg(ROWS);
  const ops = arg(OPS), count = arg(COUNT), bytes = arg(BYTES), width = arg(WIDTH);
  const job = arg(JOB), table = arg(TABLE);
  if (match && index >= arg(SCRATCHES)) return;
  const pieces = gemm ? Math.ceil(m / rows) : match ? arg(BLOCKS) : Math.ceil(bytes / width);
  for (;;) {
    const v = Atomics.load(ctl, NEXT);
    if ((v & ~0xffff) !== tag(gen) || (v & 0xffff) >= pieces) return;
    if (Atomics.compareExchange(ctl, NEXT, v, v + 1) !== v) continue;
    const p = v & 0xffff;
    if (gemm) {
      const r0 = p * rows;
      kernel.gemm(c + 4 * r0 * n, Math.min(rows, m - r0), a + 4 * r0 * lda, lda, b, k, n);
    } else if (match) {
      kernel.match(job, p, p + 1, table + SCRATCH_BYTES * index);
    } else {
      kernel.mix(ops, count, p * width, Math.min(bytes, (p + 1) * width));
    }
    Atomics.add(ctl, FINISHED, 1);
    if (Atomics.load(ctl, CALLER_WAITS)) Atomics.notify(ctl, FINISHED);
  }
};

// run is a worker's life (pool-worker.js), thread index of the pool: wait for a job, take its
// pieces, wait again. The operands take reads are the job's: a piece of job gen can be taken
// only while the job is unfinished, and the next job's operands are written only after it is
// finished.
TexsynthPool.run = function (ctl, kernel, index) {
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
    TexsynthPool.take(ctl, gen, kernel, index);
  }
};

// NOT_STARTED is what a worker says when ready gave up.
TexsynthPool.NOT_STARTED = `the worker pool did not start in ${START_MS / 1000} s`;

if (typeof module === 'object' && module.exports) module.exports = {TexsynthPool};
else globalThis.TexsynthPool = TexsynthPool;
