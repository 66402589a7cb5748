// How many threads the engine uses, and making the page cross-origin isolated so that it may use
// more than one. The worker shares its products with a pool of workers (wasm/pool.js) only in a
// cross-origin isolated page: a host that sends COOP and COEP (tools/serve, _headers,
// docs/deploy.md) makes it so at once; elsewhere (GitHub Pages) the service worker adds the
// headers (sw.js), and they count from the next load, so the page reloads itself once when that
// worker first takes control, unless a run was started (nothing the person made is lost: a
// line says a reload would use every core). sessionStorage keeps it to one reload; isolate=off
// in the address's query opts out.

const RELOADED = 'texsynth-isolation-reload';

const optedOut = () => new URL(location.href).searchParams.get('isolate') === 'off';
const framed = () => {
  try {
    return window.top !== window;
  } catch {
    return true;
  }
};

// whyNotIsolated says, in the page's words, why it is not cross-origin isolated ('' if it is).
export function whyNotIsolated() {
  if (self.crossOriginIsolated) return '';
  if (optedOut()) return 'isolate=off in its address turns that off';
  if (framed()) return 'it is framed by another page, which would have to be isolated and allow it';
  const sw = navigator.serviceWorker;
  if (!sw) return 'the server sends no COOP/COEP headers, and service workers are not available here';
  if (!sw.controller) return 'the server sends no COOP/COEP headers (a deployed copy adds them itself from its second load)';
  return 'the server sends no COOP/COEP headers and the service worker could not add them';
}

// threadsLine is what the page says about the wasm engine's threads: "wasm SIMD, N threads" or
// why one, and the kernels if given.
export function threadsLine({threads, why}, kernel) {
  const k = kernel ? ` Kernels: ${kernel}.` : '';
  if (threads > 1) return `wasm SIMD, ${threads} threads.${k}`;
  const reason = whyNotIsolated();
  return `wasm SIMD, 1 thread (${reason ? 'this page is not cross-origin isolated: ' + reason : why || 'one thread'}).${k}`;
}

// isolateOnce reloads the page once when the service worker takes control of a page that is not
// isolated, if idle() says nothing would be lost; otherwise it calls later(), for the page to say
// that a reload would use more threads.
export function isolateOnce(idle, later) {
  const sw = navigator.serviceWorker;
  if (!sw || self.crossOriginIsolated || optedOut() || framed()) return;
  const take = () => {
    if (!sw.controller || self.crossOriginIsolated) return;
    if (sessionStorage.getItem(RELOADED)) return; // reloaded once already: not again
    if (!idle()) {
      later();
      return;
    }
    sessionStorage.setItem(RELOADED, '1');
    location.reload();
  };
  sw.addEventListener('controllerchange', take);
  if (sw.controller) take();
}
