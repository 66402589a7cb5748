// How the tests and `make bench` start Chromium with WebGPU on a machine without a GPU (not a
// test file itself). Debian's Chromium 156 runs WebGPU on its bundled SwiftShader (a CPU Vulkan)
// when WebGPU is switched on with --enable-unsafe-webgpu: compute shaders and mapAsync
// readbacks work there, in the page and in workers. (--enable-unsafe-swiftshader is accepted
// too and changes nothing here; without --enable-unsafe-webgpu there is no adapter.)
import {chromium} from 'playwright-core';
import {chromePath} from './harness.mjs';

export const webgpuArgs = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'];

// launchWebGPU starts headless Chromium with WebGPU on.
export function launchWebGPU() {
  return chromium.launch({
    executablePath: chromePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-quic', '--no-first-run',
      '--disable-component-update', '--disable-sync', ...webgpuArgs],
  });
}

// runBench opens bench.html at base with the given query and resolves to its rows (it waits as
// long as the page runs).
export async function runBench(browser, base, query) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${base}/bench.html?${query}&run`);
  await page.waitForFunction(() => window.benchDone !== undefined);
  const rows = await page.evaluate(() => window.benchDone);
  const table = await page.locator('#bench-table').innerText();
  await page.close();
  return {rows, table, errors};
}
