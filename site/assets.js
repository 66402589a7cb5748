// The deployed build's names for its large files, and its version. tools/dist writes both into
// the copy of this file in build/dist (docs/deploy.md): there texsynth.wasm, wasm_exec.js and the
// weights carry their content hash in their names so they can be cached for a year. In build/site,
// the development build, both stay empty: every file has its plain name and the page registers
// no service worker (offline.js).
export const VERSION = '';
export const ASSETS = {};

// assetURL maps the address of one of the site's files, given by its plain name (as in
// ?weights=weights/vgg16-random.q8, which is how links name it), to its name in this build.
export function assetURL(url) {
  const base = new URL('./', location.href);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return url;
  const hashed = ASSETS[decodeURIComponent(url.pathname.slice(base.pathname.length))];
  return hashed ? new URL(hashed, base) : url;
}
