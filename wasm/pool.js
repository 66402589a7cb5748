// texsynth's worker pool: the SIMD product kernel (core/gemm) on several threads.
//
// Go's WebAssembly memory cannot be shared between threads, so the pool has its own memory, a
// WebAssembly.Memory over a SharedArrayBuffer, on which every pool thread (pool-worker.js) and
// the Go worker itself instantiate the same kernel module (built by the Go program:
// core/gemm/pool_js.go). A product c += a·B is copied in (a's rows, c, and B unless the pool
// still holds that Packed's content), its rows split into one share per thread, the workers woken
// through a control array (Atomics.notify), this thread's share computed here, and then this
// thread waits (Atomics.wait, which workers may do) for the others before copying c back. The
// Go program sees one synchronous call.
//
// It needs SharedArrayBuffer, so a cross-origin isolated page (COOP same-origin + COEP
// require-corp, docs/deploy.md); worker.js creates it only there, and in Node wasm/memory.cjs
// does with TEXSYNTH_POOL=N (the tests). Loaded with importScripts or require.
'use strict';

// The control array (Int32Array over its own SharedArrayBuffer): GEN counts the jobs posted,
// DONE the workers that finished the current one, READY the workers that can take one; then the
// job's shared operands and, per thread, its share.
const GEN = 0, DONE = 1, READY = 2, LDA = 3, B = 4, K = 5, N = 6, SHARE = 8, SHARE_LEN = 3;
const PAGE = 65536;
const MAX_PAGES = 16384; // 1 GiB: a shared memory reserves its maximum up front

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
  // machine has cores (at most 8), or as the worker's address asks (?threads=N; 1 turns the pool
  // off). It resolves to {threads, why}: why says, when there is one thread, why.
  static async inWorker(scope, base) {
    const why = TexsynthPool.why(scope);
    if (why) return {threads: 1, why};
    const asked = Number(new URL(scope.location.href).searchParams.get('threads'));
    const cores = (scope.navigator && scope.navigator.hardwareConcurrency) || 1;
    const threads = Math.min(asked >= 1 ? Math.floor(asked) : cores, 8);
    if (threads < 2) return {threads: 1, why: asked >= 1 ? 'one thread was asked for' : 'this machine reports one core'};
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
    this.ctl = new Int32Array(new SharedArrayBuffer(4 * (SHARE + SHARE_LEN * threads)));
    this.memory = new WebAssembly.Memory({initial: 16, maximum: MAX_PAGES, shared: true});
    this.kernel = null;
    this.scratch = 0;        // bytes at the start of the memory for a and c
    this.cache = new Map();  // B's address in Go's memory → {id, at, bytes}: B copied earlier
    this.top = 0;            // the end of the cached B's
    this.cacheBytes = 512 << 20; // at most this much B is kept; beyond, the cache starts again
    this.calls = 0;
    this.gemm = this.gemm.bind(this);
  }

  // start instantiates the kernel module (bytes from Go) here and in every worker; it returns the
  // number of threads a product is split over.
  start(bytes) {
    const module = new WebAssembly.Module(bytes);
    this.kernel = new WebAssembly.Instance(module, {env: {mem: this.memory}}).exports.gemm;
    this.workers.forEach((w, i) => w.postMessage({type: 'start', module, memory: this.memory, ctl: this.ctl, index: i + 1}));
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
  // memory, copying it there unless it already is (the network's kernels are copied once).
  place(go, b, bytes, id) {
    let e = this.cache.get(b);
    if (e && e.id === id && e.bytes === bytes) return e.at;
    if (!e || e.room < bytes) {
      if (this.top + bytes - this.scratch > this.cacheBytes) {
        this.cache.clear();
        this.top = this.scratch;
      }
      e = {at: this.top, room: bytes};
      this.reserve(this.top + bytes);
      this.top += bytes;
      this.cache.set(b, e);
    }
    e.id = id;
    e.bytes = bytes;
    new Uint8Array(this.memory.buffer, e.at, bytes).set(go.subarray(b, b + bytes));
    return e.at;
  }

  // gemm is the kernel's call, gemm(c, m, a, lda, b, k, n) with addresses in Go's memory (see
  // core/gemm/simd_js.go), plus id, the content id of B (Packed.identity). It returns false,
  // having changed nothing, when the pool's memory cannot grow to hold the product: the Go
  // program then runs it on its own thread.
  gemm(c, m, a, lda, b, k, n, id) {
    try {
      this.product(c >>> 0, m, a >>> 0, lda, b >>> 0, k, n, id);
      return true;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.cache.clear();
      this.top = this.scratch = 0;
      return false;
    }
  }

  product(c, m, a, lda, b, k, n, id) {
    const go = new Uint8Array(globalThis.texsynthMemory.buffer);
    const aBytes = 4 * ((m - 1) * lda + k), cBytes = 4 * m * n, bBytes = 4 * k * n;
    const need = aBytes + cBytes;
    if (need > this.scratch) {
      // More room at the start for a and c: the cached B's after it are dropped.
      this.scratch = Math.ceil(need / PAGE) * PAGE;
      this.cache.clear();
      this.top = this.scratch;
      this.reserve(this.scratch);
    }
    const bAt = this.place(go, b, bBytes, id);
    const aAt = 0, cAt = aBytes;
    let mem = new Uint8Array(this.memory.buffer);
    mem.set(go.subarray(a, a + aBytes), aAt);
    mem.set(go.subarray(c, c + cBytes), cAt);
    // Shares of whole 4-row blocks (the kernel's), as even as they come; a thread without
    // a share is still woken and reports done.
    const ready = Atomics.load(this.ctl, READY);
    const threads = ready === this.threads - 1 ? Math.min(this.threads, Math.ceil(m / 4)) : 1;
    const blocks = Math.ceil(m / 4);
    const shares = [];
    for (let t = 0, r0 = 0; t < threads; t++) {
      const r1 = Math.min(m, 4 * Math.round((blocks * (t + 1)) / threads));
      shares.push([r0, r1]);
      r0 = r1;
    }
    if (threads > 1) {
      const ctl = this.ctl;
      ctl[LDA] = lda; ctl[B] = bAt; ctl[K] = k; ctl[N] = n;
      for (let t = 1; t < this.threads; t++) {
        const [r0, r1] = shares[t] || [0, 0];
        ctl[SHARE + SHARE_LEN * t] = cAt + 4 * r0 * n;
        ctl[SHARE + SHARE_LEN * t + 1] = r1 - r0;
        ctl[SHARE + SHARE_LEN * t + 2] = aAt + 4 * r0 * lda;
      }
      Atomics.store(ctl, DONE, 0);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
    }
    const [r0, r1] = shares[0];
    if (r1 > r0) this.kernel(cAt + 4 * r0 * n, r1 - r0, aAt + 4 * r0 * lda, lda, bAt, k, n);
    if (threads > 1) {
      for (let d; (d = Atomics.load(this.ctl, DONE)) < this.threads - 1;) Atomics.wait(this.ctl, DONE, d);
    }
    mem = new Uint8Array(this.memory.buffer);
    new Uint8Array(globalThis.texsynthMemory.buffer).set(mem.subarray(cAt, cAt + cBytes), c);
    this.calls++;
  }

  terminate() {
    for (const w of this.workers) if (w) w.terminate();
  }
}

// The worker's side, in pool-worker.js: run(ctl, index, kernel) takes jobs for ever.
TexsynthPool.run = function (ctl, index, kernel) {
  let gen = Atomics.load(ctl, GEN);
  Atomics.add(ctl, READY, 1);
  for (;;) {
    Atomics.wait(ctl, GEN, gen);
    gen = Atomics.load(ctl, GEN);
    const s = SHARE + SHARE_LEN * index;
    if (ctl[s + 1] > 0) kernel(ctl[s], ctl[s + 1], ctl[s + 2], ctl[LDA], ctl[B], ctl[K], ctl[N]);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
};

if (typeof module === 'object' && module.exports) module.exports = {TexsynthPool};
else globalThis.TexsynthPool = TexsynthPool;
