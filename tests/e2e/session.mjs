// What every browser test file shares: its labs, one chromium, and the ways a test opens the
// page, runs it and presses its buttons. Each *.test.mjs file calls session() at its top level:
// the labs start before its first test and stop after its last, so the files stay independent.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { launchChromium, root, serve } from './browser.mjs';

export const artifacts = process.env.FETCHLAB_ARTIFACTS || path.join(root, 'build/wasm/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

// A loopback port with nothing listening: bound to learn a free number, then closed.
export function refusedPort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// Resolves once the page has drawn `count` more animation frames (the module draws one each).
export function frames(page, count) {
  return page.evaluate((n) => new Promise((resolve) => {
    const step = () => (n-- > 0 ? requestAnimationFrame(step) : resolve());
    step();
  }), count);
}

// Presses a panel button with the mouse, where the panel draws it this frame: the path of a
// user's click, from the browser's events through ImGui::Button to what the button does.
export async function press(page, label) {
  await page.evaluate((l) => { window.fetchlab.track(l); delete window.fetchlab.items[l]; }, label);
  const handle = await page.waitForFunction((l) => {
    const item = window.fetchlab.items[l];
    return item && item.enabled && item;
  }, label, { timeout: 30000 });
  const box = await handle.jsonValue();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await frames(page, 2);  // ImGui sees the mouse over the button before it is pressed
  await page.mouse.down();
  await frames(page, 2);
  await page.mouse.up();
}

export function accounted(run) {
  assert.equal(run.ok + run.errors, run.n, `${run.mode}: ok + errors == n`);
  assert.equal(run.requests.length, run.n);
}

// labs: name -> the arguments of its `fetchlab serve` (beyond --port and --root).
export function session(labs) {
  const s = { labs: {}, browser: null, consoleErrors: [] };
  before(async () => {
    const names = Object.keys(labs);
    const started = await Promise.all(names.map((name) => serve(...labs[name])));
    names.forEach((name, i) => { s.labs[name] = started[i]; });
    s.browser = await launchChromium();
  });
  after(async () => {
    await s.browser?.close();
    for (const lab of Object.values(s.labs)) lab.child.kill('SIGTERM');
  });

  // Loads the page into `page`, its console errors collected, and waits for its first frame.
  s.load = async (page, lab, query = '') => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') s.consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => s.consoleErrors.push(String(err)));
    await page.goto(`${lab.origin}/${query}`);
    await page.waitForFunction(() => window.fetchlab && (window.fetchlab.firstFrameAt || window.fetchlab.error),
                               null, { timeout: 30000 });
    assert.equal(await page.evaluate(() => window.fetchlab.error), null);
    return page;
  };
  s.openPage = async (lab, query = '', viewport = { width: 1280, height: 800 }) =>
    s.load(await s.browser.newPage({ viewport }), lab, query);
  s.autorun = async (lab, query) => {
    const page = await s.openPage(lab, '?' + query + '&autorun=1');
    const results = await page.evaluate(() => window.fetchlab.done);
    return { page, results };
  };
  // The console errors logged since the last call that `expected` does not match; clears them.
  s.unexpectedErrors = (expected = /$^/) => {
    const unexpected = s.consoleErrors.filter((e) => !expected.test(e));
    s.consoleErrors.length = 0;
    return unexpected;
  };
  return s;
}
