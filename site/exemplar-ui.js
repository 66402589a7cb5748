// The page's exemplar panel: the drawn samples, the file input, drop and paste (all through the
// run controller, which checks and decodes), the exemplar on its canvas, and during a run a note
// that a newly chosen exemplar waits for the next start.

import {SAMPLES, drawSample} from './samples.js';
import {bytes} from './estimate.js';

const $ = (id) => document.getElementById(id);

export class ExemplarPanel {
  // on: {chosen(): the person chose an exemplar, shown(exemplar), decoding(d or null)}
  constructor(controller, notices, on) {
    this.c = controller;
    this.notices = notices;
    this.on = on;
    this.buildSamples();
    this.wireInputs();
    controller.addEventListener('exemplar', (e) => this.show(e.detail.exemplar));
    controller.addEventListener('decoding', (e) => {
      const d = e.detail;
      $('decoding').hidden = !d;
      if (d) $('decoding').textContent = `Reading ${d.name} (${bytes(d.bytes)})…`;
      on.decoding(d);
    });
  }

  buildSamples() {
    for (const name of SAMPLES) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.sample = name;
      b.setAttribute('aria-label', `sample: ${name}`);
      b.setAttribute('data-testid', `sample-${name}`);
      const cv = document.createElement('canvas');
      const img = drawSample(name, 64);
      cv.width = cv.height = 64;
      cv.getContext('2d').putImageData(new ImageData(img.rgba, 64, 64), 0, 0);
      b.append(cv);
      b.onclick = () => {
        this.notices.clear('exemplar');
        this.on.chosen();
        this.c.useSample(name);
      };
      $('samples').append(b);
    }
  }

  wireInputs() {
    const read = (file) => {
      this.notices.clear('exemplar');
      this.on.chosen();
      this.c.readFile(file);
    };
    const input = $('exemplar-input');
    input.addEventListener('change', () => { read(input.files[0]); input.value = ''; });
    const d = $('drop');
    d.addEventListener('dragover', (e) => { e.preventDefault(); d.classList.add('over'); });
    d.addEventListener('dragleave', () => d.classList.remove('over'));
    d.addEventListener('drop', (e) => { e.preventDefault(); d.classList.remove('over'); read(e.dataTransfer.files[0]); });
    // A drop outside the box must not navigate away from the page.
    window.addEventListener('dragover', (e) => e.preventDefault());
    window.addEventListener('drop', (e) => e.preventDefault());
    window.addEventListener('paste', (e) => {
      if (e.target instanceof HTMLInputElement && e.target.type === 'text') return;
      const item = [...(e.clipboardData?.items || [])].find((i) => i.kind === 'file');
      if (item) { e.preventDefault(); read(item.getAsFile()); }
    });
  }

  show(ex) {
    const cv = $('exemplar');
    cv.width = ex.width;
    cv.height = ex.height;
    cv.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(ex.rgba), ex.width, ex.height), 0, 0);
    cv.style.aspectRatio = `${ex.width} / ${ex.height}`;
    cv.setAttribute('aria-label', `the exemplar: ${ex.name}, ${ex.width} × ${ex.height} pixels`);
    $('exemplar-info').textContent = `${ex.name}: ${ex.width} × ${ex.height} px${ex.width !== ex.height ? ' (the centre square is used)' : ''}`;
    for (const b of $('samples').children) b.setAttribute('aria-pressed', String(b.dataset.sample === ex.sample));
    this.note();
    this.on.shown(ex);
  }

  // note says, during a run, that a newly chosen exemplar waits for the next start.
  note() {
    const r = this.c.run;
    const other = !!r && !!this.c.exemplar && r.exemplar !== this.c.exemplar && this.c.busy;
    $('exemplar-next').hidden = !other;
    if (other) $('exemplar-next').textContent = `The run in progress grows from ${r.exemplar.name}; this picture is used when you start the next run.`;
  }
}
