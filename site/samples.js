// Sample exemplars drawn by code, so a fresh clone needs no image files. Each is drawn from a
// fixed seed at `side` pixels and returned as opaque RGBA, like a decoded file.

function rng(seed) { // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hsl = (h, s, l) => `hsl(${h} ${s}% ${l}%)`;

// grain adds seeded per-pixel noise of amplitude amp (0–255) to the canvas.
function grain(g, side, r, amp) {
  const img = g.getImageData(0, 0, side, side);
  for (let i = 0; i < img.data.length; i += 4) {
    const n = (r() - 0.5) * amp;
    img.data[i] += n; img.data[i + 1] += n; img.data[i + 2] += n;
  }
  g.putImageData(img, 0, 0);
}

const DRAW = {
  bricks(g, s, r) {
    g.fillStyle = '#b9b2a6';
    g.fillRect(0, 0, s, s);
    const bh = s / 8, bw = s / 4, m = Math.max(1, s / 64);
    for (let row = 0; row < 8; row++) {
      const off = row % 2 ? bw / 2 : 0;
      for (let col = -1; col < 5; col++) {
        g.fillStyle = hsl(8 + r() * 14, 45 + r() * 20, 30 + r() * 14);
        g.fillRect(col * bw + off + m, row * bh + m, bw - 2 * m, bh - 2 * m);
      }
    }
    grain(g, s, r, 36);
  },
  pebbles(g, s, r) {
    g.fillStyle = '#3b3530';
    g.fillRect(0, 0, s, s);
    for (let i = 0; i < 170; i++) {
      const x = r() * s, y = r() * s, rad = s * (0.025 + r() * 0.045);
      const l = 40 + r() * 35;
      const grad = g.createRadialGradient(x - rad * 0.3, y - rad * 0.3, rad * 0.1, x, y, rad);
      grad.addColorStop(0, hsl(25 + r() * 20, 15 + r() * 20, l + 12));
      grad.addColorStop(1, hsl(25 + r() * 20, 12, l - 18));
      g.fillStyle = grad;
      g.beginPath();
      g.ellipse(x, y, rad, rad * (0.65 + r() * 0.3), r() * Math.PI, 0, 2 * Math.PI);
      g.fill();
    }
    grain(g, s, r, 20);
  },
  waves(g, s, r) {
    const img = g.createImageData(s, s);
    const p = [r() * 6, r() * 6, r() * 6];
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const u = x / s, v = y / s;
        const w = Math.sin(2 * Math.PI * (6 * v + 0.6 * Math.sin(2 * Math.PI * (2 * u + p[0])) + 0.15 * Math.sin(2 * Math.PI * 9 * u + p[1])));
        const t = 0.5 + 0.5 * w;
        const i = 4 * (y * s + x);
        img.data[i] = 20 + 60 * t + 20 * Math.sin(p[2] + 7 * u);
        img.data[i + 1] = 90 + 110 * t;
        img.data[i + 2] = 130 + 120 * t;
        img.data[i + 3] = 255;
      }
    }
    g.putImageData(img, 0, 0);
    grain(g, s, r, 18);
  },
  tiles(g, s, r) {
    g.fillStyle = '#e8e1d3';
    g.fillRect(0, 0, s, s);
    const n = 6, t = s / n, m = Math.max(1, s / 80);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const hue = (x + y) % 2 ? 205 : 38;
        g.fillStyle = hsl(hue + r() * 16, 40 + r() * 20, 42 + r() * 14);
        g.fillRect(x * t + m, y * t + m, t - 2 * m, t - 2 * m);
        g.fillStyle = 'rgba(255,255,255,0.25)';
        g.beginPath();
        g.arc(x * t + t / 2, y * t + t / 2, t * 0.22, 0, 2 * Math.PI);
        g.fill();
      }
    }
    grain(g, s, r, 14);
  },
  // scene is not a texture (the seed's Q2): sky, sun, hills and a house.
  scene(g, s, r) {
    const sky = g.createLinearGradient(0, 0, 0, s);
    sky.addColorStop(0, '#5b9bd5');
    sky.addColorStop(0.6, '#cfe6f7');
    g.fillStyle = sky;
    g.fillRect(0, 0, s, s);
    g.fillStyle = '#ffd34d';
    g.beginPath();
    g.arc(s * 0.78, s * 0.2, s * 0.09, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = '#4f8a3c';
    g.beginPath();
    g.moveTo(0, s * 0.7);
    g.quadraticCurveTo(s * 0.3, s * 0.52, s * 0.6, s * 0.68);
    g.quadraticCurveTo(s * 0.85, s * 0.78, s, s * 0.64);
    g.lineTo(s, s);
    g.lineTo(0, s);
    g.fill();
    g.fillStyle = '#c44536';
    g.fillRect(s * 0.2, s * 0.52, s * 0.26, s * 0.2);
    g.fillStyle = '#6b2d26';
    g.beginPath();
    g.moveTo(s * 0.17, s * 0.53);
    g.lineTo(s * 0.33, s * 0.4);
    g.lineTo(s * 0.49, s * 0.53);
    g.fill();
    g.fillStyle = '#fbe7a1';
    g.fillRect(s * 0.25, s * 0.57, s * 0.06, s * 0.06);
    g.fillStyle = '#3d2b1f';
    g.fillRect(s * 0.36, s * 0.6, s * 0.06, s * 0.12);
    grain(g, s, r, 10);
  },
};

export const SAMPLES = Object.keys(DRAW);
const SEEDS = {bricks: 11, pebbles: 23, waves: 37, tiles: 41, scene: 53};

// drawSample returns {rgba, width, height, name} for a sample.
export function drawSample(name, side = 256) {
  const c = document.createElement('canvas');
  c.width = c.height = side;
  const g = c.getContext('2d', {willReadFrequently: true});
  DRAW[name](g, side, rng(SEEDS[name]));
  const img = g.getImageData(0, 0, side, side);
  return {rgba: img.data, width: side, height: side, name};
}
