// What the browser tests share: building tools/serve, running it on a localhost port, and
// starting Debian's Chromium through playwright-core. (Not a test file itself: node --test runs
// site/test/*.test.mjs.)
import {spawn, execFileSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {chromium} from 'playwright-core';

// root is the repository's top folder.
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const chromePath = process.env.CHROMIUM || '/usr/bin/chromium';

// buildServe builds tools/serve into bin.
export function buildServe(bin) {
  execFileSync('go', ['build', '-o', bin, './tools/serve'], {cwd: root, stdio: 'inherit'});
}

// serve starts the server bin on dir at addr (by default a free localhost port), with more flags
// if given, and resolves, once it says where it listens, to {proc, base}; it rejects if the
// server exits first.
export async function serve(bin, dir, addr = '127.0.0.1:0', flags = []) {
  const proc = spawn(bin, ['-dir', dir, '-addr', addr, ...flags], {stdio: ['ignore', 'ignore', 'pipe']});
  const base = await new Promise((resolve, reject) => {
    let log = '';
    proc.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`serve exited (${code}): ${log}`)));
  });
  return {proc, base};
}

// stop ends a server started by serve and waits until it has exited (nothing if it has).
export async function stop(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise((resolve) => { proc.on('exit', resolve); proc.kill(); });
}

// launch starts headless Chromium with the profile in userDir; options (a viewport,
// acceptDownloads …) are passed to launchPersistentContext.
export function launch(userDir, options = {}) {
  return chromium.launchPersistentContext(userDir, {
    executablePath: chromePath,
    headless: true,
    ...options,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}
