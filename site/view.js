// The output and what it is compared with: the texture on its canvas at exactly its size (what
// is downloaded), the exemplar as the network sees it (cropped and scaled, from the worker) at
// the same scale beside it or under a before/after split, the texture tiled 3 × 3 or offset by
// half (a tileable texture shows no seam across the middle), with a zoom and a pixelated or
// smooth rendering.

export class OutputView {
  constructor(el) {
    this.el = el; // {stage, output, overlay, seen, empty, caption, view, zoom, smooth, split, note, wrap}
    this.image = null; // the ImageData on the output canvas
    this.tileable = false;
    for (const c of [el.view, el.zoom, el.smooth]) c.addEventListener('change', () => this.redraw());
    el.split.addEventListener('input', () => this.clip());
    window.addEventListener('resize', () => this.layout());
  }

  // show draws a frame (ImageData) at its own size.
  show(image, caption, label) {
    const c = this.el.output;
    if (c.width !== image.width || c.height !== image.height) {
      c.width = image.width;
      c.height = image.height;
    }
    c.getContext('2d').putImageData(image, 0, 0);
    this.image = image;
    this.el.empty.hidden = true;
    if (caption !== undefined) this.el.caption.textContent = caption;
    if (label) c.setAttribute('aria-label', label);
    this.redraw();
  }

  // showSeen draws the exemplar as the run sees it ({width, height, rgba}).
  showSeen(seen) {
    const c = this.el.seen;
    if (!seen) return;
    c.width = seen.width;
    c.height = seen.height;
    c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(seen.rgba), seen.width, seen.height), 0, 0);
    this.redraw();
  }

  setTileable(on) {
    this.tileable = on;
    this.redraw();
  }

  get mode() { return this.el.view.value; }

  // redraw paints the overlay the chosen view needs and lays the canvases out.
  redraw() {
    const {stage, overlay, output, seen, split, note} = this.el;
    const mode = this.mode;
    stage.dataset.view = mode;
    stage.classList.toggle('smooth', this.el.smooth.checked);
    split.hidden = mode !== 'slider';
    overlay.hidden = !this.image || !['slider', 'tiled', 'offset'].includes(mode);
    note.textContent = {
      side: 'The exemplar at the same scale as the texture: the statistics of the one are matched in the other.',
      slider: 'Drag the slider: the exemplar (as the network sees it) on the left, the texture on the right.',
      tiled: this.tileable ? 'Nine copies side by side: with circular padding there is no seam between them.'
        : 'Nine copies side by side. This texture was not made tileable (padding is not circular): expect seams.',
      offset: this.tileable ? 'Rolled by half its size: the image\'s edges meet in the middle, where a seam would show.'
        : 'Rolled by half its size: the edges meet in the middle. Without circular padding a seam shows there.',
    }[mode] || '';
    if (this.image) {
      const w = output.width, h = output.height;
      const g = overlay.getContext('2d');
      if (mode === 'tiled') {
        overlay.width = 3 * w;
        overlay.height = 3 * h;
        for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) g.drawImage(output, x * w, y * h);
      } else if (mode === 'offset') {
        overlay.width = w;
        overlay.height = h;
        const dx = Math.floor(w / 2), dy = Math.floor(h / 2);
        for (const [x, y] of [[dx - w, dy - h], [dx, dy - h], [dx - w, dy], [dx, dy]]) g.drawImage(output, x, y);
      } else if (mode === 'slider') {
        overlay.width = w;
        overlay.height = h;
        g.imageSmoothingEnabled = this.el.smooth.checked;
        g.drawImage(seen, 0, 0, w, h);
      }
    }
    this.clip();
    this.layout();
  }

  clip() {
    const {overlay, split} = this.el;
    overlay.style.clipPath = this.mode === 'slider' ? `inset(0 ${100 - split.value}% 0 0)` : '';
  }

  // layout sizes the canvases on screen: "fit" fills the cell (the exemplar beside it at the same
  // scale), n× shows n screen pixels per texture pixel.
  layout() {
    const {output, overlay, seen, wrap, zoom} = this.el;
    const mode = this.mode;
    const tiles = mode === 'tiled' ? 3 : 1;
    const side = mode === 'side';
    const widest = Math.max(output.width * tiles, side ? seen.width : 0);
    let scale = +zoom.value;
    if (zoom.value === 'fit') {
      // As large as fits, up to 420 px; a whole number of screen pixels per texture pixel when
      // that is not much smaller, so that pixels stay square.
      const room = Math.min(420, (side ? this.el.stage.clientWidth / 2 - 16 : this.el.stage.clientWidth - 8) || 256);
      scale = room / widest;
      if (scale > 1 && Math.floor(scale) * widest >= 0.7 * room) scale = Math.floor(scale);
    }
    const px = (n) => `${Math.max(1, Math.round(n * scale))}px`;
    output.style.width = px(output.width * tiles);
    output.style.height = px(output.height * tiles);
    overlay.style.width = output.style.width;
    overlay.style.height = output.style.height;
    seen.style.width = px(seen.width);
    seen.style.height = px(seen.height);
    wrap.classList.toggle('scroll', zoom.value !== 'fit');
  }
}
