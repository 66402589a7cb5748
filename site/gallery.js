// The last runs, kept in this browser (IndexedDB) across reloads: the texture as a PNG, a
// thumbnail, the settings (and the link that replays them), and the exemplar, so a run can be
// reopened, downloaded or deleted. Nothing leaves the browser.

const DB = 'texsynth';
const STORE = 'runs';
export const KEEP = 12;

function open() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, {keyPath: 'id', autoIncrement: true});
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function tx(db, mode, f) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const out = f(t.objectStore(STORE));
    t.oncomplete = () => resolve(out && 'result' in out ? out.result : undefined);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('storage refused'));
  });
}

export class Gallery {
  constructor() {
    this.db = typeof indexedDB === 'undefined' ? Promise.reject(new Error('no IndexedDB')) : open();
    this.db.catch(() => {}); // a private window may refuse storage: the gallery is then empty
  }

  // add keeps a run ({png, thumb, exemplar: Blobs, and its description}); the oldest beyond KEEP go.
  async add(entry) {
    const db = await this.db;
    const id = await tx(db, 'readwrite', (s) => s.add({...entry, when: Date.now()}));
    const all = await this.list();
    for (const old of all.slice(KEEP)) await this.remove(old.id);
    return id;
  }

  // list returns the runs, newest first.
  async list() {
    let db;
    try { db = await this.db; } catch (e) { return []; }
    const all = await tx(db, 'readonly', (s) => s.getAll());
    return all.sort((a, b) => b.when - a.when);
  }

  async get(id) {
    const db = await this.db;
    return tx(db, 'readonly', (s) => s.get(id));
  }

  async remove(id) {
    const db = await this.db;
    return tx(db, 'readwrite', (s) => s.delete(id));
  }
}

// thumbnail scales a canvas's picture to at most side pixels as a PNG Blob.
export function thumbnail(source, side = 96) {
  const k = Math.min(1, side / Math.max(source.width, source.height));
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(source.width * k));
  c.height = Math.max(1, Math.round(source.height * k));
  const g = c.getContext('2d');
  g.imageSmoothingEnabled = k < 1;
  g.drawImage(source, 0, 0, c.width, c.height);
  return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
}

// blobToImageData decodes a PNG Blob back to pixels.
export async function blobToImageData(blob) {
  const bmp = await createImageBitmap(blob);
  const c = document.createElement('canvas');
  c.width = bmp.width;
  c.height = bmp.height;
  const g = c.getContext('2d', {willReadFrequently: true});
  g.drawImage(bmp, 0, 0);
  return g.getImageData(0, 0, c.width, c.height);
}

// ago says how long ago a time was, roughly.
export function ago(ms) {
  const s = (Date.now() - ms) / 1000;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}
