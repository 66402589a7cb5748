// The page's settings form, built from the settings table (settings.js) and the core's schema:
// one control per entry, its bounds and options from the core. It reads and writes settings as
// text; the core reads them (describe) and its refusals are shown beside the field they are
// about.

import {TABLE, BY_NAME, SIZES, field, options} from './settings.js';

const SCHEDULE_DEFAULT = {linear: '1', geometric: '2'}; // the d and q the box starts with

export class SettingsForm {
  constructor(form, schema, onChange) {
    this.form = form;
    this.schema = schema;
    this.onChange = onChange;
    this.inputs = {};   // name → the control that holds its text
    this.wraps = {};    // name → the field's element (for errors and when)
    this.build();
    form.addEventListener('input', (e) => this.changed(e));
    form.addEventListener('change', (e) => this.changed(e));
    form.addEventListener('submit', (e) => e.preventDefault());
  }

  changed(e) {
    if (e.target.id === 'schedule') this.scheduleShown();
    if (e.target.closest('#preset, #weights-input')) return;
    this.refresh();
    this.onChange(e);
  }

  build() {
    const main = this.form.querySelector('#fields');
    const advanced = this.form.querySelector('#advanced-fields');
    for (const e of TABLE) {
      if (e.control === 'layers') this.buildLayers(this.form.querySelector('#layer-box'));
      else if (e.control === 'schedule') this.buildSchedule(this.form.querySelector('#schedule-box'));
      else (e.advanced ? advanced : main).append(this.buildField(e));
    }
  }

  buildField(e) {
    const f = field(this.schema, e.name);
    const label = document.createElement('label');
    label.className = e.control === 'size' ? 'field wide' : 'field';
    label.append(e.label);
    let input;
    if (e.control === 'number') {
      input = document.createElement('input');
      input.type = 'number';
      input.step = e.step || 'any';
      if (f.min !== undefined) input.min = f.min;
      if (f.max !== undefined) input.max = f.max;
    } else {
      input = document.createElement('select');
      const list = e.control === 'size' ? SIZES.map((s) => [String(s), `${s} × ${s}`]) : options(this.schema, e.name);
      for (const [v, words] of list) input.append(new Option(words, v));
    }
    input.id = `f-${e.name}`;
    input.name = e.name;
    input.dataset.testid = `field-${e.name}`;
    input.setAttribute('data-testid', `field-${e.name}`);
    label.append(input, this.errorLine(e.name, input));
    this.inputs[e.name] = input;
    this.wraps[e.name] = label;
    return label;
  }

  errorLine(name, input) {
    const p = document.createElement('span');
    p.className = 'field-error';
    p.id = `err-${name}`;
    p.setAttribute('data-testid', `error-${name}`);
    p.hidden = true;
    input.setAttribute('aria-describedby', p.id);
    return p;
  }

  buildLayers(box) {
    const set = document.createElement('fieldset');
    set.className = 'layers';
    set.innerHTML = '<legend>Layers <span class="muted small" id="layer-count"></span></legend><div id="layer-grid" class="layer-grid"></div>';
    const grid = set.querySelector('#layer-grid');
    const taps = field(this.schema, 'layers').options;
    let block = null;
    for (const tap of taps) {
      if (!block || tap.endsWith('_1')) {
        block = document.createElement('div');
        block.className = 'layer-block';
        grid.append(block);
      }
      const label = document.createElement('label');
      label.className = tap.startsWith('pool') ? 'pool' : 'conv';
      const b = document.createElement('input');
      b.type = 'checkbox';
      b.name = 'layer';
      b.value = tap;
      label.append(b, tap);
      block.append(label);
    }
    const quick = document.createElement('div');
    quick.className = 'row small';
    const convs = taps.filter((t) => t.startsWith('conv'));
    const def = field(this.schema, 'layers').default;
    const relu = (t) => t.replace(/^conv/, 'relu');
    for (const [words, list] of [[`${relu(def[0])} … ${relu(def[def.length - 1])}`, def], [`all ${convs.length} conv`, convs],
      ['conv1_1 + pools', ['conv1_1', ...taps.filter((t) => t.startsWith('pool'))]]]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.textContent = words;
      b.onclick = () => {
        this.setLayers(list);
        this.refresh();
        this.onChange({target: b});
      };
      quick.append(b);
    }
    set.append(quick, this.errorLine('layers', grid));
    box.append(set);
    this.grid = grid;
    this.wraps.layers = set;
  }

  buildSchedule(box) {
    const set = document.createElement('fieldset');
    set.innerHTML = `<legend>Layer weights</legend>
      <div class="grid2">
        <label class="field">Schedule
          <select id="schedule" data-testid="schedule">
            <option value="uniform">uniform</option>
            <option value="linear">linear: 1, 1+d, 1+2d …</option>
            <option value="geometric">geometric: 1, q, q² …</option>
            <option value="custom">custom list</option>
          </select>
        </label>
        <label class="field" id="param-field"><span id="param-label">d</span>
          <input id="param" data-testid="param" type="number" step="any">
        </label>
      </div>
      <label class="field" id="custom-field">Weights, one per layer
        <input id="custom" data-testid="custom" type="text" placeholder="10,10,20,20,…">
      </label>
      <p id="weights-preview" class="note mono" data-testid="weights-preview"></p>`;
    const q = (s) => set.querySelector(s);
    this.schedule = {kind: q('#schedule'), param: q('#param'), paramField: q('#param-field'), paramLabel: q('#param-label'),
      custom: q('#custom'), customField: q('#custom-field'), preview: q('#weights-preview')};
    set.append(this.errorLine('layerWeights', this.schedule.kind));
    box.append(set);
    this.wraps.layerWeights = set;
    this.scheduleShown();
  }

  // scheduleShown shows the box the chosen schedule needs, filled with its default number.
  scheduleShown() {
    const s = this.schedule;
    const kind = s.kind.value;
    s.paramField.hidden = !SCHEDULE_DEFAULT[kind];
    s.customField.hidden = kind !== 'custom';
    s.paramLabel.textContent = kind === 'geometric' ? 'q (ratio)' : 'd (step)';
    if (SCHEDULE_DEFAULT[kind] && (s.param.value === '' || s.param.dataset.kind !== kind)) s.param.value = SCHEDULE_DEFAULT[kind];
    s.param.dataset.kind = kind;
  }

  // setSchema takes the schema of another network (the weights changed): the layer list is built
  // again from its layers, the ticked ones it has kept ticked. It returns whether the list had to
  // change: the new network lacks a ticked layer, or the old default was ticked (then the new
  // default is).
  setSchema(schema) {
    const before = this.checkedLayers();
    const old = field(this.schema, 'layers');
    const all = field(schema, 'layers');
    this.schema = schema;
    const sameNet = old.options.join() === all.options.join();
    const wasDefault = before.join() === old.default.join();
    if (sameNet && (!wasDefault || old.default.join() === all.default.join())) return false;
    if (!sameNet) {
      const box = this.wraps.layers.parentNode;
      this.wraps.layers.remove();
      this.buildLayers(box);
    }
    const kept = before.filter((t) => all.options.includes(t));
    const list = wasDefault || !kept.length ? all.default : kept;
    this.setLayers(list);
    this.refresh();
    return list.join() !== before.join();
  }

  checkedLayers() {
    return [...this.grid.querySelectorAll('input:checked')].map((b) => b.value);
  }

  setLayers(list) {
    for (const b of this.grid.querySelectorAll('input')) b.checked = list.includes(b.value);
  }

  // read returns the form's settings as text; layers is null when none is ticked, which the form
  // says beside the layers itself ("tick at least one layer"; null is no value to the core, which
  // then describes the default layers' run).
  read() {
    const t = {};
    for (const [name, input] of Object.entries(this.inputs)) t[name] = input.value.trim();
    const layers = this.checkedLayers();
    t.layers = layers.length ? layers.join(',') : null;
    const s = this.schedule;
    t.layerWeights = s.kind.value === 'uniform' ? 'uniform' : s.kind.value === 'custom' ? s.custom.value.trim() : `${s.kind.value}:${s.param.value.trim()}`;
    return t;
  }

  // write sets the form from text; taps is the layers as the core listed them (its plan), or
  // null to read the text's list as it is.
  write(text, taps = null) {
    for (const [name, input] of Object.entries(this.inputs)) {
      const v = text[name];
      if (v === undefined) continue;
      if (input.tagName === 'SELECT' && ![...input.options].some((o) => o.value === v)) {
        const o = new Option(name === 'size' ? `${v} × ${v} (from the link)` : name === 'exemplarSize' ? `${v} px` : v, v);
        o.dataset.added = '1';
        input.append(o);
      }
      input.value = v;
    }
    if (text.layers !== undefined && text.layers !== null) {
      const all = field(this.schema, 'layers');
      const list = taps || (text.layers === '' ? all.default : text.layers === 'all' ? all.options.filter((t) => t.startsWith('conv')) : text.layers.split(',').map((x) => x.trim()));
      this.setLayers(list);
    }
    if (text.layerWeights !== undefined) {
      const s = this.schedule;
      const [kind, arg] = text.layerWeights.split(':');
      if (kind === 'uniform' && arg === undefined) s.kind.value = 'uniform';
      else if (SCHEDULE_DEFAULT[kind] && arg !== undefined) {
        s.kind.value = kind;
        s.param.value = arg;
        s.param.dataset.kind = kind;
      } else {
        s.kind.value = 'custom';
        s.custom.value = text.layerWeights;
      }
      this.scheduleShown();
    }
    this.refresh();
  }

  // dropUnused removes the menu entries a link added that are not chosen (any more).
  dropUnused() {
    for (const o of this.form.querySelectorAll('option[data-added]')) if (!o.selected) o.remove();
  }

  // refresh shows the fields that matter for the choices made.
  refresh() {
    const t = this.read();
    for (const e of TABLE) if (e.when && this.wraps[e.name]) this.wraps[e.name].hidden = !e.when(t);
    const n = this.checkedLayers().length;
    this.form.querySelector('#layer-count').textContent = `(${n} selected)`;
  }

  // showErrors puts each refusal beside its field; returns the ones no field shows.
  showErrors(errors) {
    const rest = {};
    for (const name of Object.keys(this.wraps)) this.fieldError(name, '');
    for (const [name, message] of Object.entries(errors)) {
      if (this.wraps[name]) this.fieldError(name, message);
      else rest[name] = message;
    }
    return rest;
  }

  fieldError(name, message) {
    const line = this.wraps[name].querySelector(`#err-${name}`);
    line.hidden = !message;
    line.textContent = message ? `${message.charAt(0).toUpperCase()}${message.slice(1)}.` : '';
    const input = this.inputs[name] || (name === 'layers' ? this.grid : this.schedule && this.schedule.kind);
    if (input) input.toggleAttribute('aria-invalid', !!message);
  }

  // showPlan previews what the core made of the settings: each layer's weight.
  showPlan(plan) {
    const p = this.schedule.preview;
    p.textContent = plan ? plan.layers.map((l, i) => `${l} ${+plan.layerWeights[i].toPrecision(4)}`).join(' · ') : '';
  }

  // sizeOptions sets each size's words (its time and memory) and whether it can be chosen.
  sizeOptions(list) {
    const select = this.inputs.size;
    for (const {size, words, refuse} of list) {
      const o = [...select.options].find((x) => x.value === String(size));
      if (!o) continue;
      o.textContent = `${size} × ${size}${words ? ` — ${words}` : ''}`;
      o.disabled = !!refuse && o.value !== select.value;
      o.title = refuse || '';
    }
  }

  sizes() {
    return [...this.inputs.size.options].map((o) => +o.value);
  }
}

export {BY_NAME};
