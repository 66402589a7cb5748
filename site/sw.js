// texsynth's service worker: it keeps the page usable with the network off (docs/deploy.md).
//
// On the first visit it stores the app shell (the html, js and css, worker.js, wasm_exec.js,
// texsynth.wasm and the default network, weights/vgg19-conv3_4.q8: PRECACHE) in a cache named
// after the deployment's version; another weights file the page downloads (?weights=) is stored
// when fetched. Requests are answered:
// - files with a content hash in their name (texsynth.3fa9c1d2e4b5.wasm, the weights): from the
//   cache, else from the network (and then stored); they never change under their name;
// - everything else (pages, scripts, styles): from the network, so an online visit always gets
//   the newest deployment, and from the cache when the network fails.
// A new deployment has a new version, so a new sw.js: the browser installs it in the background,
// it takes over at once (skipWaiting, clients.claim; a page already open is not reloaded, so a
// running synthesis goes on), or at the next page opened where Chromium keeps the old worker for
// an open page's work, and deletes the caches of older versions. The page's own cache of
// picked weights ('texsynth-weights', app.js) is not one of them.
//
// It also makes the page cross-origin isolated where the host cannot send headers (GitHub
// Pages): every response it answers gets COOP same-origin and COEP require-corp (and the pages
// CORP cross-origin), the headers tools/serve and _headers send (tools/internal/web), which lets
// the page share its products between threads (wasm/pool.js). The page reloads once when this
// worker first takes control (isolate.js), since the headers count only from the next
// navigation; a navigation whose address has isolate=off in its query is left as the host sent it.
//
// tools/dist writes VERSION, PRECACHE and RUNTIME into the deployed copy. In build/site they keep
// the values below, and the page does not register this worker (offline.js).
'use strict';

const VERSION = 'dev';
const PRECACHE = [];
const RUNTIME = [];
const PREFIX = 'texsynth-v-';
const CACHE = PREFIX + VERSION;
const HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;
const MATCH = {ignoreVary: true};

const scope = self.registration.scope;
const absolute = (p) => new URL(p, scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(PRECACHE.map(async (p) => {
      const url = absolute(p);
      // A hashed file an older version already holds is copied, not downloaded again: when
      // only the html changed, the 11 MB wasm stays where it is.
      if (HASHED.test(p) && await copyFromOlder(cache, url)) return;
      const response = await fetch(url, {cache: 'no-cache'});
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      await cache.put(url, unredirected(response));
    }));
    // Weights stored by an older version stay stored if this version has the same file.
    await Promise.all(RUNTIME.map((p) => copyFromOlder(cache, absolute(p))));
    await self.skipWaiting();
  })());
});

// unredirected makes a response that came through a redirect (some hosts send /index.html to /
// and /embed.html to /embed) usable for a navigation: browsers refuse a redirected response there.
function unredirected(response) {
  if (!response.redirected) return response;
  return new Response(response.body, {status: response.status, statusText: response.statusText, headers: response.headers});
}

async function copyFromOlder(cache, url) {
  for (const key of await caches.keys()) {
    if (!key.startsWith(PREFIX) || key === CACHE) continue;
    const old = await (await caches.open(key)).match(url, MATCH);
    if (old) {
      await cache.put(url, old);
      return true;
    }
  }
  return false;
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'version' && event.ports[0]) {
    event.ports[0].postMessage({version: VERSION, cache: CACHE});
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || request.headers.has('range')) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !request.url.startsWith(scope)) return;
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  const plain = request.mode === 'navigate' && url.searchParams.get('isolate') === 'off';
  const answer = HASHED.test(url.pathname) ? cacheFirst(request) : networkFirst(request);
  event.respondWith(plain ? answer : answer.then(isolated));
});

// isolated is response with the cross-origin isolation headers added.
function isolated(response) {
  if (response.status === 0 || response.headers.get('cross-origin-embedder-policy')) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  if ((headers.get('content-type') || '').startsWith('text/html')) headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  return new Response(response.body, {status: response.status, statusText: response.statusText, headers});
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, MATCH);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.status === 200) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (e) {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(request, {...MATCH, ignoreSearch: true});
    if (hit) return hit;
    throw e;
  }
}
