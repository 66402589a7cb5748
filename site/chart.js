// A small loss curve on a canvas: log-scaled loss against iteration, with a dashed line where a
// coarse-to-fine level starts (the loss jumps there: the new level starts from the previous one
// scaled up, at a side with four times the positions).

export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.points = [];
    this.iters = 1;
    this.marks = []; // [iteration after which a level starts, its side]
    this.draw();
  }

  // reset starts a new curve; levels are the run's [{size, iters}], coarsest first.
  reset(iters, levels = []) {
    this.points = [];
    this.iters = Math.max(1, iters);
    this.marks = [];
    let end = 0;
    for (const l of levels.slice(0, -1)) this.marks.push([end += l.iters, levels[this.marks.length + 1].size]);
    this.draw();
  }

  // extend makes room for more iterations (a run continued).
  extend(iters) {
    this.iters = Math.max(this.iters, iters);
    this.draw();
  }

  add(iter, loss) {
    if (Number.isFinite(loss) && loss > 0) this.points.push([iter, loss]);
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth || 300;
    const h = c.clientHeight || 110;
    if (c.width !== Math.round(w * dpr)) c.width = Math.round(w * dpr);
    if (c.height !== Math.round(h * dpr)) c.height = Math.round(h * dpr);
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const css = getComputedStyle(c);
    const ink = css.getPropertyValue('--chart-ink').trim() || '#2563eb';
    const grid = css.getPropertyValue('--chart-grid').trim() || '#e5e7eb';
    const text = css.getPropertyValue('--chart-text').trim() || '#6b7280';
    const left = 44, right = 8, top = 8, bottom = 18;
    g.strokeStyle = grid;
    g.lineWidth = 1;
    g.strokeRect(left + 0.5, top + 0.5, w - left - right - 1, h - top - bottom - 1);
    g.fillStyle = text;
    g.font = '10px system-ui, sans-serif';
    g.textBaseline = 'alphabetic';
    g.fillText('iteration', w - right - 44, h - 5);
    g.fillText('1', left, h - 5);
    if (this.points.length === 0) {
      g.fillText('loss (log scale)', left + 8, top + 16);
      return;
    }
    const logs = this.points.map(([, l]) => Math.log10(l));
    let lo = Math.min(...logs), hi = Math.max(...logs);
    if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
    const x = (i) => left + ((i - 1) / Math.max(1, this.iters - 1)) * (w - left - right);
    const y = (v) => top + (1 - (v - lo) / (hi - lo)) * (h - top - bottom);
    g.save();
    g.setLineDash([3, 3]);
    g.strokeStyle = text;
    for (const [at, size] of this.marks) {
      const mx = Math.round(x(at + 0.5)) + 0.5;
      g.beginPath();
      g.moveTo(mx, top);
      g.lineTo(mx, h - bottom);
      g.stroke();
      g.fillText(`${size} px`, mx + 3, top + 9);
    }
    g.restore();
    g.fillText(fmt(10 ** hi), 2, top + 9);
    g.fillText(fmt(10 ** lo), 2, h - bottom);
    g.strokeStyle = ink;
    g.lineWidth = 1.5;
    g.beginPath();
    this.points.forEach(([i], k) => (k ? g.lineTo(x(i), y(logs[k])) : g.moveTo(x(i), y(logs[k]))));
    g.stroke();
    const [li] = this.points[this.points.length - 1];
    g.fillStyle = ink;
    g.beginPath();
    g.arc(x(li), y(logs[logs.length - 1]), 2.5, 0, 2 * Math.PI);
    g.fill();
  }
}

export function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : v.toPrecision(3);
}
