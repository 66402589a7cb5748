// texsynth's worker pool: the SIMD product kernel (core/gemm) on several threads.
//
// Go's WebAssembly memory cannot be shared between threads, so the pool has its own memory, a
// WebAssembly.Memory over a SharedArrayBuffer, on which every pool thread (pool-worker.js) and
// the Go worker itself instantiate the same kernel module (built by the Go program:
// core/gemm/pool_js.go). A product c += a·B is copied in (a's rows, c, and B unless the pool
// still holds that Packed's content), its rows cut into pieces (a few per thread), the workers
// woken through a control array (Atomics.notify), and every thread, this one too, takes pieces
// until none is left; then this thread waits (Atomics.wait, which workers may do) for the pieces
// still being computed and copies c back. The Go program sees one synchronous call. Taking
// pieces rather than a fixed share each keeps a worker the system has descheduled (a loaded
// machine) from holding the product up: the others take its pieces.
//
// It needs SharedArrayBuffer, so a cross-origin isolated page (COOP same-origin + COEP
// require-corp, docs/deploy.md); worker.js creates it only there, and in Node wasm/memory.cjs
// does with TEXSYNTH_POOL=N (the tests). Loaded with importScripts or require.
'use strict';

// The control array (Int32Array over its own SharedArrayBuffer): GEN counts the jobs posted;
// NEXT is the next piece to take, tagged with the job's GEN (tag << 16 | piece) so that a worker
// that woke late can never take a piece of a later job with the earlier job's operands; FINISHED
// counts the pieces done; READY the workers that can take pieces; then the job's operands: c, a
// (pool addresses), lda, b, k, n, m and the rows per piece.
// MIN_CORES is the fewest cores on which the pool starts unasked: on the 2-core development
// machine, quiet, one evaluation at 128 px in Chromium took 712 ms on two threads against 582 ms
// on one, and more memory (docs/performance.md); the products are about half an evaluation, and
// with more cores their share splits further.
const MIN_CORES = 4;
const GEN = 0, NEXT = 1, FINISHED = 2, READY = 3, C = 4, A = 5, LDA = 6, B = 7, K = 8, N = 9, M = 10, ROWS = 11;
// SLEEPING counts the workers blocked in Atomics.wait, CALLER_WAITS is 1 while the caller is:
// waking a thread costs a system call (a third of a millisecond on a loaded machine, measured),
// so it is done only for a thread that sleeps; a worker first polls for the next job for SPIN_MS
// (products come back to back within a layer), the caller for the last pieces.
const SLEEPING = 12, CALLER_WAITS = 13, CTL = 14;
const SPIN_MS = 1;
const tag = (gen) => (gen & 0x7fff) << 16;
const PAGE = 65536;
const MAX_PAGES = 16384; // 1 GiB: a shared memory reserves its maximum up front
// The pool's memory is at most CACHE_BYTES of B's (the network's transformed kernels at the
// default layers take 206 MB) and SCRATCH_BYTES of a's and c's rows.
const CACHE_BYTES = 256 << 20, SCRATCH_BYTES = 32 << 20;
const MAX_BYTES = CACHE_BYTES + SCRATCH_BYTES + (1 << 20);

class TexsynthPool {
  // create starts threads-1 workers from workerURL (the calling thread is the last) and resolves
  // when each has loaded; spawn(url) makes a worker (a Web Worker, or Node's worker_threads).
  static async create(threads, workerURL, spawn = (u) => new Worker(u)) {
    const pool = new TexsynthPool(threads);
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

  // inWorker starts the pool for a worker that is about to run the Go program (worker.js,
  // site/bench-worker.js) and hands it over as scope.texsynthPool: as many threads as the
  // machine has cores (at most 8) when it has at least MIN_CORES, or as the worker's address asks
  // (?threads=N; 1 turns the pool off). It resolves to {threads, why}: why says, when there is
  // one thread, why.
  static async inWorker(scope, base) {
    const why = TexsynthPool.why(scope);
    if (why) return {threads: 1, why};
    const asked = Number(new URL(scope.location.href).searchParams.get('threads'));
    const cores = (scope.navigator && scope.navigator.hardwareConcurrency) || 1;
    if (!(asked >= 1) && cores < MIN_CORES) {
      return {threads: 1, why: `this machine reports ${cores} core${cores === 1 ? '' : 's'}; on two, sharing the products measured slower than one thread (threads=${Math.max(cores, 2)} in the page's address asks for the pool)`};
    }
    const threads = Math.min(asked >= 1 ? Math.floor(asked) : cores, 8);
    if (threads < 2) return {threads: 1, why: 'one thread was asked for'};
    try {
      scope.texsynthPool = await TexsynthPool.create(threads, new URL('pool-worker.js', base).href);
      return {threads, why: ''};
    } catch (e) {
      return {threads: 1, why: 'the worker pool did not start: ' + (e && e.message ? e.message : e)};
    }
  }

  constructor(threads) {
    this.threads = threads;
    this.workers = new Array(threads - 1).fill(null);
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * CTL));
    this.memory = new WebAssembly.Memory({initial: 16, maximum: MAX_PAGES, shared: true});
    this.kernel = null;
    this.cache = new Map();  // B's address in Go's memory → {id, at, bytes, room}: B copied earlier
    this.top = 0;            // the end of the cached B's, from the memory's start
    this.scratchBytes = SCRATCH_BYTES;
    this.calls = 0;     // products taken, and the time they took: copying, and computing
    this.copyMs = 0;
    this.copied = 0;    // bytes copied in and out, of which B's (copied once while the cache keeps them)
    this.copiedB = 0;
    this.productMs = 0;
    this.gemm = this.gemm.bind(this);
  }

  // start instantiates the kernel module (bytes from Go) here and in every worker; it returns the
  // number of threads a product is split over.
  start(bytes) {
    const module = new WebAssembly.Module(bytes);
    this.kernel = new WebAssembly.Instance(module, {env: {mem: this.memory}}).exports.gemm;
    this.workers.forEach((w) => w.postMessage({type: 'start', module, memory: this.memory, ctl: this.ctl}));
    return this.threads;
  }

  // bytes is the memory the pool holds.
  get bytes() { return this.memory.buffer.byteLength; }

  // reserve makes the memory at least end bytes long.
  reserve(end) {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
  }

  // place returns where B (bytes long, at address b in Go's memory, content id) is in the pool's
  // memory, copying it there unless it already is (the network's kernels are copied once). The
  // cache holds at most CACHE_BYTES; past that it starts again.
  place(go, b, bytes, id) {
    let e = this.cache.get(b);
    if (e && e.id === id && e.bytes === bytes) return e.at;
    if (!e || e.room < bytes) {
      if (this.top + bytes > CACHE_BYTES) {
        this.cache.clear();
        this.top = 0;
      }
      e = {at: this.top, room: bytes};
      this.reserve(this.top + bytes);
      this.top += bytes;
      this.cache.set(b, e);
    }
    e.id = id;
    e.bytes = bytes;
    this.copiedB += bytes;
    new Uint8Array(this.memory.buffer, e.at, bytes).set(go.subarray(b, b + bytes));
    return e.at;
  }

  // gemm is the kernel's call, gemm(c, m, a, lda, b, k, n) with addresses in Go's memory (see
  // core/gemm/simd_js.go), plus id, the content id of B (Packed.identity). It returns false,
  // having changed nothing, when the pool's memory cannot grow to hold the product: the Go
  // program then runs it on its own thread.
  gemm(c, m, a, lda, b, k, n, id) {
    c >>>= 0; a >>>= 0; b >>>= 0;
    const go = new Uint8Array(globalThis.texsynthMemory.buffer);
    // Rows go through the pool SCRATCH_BYTES of a and c at a time, after the cached B's.
    const rows = Math.max(4, 4 * Math.floor(this.scratchBytes / (16 * (lda + n))));
    let bAt, scratch;
    try {
      bAt = this.place(go, b, 4 * k * n, id);
      scratch = Math.ceil(this.top / 64) * 64;
      this.reserve(scratch + 4 * (Math.min(rows, m) * (lda + n)));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.cache.clear();
      this.top = 0;
      return false;
    }
    for (let r0 = 0; r0 < m; r0 += rows) {
      this.block(go, c + 4 * r0 * n, Math.min(rows, m - r0), a + 4 * r0 * lda, lda, bAt, k, n, scratch);
    }
    return true;
  }

  // block is c += a·B for m rows of a and c in Go's memory (go), B at bAt in the pool's, through
  // the pool's memory at scratch.
  block(go, c, m, a, lda, bAt, k, n, scratch) {
    const t0 = performance.now();
    const aBytes = 4 * ((m - 1) * lda + k), cBytes = 4 * m * n;
    const aAt = scratch, cAt = scratch + aBytes;
    let mem = new Uint8Array(this.memory.buffer);
    mem.set(go.subarray(a, a + aBytes), aAt);
    mem.set(go.subarray(c, c + cBytes), cAt);
    // Pieces of whole 4-row blocks (the kernel's), about four per thread.
    const ctl = this.ctl;
    const pooled = Atomics.load(ctl, READY) === this.threads - 1;
    const rows = pooled ? 4 * Math.max(1, Math.ceil(m / (16 * this.threads))) : m;
    const pieces = Math.ceil(m / rows);
    ctl[C] = cAt; ctl[A] = aAt; ctl[LDA] = lda; ctl[B] = bAt; ctl[K] = k; ctl[N] = n; ctl[M] = m; ctl[ROWS] = rows;
    const gen = (ctl[GEN] + 1) & 0x7fffffff;
    Atomics.store(ctl, FINISHED, 0);
    Atomics.store(ctl, NEXT, tag(gen));
    Atomics.store(ctl, GEN, gen);
    if (pooled && pieces > 1 && Atomics.load(ctl, SLEEPING) > 0) Atomics.notify(ctl, GEN);
    const t1 = performance.now();
    TexsynthPool.take(ctl, gen, this.kernel);
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(ctl, FINISHED) < pieces && performance.now() < until);
    for (let f; (f = Atomics.load(ctl, FINISHED)) < pieces;) {
      Atomics.store(ctl, CALLER_WAITS, 1);
      if (Atomics.load(ctl, FINISHED) === f) Atomics.wait(ctl, FINISHED, f);
      Atomics.store(ctl, CALLER_WAITS, 0);
    }
    const t2 = performance.now();
    mem = new Uint8Array(this.memory.buffer);
    go.set(mem.subarray(cAt, cAt + cBytes), c);
    this.calls++;
    this.copied += aBytes + 2 * cBytes;
    this.copyMs += t1 - t0 + performance.now() - t2;
    this.productMs += t2 - t1;
  }

  terminate() {
    for (const w of this.workers) if (w) w.terminate();
  }
}

// take computes pieces of job gen until there are none left (or the job is no longer gen).
TexsynthPool.take = function (ctl, gen, kernel) {
  const c = ctl[C], a = ctl[A], lda = ctl[LDA], b = ctl[B], k = ctl[K], n = ctl[N], m = ctl[M], rows = ctl[ROWS];
  const pieces = Math.ceil(m / rows);
  for (;;) {
    const v = Atomics.load(ctl, NEXT);
    if ((v & ~0xffff) !== tag(gen) || (v & 0xffff) >= pieces) return;
    if (Atomics.compareExchange(ctl, NEXT, v, v + 1) !== v) continue;
    const r0 = (v & 0xffff) * rows;
    kernel(c + 4 * r0 * n, Math.min(rows, m - r0), a + 4 * r0 * lda, lda, b, k, n);
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

TexsynthPool.MAX_BYTES = MAX_BYTES;

if (typeof module === 'object' && module.exports) module.exports = {TexsynthPool};
else globalThis.TexsynthPool = TexsynthPool;
