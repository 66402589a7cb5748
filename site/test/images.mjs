// Small image files made in the tests, so no fixture is stored: PNG (opaque RGB, 8-bit) and
// GIF (4-colour palette, any number of frames).
import {deflateSync} from 'node:zlib';

const crcTable = Array.from({length: 256}, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
}

// png encodes a w×h picture whose pixel (x, y) is f(x, y) → [r, g, b].
export function png(w, h, f) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((3 * w + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(f(x, y), y * (3 * w + 1) + 1 + 3 * x);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// gif encodes frames (each f(x, y) → palette index 0–3) of a w×h animation with the palette
// [[r, g, b] × 4]. The LZW stream sends a clear code every two pixels, so every code is 3 bits:
// large, but valid and simple.
export function gif(w, h, palette, frames) {
  const le16 = (v) => [v & 0xff, v >> 8];
  const out = [...Buffer.from('GIF89a'), ...le16(w), ...le16(h), 0xf1, 0, 0, ...palette.flat()];
  for (const f of frames) {
    out.push(0x2c, ...le16(0), ...le16(0), ...le16(w), ...le16(h), 0, 2); // descriptor, min code size 2
    const codes = [];
    for (let i = 0; i < w * h; i++) {
      if (i % 2 === 0) codes.push(4); // clear
      codes.push(f(i % w, Math.floor(i / w)));
    }
    codes.push(5); // end of information
    const bytes = [];
    let acc = 0, n = 0;
    for (const c of codes) {
      acc |= c << n;
      n += 3;
      while (n >= 8) { bytes.push(acc & 0xff); acc >>= 8; n -= 8; }
    }
    if (n > 0) bytes.push(acc & 0xff);
    for (let i = 0; i < bytes.length; i += 255) {
      const block = bytes.slice(i, i + 255);
      out.push(block.length, ...block);
    }
    out.push(0);
  }
  out.push(0x3b);
  return Buffer.from(out);
}
