// Runs the page's worker (worker.js) inside a Node worker thread: `self`, postMessage,
// onmessage, importScripts and fetch as a browser's Web Worker has them, over the files of a
// built site directory (workerData.dir). Tests drive the same message API the page uses. With
// workerData.cores, the worker is as in a cross-origin isolated page on a machine of that many
// cores (crossOriginIsolated, navigator.hardwareConcurrency, and Worker for its pool, pool.js),
// and workerData.threads is its address's ?threads=N.
'use strict';
const {parentPort, workerData} = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const {pathToFileURL, fileURLToPath} = require('node:url');

const dir = path.resolve(workerData.dir);
globalThis.self = globalThis;
self.location = {href: pathToFileURL(path.join(dir, 'worker.js')).href + (workerData.threads ? `?threads=${workerData.threads}` : '')};
self.postMessage = (msg, transfer) => parentPort.postMessage(msg, transfer);
self.importScripts = (...urls) => {
  for (const u of urls) vm.runInThisContext(fs.readFileSync(fileURLToPath(u), 'utf8'), {filename: u});
};
self.fetch = async (url) => {
  const file = fileURLToPath(url);
  if (!fs.existsSync(file)) return new Response('not found', {status: 404});
  return new Response(fs.readFileSync(file), {headers: {'content-type': 'application/wasm'}});
};
if (workerData.cores) {
  self.crossOriginIsolated = true;
  self.navigator = {hardwareConcurrency: workerData.cores};
  self.Worker = function (url) {
    const w = new (require('node:worker_threads').Worker)(new URL(url));
    w.unref();
    return w;
  };
}
parentPort.on('message', (data) => self.onmessage && self.onmessage({data}));
self.importScripts(self.location.href);
