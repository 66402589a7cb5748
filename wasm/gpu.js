// texsynth's WebGPU device, as the Go core (core/gpu) drives it through syscall/js: buffers,
// compute pipelines, and programs (a fixed list of dispatches and copies, recorded once per image
// size and replayed every evaluation) whose results are read back into the Go program's memory.
// The shaders and the plan of the network are the Go side's (core/gpu/wgsl); this file only
// speaks WebGPU. A classic script: the worker loads it with importScripts, the benchmark page
// with a <script>, and Node (the Go tests, wasm/gpu-node.mjs) with require. It installs
// globalThis.texsynthGPU = {open}.
//
// Every error the GPU reports (validation, out of memory, a lost device) rejects the promise of
// the call that met it, and after a loss every later call throws, so the Go side can fall back
// to the wasm kernels.
'use strict';

(function (scope) {
  // Buffers the shaders read and write; copies move tap features and gradients in and out.
  const STORAGE = 0x80 | 0x08 | 0x04; // STORAGE | COPY_DST | COPY_SRC
  const UNIFORM = 0x40 | 0x08;        // UNIFORM | COPY_DST
  const READBACK = 0x01 | 0x08;       // MAP_READ | COPY_DST
  const MAP_READ = 0x1;               // GPUMapMode.READ

  // CPU implementations of WebGPU: a timing on them says nothing about a GPU.
  function emulated(info) {
    const s = [info.vendor, info.architecture, info.device, info.description].join(' ').toLowerCase();
    return Boolean(info.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe|software/.test(s);
  }

  class Device {
    constructor(adapter, device, memory) {
      // The adapter is kept as well as the device: both must live as long as the work.
      this.adapter = adapter;
      this.device = device;
      this.memory = memory;
      const i = adapter.info || {};
      this.info = {
        vendor: i.vendor || '', architecture: i.architecture || '', device: i.device || '',
        description: i.description || '',
      };
      this.info.emulated = emulated({...this.info, isFallbackAdapter: i.isFallbackAdapter});
      this.info.name = [this.info.vendor, this.info.architecture, this.info.device, this.info.description]
        .filter(Boolean).join(' ') || 'unnamed adapter';
      this.limits = {
        maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
        maxBufferSize: device.limits.maxBufferSize,
      };
      this.lost = '';
      this.error = '';
      device.lost.then((l) => { this.lost = `the GPU device was lost (${l.reason || 'unknown'}): ${l.message || ''}`.trim(); });
      device.onuncapturederror = (e) => { if (!this.error) this.error = e.error.message; };
      // Buffers and programs by id; ids are never reused, so one network releasing its own
      // cannot touch another's on the same device.
      this.buffers = new Map();
      this.programs = new Map();
      this.pipelines = [];
      this.next = 0;
    }

    check() {
      if (this.lost) throw new Error(this.lost);
      if (this.error) throw new Error('WebGPU error: ' + this.error);
    }

    scoped() {
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
    }

    async unscoped(what) {
      const validation = await this.device.popErrorScope();
      const memory = await this.device.popErrorScope();
      if (memory) throw new Error(`the GPU ran out of memory ${what}: ${memory.message}`);
      if (validation) throw new Error(`WebGPU refused ${what}: ${validation.message}`);
      this.check();
    }

    // pipeline compiles one entry point of a WGSL module; resolves to its index.
    async pipeline(code, entry, label) {
      this.check();
      this.scoped();
      const module = this.device.createShaderModule({code, label});
      let p;
      try {
        p = await this.device.createComputePipelineAsync({layout: 'auto', compute: {module, entryPoint: entry}, label});
      } finally {
        await this.unscoped(`the shader ${label}`);
      }
      this.pipelines.push(p);
      return this.pipelines.length - 1;
    }

    // alloc creates buffers of the given byte sizes in one go; resolves to the id of the first
    // (the others follow it). An out-of-memory error rejects.
    async alloc(sizes, usage) {
      this.check();
      this.scoped();
      const first = this.next;
      for (const size of sizes) {
        this.buffers.set(this.next++, this.device.createBuffer({size: Math.max(16, Math.ceil(size / 16) * 16), usage}));
      }
      await this.unscoped(`${sizes.length} buffers of ${sizes.reduce((a, b) => a + b, 0)} bytes`);
      return first;
    }

    storage(sizes) { return this.alloc(sizes, STORAGE); }

    // write copies bytes from the Go program's memory (address, length) into a buffer.
    write(buffer, offset, address, length) {
      this.check();
      this.device.queue.writeBuffer(this.buffers.get(buffer), offset, this.memory.buffer, address, length);
    }

    // program records steps and the reads that follow them; resolves to its id.
    //   {pipeline, entries: [[binding, buffer], …], params: Uint8Array, groups: [x, y]}
    //   {copy: [from, fromOffset, to, toOffset, bytes]}
    // reads: [[buffer, offset, bytes], …], read back in order, one after the other.
    async program(steps, reads) {
      this.check();
      this.scoped();
      const recorded = [];
      const uniforms = [];
      for (const s of steps) {
        if (s.copy) {
          recorded.push({copy: s.copy.map(Number)});
          continue;
        }
        const params = this.device.createBuffer({size: Math.ceil(s.params.byteLength / 16) * 16, usage: UNIFORM});
        this.device.queue.writeBuffer(params, 0, s.params);
        uniforms.push(params);
        const pipeline = this.pipelines[s.pipeline];
        const entries = [{binding: 0, resource: {buffer: params}}];
        for (const [binding, buffer] of s.entries) entries.push({binding, resource: {buffer: this.buffers.get(buffer)}});
        recorded.push({pipeline, group: this.device.createBindGroup({layout: pipeline.getBindGroupLayout(0), entries}), groups: s.groups});
      }
      let total = 0;
      const copies = reads.map(([buffer, offset, bytes]) => {
        const c = {buffer: this.buffers.get(buffer), offset, bytes, at: total};
        total += bytes;
        return c;
      });
      const staging = total > 0 ? this.device.createBuffer({size: Math.ceil(total / 16) * 16, usage: READBACK}) : null;
      await this.unscoped('the program');
      const id = this.next++;
      this.programs.set(id, {steps: recorded, copies, total, staging, uniforms});
      return id;
    }

    // run submits a program and, when the GPU is done, copies what it read into the Go program's
    // memory at address (total bytes). Resolves to the milliseconds it took.
    async run(id, address) {
      this.check();
      const start = performance.now();
      const p = this.programs.get(id);
      this.scoped();
      const enc = this.device.createCommandEncoder();
      let pass = null;
      for (const s of p.steps) {
        if (s.copy) {
          if (pass) { pass.end(); pass = null; }
          const [from, fromOffset, to, toOffset, bytes] = s.copy;
          enc.copyBufferToBuffer(this.buffers.get(from), fromOffset, this.buffers.get(to), toOffset, bytes);
          continue;
        }
        if (!pass) pass = enc.beginComputePass();
        pass.setPipeline(s.pipeline);
        pass.setBindGroup(0, s.group);
        pass.dispatchWorkgroups(s.groups[0], s.groups[1] || 1);
      }
      if (pass) pass.end();
      for (const c of p.copies) enc.copyBufferToBuffer(c.buffer, c.offset, p.staging, c.at, c.bytes);
      this.device.queue.submit([enc.finish()]);
      await this.unscoped('the evaluation');
      if (p.staging) {
        try {
          await p.staging.mapAsync(MAP_READ);
        } catch (e) {
          this.check();
          throw new Error('reading the GPU\'s results failed: ' + (e && e.message ? e.message : e));
        }
        // The Go program is waiting, so its memory cannot grow under this view.
        new Uint8Array(this.memory.buffer, address, p.total).set(new Uint8Array(p.staging.getMappedRange(0, p.total)));
        p.staging.unmap();
      } else {
        await this.device.queue.onSubmittedWorkDone();
      }
      this.check();
      return performance.now() - start;
    }

    // release frees buffers and programs by id (a new image size replaces the old plan).
    release(ids) {
      for (const id of ids) {
        const b = this.buffers.get(id);
        if (b) b.destroy();
        const p = this.programs.get(id);
        if (p) {
          if (p.staging) p.staging.destroy();
          for (const u of p.uniforms) u.destroy();
        }
        this.buffers.delete(id);
        this.programs.delete(id);
      }
    }

    destroy() {
      this.device.destroy();
    }
  }

  // open asks for an adapter and a device with the adapter's largest buffers (a 512 px image's
  // first layers exceed the default 128 MiB binding). memory is the Go program's
  // WebAssembly.Memory (globalThis.texsynthMemory by default), which results are copied into.
  async function open(memory) {
    const gpu = scope.navigator && scope.navigator.gpu;
    if (!gpu) throw new Error('this browser has no WebGPU (navigator.gpu)');
    memory = memory || scope.texsynthMemory;
    // A SharedArrayBuffer where the worker pool shares the Go program's memory (pool.js).
    const shared = typeof SharedArrayBuffer === 'function' && memory && memory.buffer instanceof SharedArrayBuffer;
    if (!memory || !(memory.buffer instanceof ArrayBuffer || shared)) throw new Error('no Go memory to read results into (texsynthMemory)');
    const adapter = await gpu.requestAdapter({powerPreference: 'high-performance'});
    if (!adapter) throw new Error('WebGPU found no adapter');
    const l = adapter.limits;
    const device = await adapter.requestDevice({requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
    }});
    return new Device(adapter, device, memory);
  }

  const api = {open};
  scope.texsynthGPU = api;
  if (typeof module === 'object' && module.exports) module.exports = api;
})(typeof globalThis !== 'undefined' ? globalThis : self);
