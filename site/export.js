// Exporting a texture: PNG at exactly the size it was made, or tiled 2 × 2 / 3 × 3 (a tileable
// texture shows no seams), WebP or JPEG with a quality, to a file or the clipboard.

const EXT = {'image/png': 'png', 'image/webp': 'webp', 'image/jpeg': 'jpg'};

// render returns the image (ImageData) tiled n × n as a Blob of the given type.
export function render(image, {type = 'image/png', quality = 0.9, tiles = 1} = {}) {
  const one = document.createElement('canvas');
  one.width = image.width;
  one.height = image.height;
  one.getContext('2d').putImageData(image, 0, 0);
  const c = document.createElement('canvas');
  c.width = image.width * tiles;
  c.height = image.height * tiles;
  const g = c.getContext('2d');
  for (let y = 0; y < tiles; y++) for (let x = 0; x < tiles; x++) g.drawImage(one, x * image.width, y * image.height);
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error(`this browser cannot write ${type}`))),
    type, type === 'image/png' ? undefined : quality));
}

// fileName says what the file holds: texsynth-bricks-sw-128px-seed1-it100[-3x3].png.
export function fileName(what, {type = 'image/png', tiles = 1} = {}) {
  const tiled = tiles > 1 ? `-${tiles}x${tiles}` : '';
  const safe = String(what.name || 'picture').replace(/^sample "(.*)"$/, '$1').replace(/\.[a-z0-9]+$/i, '').replace(/[^\w-]+/g, '_').slice(0, 40);
  return `texsynth-${safe}-${what.loss}-${what.width}px-seed${what.seed}-it${what.iter}${tiled}.${EXT[type]}`;
}

// save offers a Blob as a download.
export function save(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// copy puts a PNG on the clipboard; browsers take PNG only.
export async function copy(blob) {
  if (!navigator.clipboard || typeof ClipboardItem === 'undefined') throw new Error('this browser does not let pages copy pictures');
  await navigator.clipboard.write([new ClipboardItem({'image/png': blob})]);
}
