// The screenshots of docs/page.md (not a test: run by hand after make site, about two minutes):
// a run with the page's defaults (64 px, 100 iterations, the drawn bricks) on a desktop
// (1280 × 800) and on a phone (390 × 844, touch), written to docs/images/page-desktop.png and
// page-phone.png. The first screen of each, as a person sees it when the run is done.
//
//   node site/test/screenshots.mjs
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {root, buildServe, serve, stop, launch} from './harness.mjs';

const site = path.resolve(root, process.env.SITE || 'build/site');
const bin = path.join(root, 'build', 'serve-shots');
buildServe(bin);
const {proc, base} = await serve(bin, site);
const shots = [
  ['page-desktop.png', {viewport: {width: 1280, height: 800}}],
  ['page-phone.png', {viewport: {width: 390, height: 844}, isMobile: true, hasTouch: true}],
];
try {
  for (const [name, options] of shots) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'texsynth-shots-'));
    const context = await launch(dir, options);
    try {
      const page = await context.newPage();
      await page.goto(`${base}/#sample=bricks`);
      await page.evaluate(() => window.texsynthReady);
      await page.click('[data-testid=start]');
      await page.waitForFunction(() => document.querySelector('[data-testid=status]').textContent.startsWith('Done'), null, {timeout: 600000});
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(300);
      const out = path.join(root, 'docs', 'images', name);
      await page.screenshot({path: out});
      console.log(`wrote ${out}: ${await page.textContent('[data-testid=status]')}`);
    } finally {
      await context.close();
      rmSync(dir, {recursive: true, force: true});
    }
  }
} finally {
  await stop(proc);
}
