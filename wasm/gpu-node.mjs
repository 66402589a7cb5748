// Preloaded into Node (`node --import wasm/gpu-node.mjs …`, after wasm/memory.cjs) when a Go
// program built for js/wasm needs WebGPU there (core/gpu's tests, the bench): it gives Node a
// navigator.gpu from the npm package `webgpu` (Dawn's own Node binding, dawn.node) and loads
// wasm/gpu.js, as the worker does in the browser.
//
// Without a GPU, Dawn runs on a CPU Vulkan driver named by VK_ICD_FILENAMES. The one that works
// here is the SwiftShader that Debian's chromium package ships
// (/usr/lib/chromium/vk_swiftshader_icd.json); Debian 12's lavapipe (mesa-vulkan-drivers 22.3)
// lacks a feature Dawn requires (shaderUniform*ArrayDynamicIndexing) and gives no adapter.
// When VK_ICD_FILENAMES is unset and that file exists, it is used.
import fs from 'node:fs';
import {createRequire} from 'node:module';

const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && fs.existsSync(swiftshader)) process.env.VK_ICD_FILENAMES = swiftshader;
// Mesa's Vulkan loader layers complain on every start without it.
if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = '/tmp';

const require = createRequire(import.meta.url);
const {create, globals} = await import('webgpu');
Object.assign(globalThis, globals);
// dawn.node keeps Node's event loop alive while navigator.gpu exists; Go's wasm_exec_node.js
// ends the process when the Go program exits, so that is what ends it.
Object.defineProperty(globalThis, 'navigator', {
  value: Object.assign(Object.create(globalThis.navigator || null), {gpu: create([])}),
  configurable: true, writable: true,
});
require('./gpu.js');
