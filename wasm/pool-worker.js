// One thread of texsynth's worker pool (pool.js): it instantiates the SIMD kernels on the Go
// program's shared memory and then takes pieces of products, of transform batches and of matchings for as
// long as it lives, blocked in Atomics.wait between them. A Web Worker in the browser, a worker_threads Worker in Node.
'use strict';

(function () {
  const node = typeof self === 'undefined';
  const port = node ? require('node:worker_threads').parentPort : self;
  const {TexsynthPool} = node ? require('./pool.js') : (self.importScripts(new URL('pool.js', self.location.href).href), self);
  const onMessage = (f) => (node ? port.on('message', f) : port.addEventListener('message', (e) => f(e.data)));
  onMessage((m) => {
    if (!m || m.type !== 'start') return;
    const kernel = new WebAssembly.Instance(m.module, {env: {mem: m.memory}}).exports;
    TexsynthPool.run(m.ctl, kernel, m.index);
  });
  port.postMessage({type: 'loaded'});
})();
