// Offline use: registers the service worker (sw.js) in a deployed build and says, in a line at
// the foot of the page, whether the page works offline yet. In build/site (no VERSION, see
// assets.js) nothing is registered, as files there change under their names with every build;
// a worker that a deployed build left on the same address is removed, so it cannot serve stale
// files.

import {VERSION} from './assets.js';

const line = document.getElementById('offline');

function say(text, state) {
  line.textContent = text;
  line.dataset.state = state;
  line.hidden = false;
}

// activeVersion asks the active worker which version it has stored, once it has finished
// activating (and so deleted the older versions' caches).
async function activeVersion(worker) {
  if (worker.state === 'activating') {
    await new Promise((resolve) => worker.addEventListener('statechange', resolve, {once: true}));
  }
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => resolve(e.data.version);
    worker.postMessage({type: 'version'}, [channel.port2]);
  });
}

async function setup() {
  const sw = navigator.serviceWorker;
  if (!VERSION) {
    if (sw) {
      for (const r of await sw.getRegistrations()) {
        if (r.scope === new URL('./', location.href).href) await r.unregister();
      }
    }
    return;
  }
  if (!sw) {
    say('Offline use is not available here (it needs https, or localhost).', 'unavailable');
    return;
  }
  say('Saving the page for offline use…', 'saving');
  // A new deployment's worker can take over at any moment, even while the page asks the one
  // before for its version: listen before registering, and let only the latest answer through.
  let asked = 0;
  const show = async (worker, text) => {
    const mine = ++asked;
    const v = await activeVersion(worker);
    if (mine !== asked) return;
    line.dataset.version = v;
    say(text, 'ready');
  };
  sw.addEventListener('controllerchange', () => {
    if (sw.controller) show(sw.controller, 'Works offline: the newest version is saved in this browser.');
  });
  try {
    await sw.register('sw.js', {scope: './'});
    const reg = await sw.ready;
    await show(reg.active, 'Works offline: the page and its engine are saved in this browser.');
  } catch (e) {
    say(`Not saved for offline use: ${e.message}`, 'failed');
  }
}

setup();
