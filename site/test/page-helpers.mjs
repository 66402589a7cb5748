// What the page's browser tests share (not a test file itself): the tiny settings, opening the
// page and waiting for it, and waiting for a condition with a message that says which one.
export const FAST = 'size=32&iters=10&layers=conv1_1,pool1,conv2_1&loss=sw&seed=1';

// checks is a 4 px check pattern in two colours.
export const checks = (x, y) => (((x >> 2) + (y >> 2)) % 2 ? [220, 120, 40] : [40, 70, 150]);

// opener returns open(context, hash, query, before): a new page on the site with the hash,
// collecting console errors, resolved once the engine is ready (texsynthReady).
export function opener(base) {
  return async (context, hash = FAST, query = '', prepare = null) => {
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    if (prepare) await prepare(page);
    await page.goto(`${base}/${query}#${hash}`);
    await page.evaluate(() => window.texsynthReady);
    return {page, errors, close: () => page.close()};
  };
}

// until waits for f (run in the page with arg) to be truthy and returns its value.
export async function until(page, f, timeout = 120000, arg = undefined) {
  const h = await page.waitForFunction(f, arg, {timeout});
  return h.jsonValue();
}

export const text = (page, sel) => page.textContent(sel);

// inView tells whether the element sel is wholly inside the window, as scrolled now.
export const inView = (page, sel) => page.$eval(sel, (e) => {
  const r = e.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight && r.width > 0;
});
