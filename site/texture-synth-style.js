// The <texture-synth> element's look: one constructable sheet shared by every instance, and its
// markup. A strict Content-Security-Policy (style-src 'self') blocks <style> elements, even in a
// shadow root, but not adopted sheets.

export const SHEET = new CSSStyleSheet();
SHEET.replaceSync(`
:host { display: block; container-type: inline-size; font: inherit; color: inherit;
  --texsynth-accent: #2563eb; --texsynth-line: rgba(127, 127, 127, 0.35); }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.pictures { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5em; }
@container (max-width: 16rem) { .pictures { grid-template-columns: 1fr; } }
figure { margin: 0; min-width: 0; position: relative; }
canvas { display: block; width: 100%; height: auto; aspect-ratio: 1; object-fit: cover;
  image-rendering: pixelated; border-radius: 4px; border: 1px solid var(--texsynth-line);
  background: repeating-conic-gradient(rgba(127, 127, 127, 0.18) 0 25%, transparent 0 50%) 0 0 / 16px 16px; }
figcaption { font-size: 0.8em; opacity: 0.75; margin-top: 0.2em; overflow-wrap: anywhere; }
.announce { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.empty { position: absolute; inset: 0 0 1.4em 0; display: flex; align-items: center; justify-content: center;
  text-align: center; padding: 0.5em; font-size: 0.85em; opacity: 0.7; pointer-events: none; }
.drop.over canvas { outline: 3px dashed var(--texsynth-accent); outline-offset: -3px; }
progress { display: block; width: 100%; height: 0.4em; margin: 0.4em 0 0.2em; accent-color: var(--texsynth-accent); }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4em; margin-top: 0.3em; }
.status { flex: 1 1 12em; font-size: 0.9em; min-height: 1.3em; font-variant-numeric: tabular-nums; }
.info { font-size: 0.8em; opacity: 0.75; margin: 0.2em 0 0; }
button, .file { font: inherit; font-size: 0.9em; padding: 0.25em 0.8em; border-radius: 4px; cursor: pointer;
  border: 1px solid var(--texsynth-line); background: transparent; color: inherit; }
button.primary { background: var(--texsynth-accent); border-color: var(--texsynth-accent); color: #fff; }
button:disabled { opacity: 0.45; cursor: default; }
.file input { position: absolute; width: 1px; height: 1px; opacity: 0; overflow: hidden; }
.file:focus-within { outline: 2px solid var(--texsynth-accent); }
.notices { list-style: none; margin: 0.4em 0 0; padding: 0; }
.notices li { font-size: 0.85em; padding: 0.35em 0.6em; margin-top: 0.25em; border-radius: 4px;
  border-left: 4px solid #d97706; background: rgba(217, 119, 6, 0.1); }
.notices li.error { border-left-color: #dc2626; background: rgba(220, 38, 38, 0.1); }
.notices li.info { border-left-color: var(--texsynth-accent); background: rgba(37, 99, 235, 0.08); }
`);

export const MARKUP = `
<div class="pictures">
  <figure class="drop" part="exemplar-box">
    <canvas class="exemplar" part="exemplar" width="64" height="64" role="img" aria-label="the exemplar"></canvas>
    <figcaption class="exemplar-caption">exemplar</figcaption>
  </figure>
  <figure part="output-box">
    <canvas class="output" part="output" width="64" height="64" role="img" aria-label="no texture yet"></canvas>
    <div class="empty">The new texture grows here.</div>
    <figcaption>synthesised</figcaption>
  </figure>
</div>
<progress part="progress" max="1" value="0" hidden></progress>
<div class="bar">
  <button type="button" class="start primary" part="button start">Start</button>
  <button type="button" class="pause" part="button pause">Pause</button>
  <button type="button" class="stop" part="button stop">Stop</button>
  <label class="file" part="button file">Your picture…<input type="file" accept="image/*,.png,.jpg,.jpeg,.gif,.webp,.bmp,.tif,.tiff"></label>
  <span class="status" part="status"></span>
</div>
<p class="info" part="info"></p>
<ul class="notices" part="notices"></ul>
<span class="announce" aria-live="polite"></span>
`;

