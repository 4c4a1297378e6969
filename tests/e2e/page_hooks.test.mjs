// The page around the panel: a window the size of the screen, window.fetchlab.run() and cancel()
// for scripts, and the lesson and results as page text. Needs build/native and build/wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, accounted, frames, session } from './session.mjs';

const s = session({ lab: ['--ports', '2'], plainLab: ['--ports', '2', '--no-isolation'] });

// Counts every request for fullscreen or pointer lock, from before the page's first script.
function countFullscreenRequests() {
  window.fullscreenAsked = 0;
  for (const name of ['requestFullscreen', 'webkitRequestFullscreen', 'webkitRequestFullScreen', 'requestPointerLock']) {
    const original = Element.prototype[name];
    if (!original) continue;
    Element.prototype[name] = function (...args) {
      window.fullscreenAsked += 1;
      return original.apply(this, args);
    };
  }
}

// A page in a context of its own, so it can say how big the screen is.
async function openWindow(lab, { viewport, screen, deviceScaleFactor = 1 }, query = '') {
  const context = await s.browser.newContext({ viewport, screen, deviceScaleFactor });
  await context.addInitScript(countFullscreenRequests);
  const page = await s.load(await context.newPage(), lab, query);
  return { page, context };
}

// Where the panel draws its Run button and its History header (near the bottom), in CSS pixels.
const historyHeader = 'History: 0 runs (click one to see it)';
async function layout(page) {
  await page.evaluate((h) => { for (const l of ['Run', h]) window.fetchlab.track(l); }, historyHeader);
  await frames(page, 5);
  await page.waitForFunction((h) => window.fetchlab.items.Run && window.fetchlab.items[h], historyHeader,
                             { timeout: 30000 });
  return page.evaluate((h) => {
    const canvas = document.getElementById('canvas');
    const box = canvas.getBoundingClientRect();
    return { run: window.fetchlab.items.Run, history: window.fetchlab.items[h],
             canvas: { top: box.top, height: box.height, width: box.width, pixels: canvas.width,
                       inBody: canvas.parentElement === document.body },
             innerHeight, asked: window.fullscreenAsked };
  }, historyHeader);
}

for (const { name, viewport, deviceScaleFactor } of [
  { name: 'a window resized to the size of the screen (what F11 does)', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  { name: 'the same on a HiDPI screen', viewport: { width: 800, height: 600 }, deviceScaleFactor: 2 },
]) {
  test(`${name} asks for no fullscreen or pointer lock and shows the whole panel`, { timeout: 90000 }, async () => {
    // Emscripten 3.1.6's GLFW took a canvas resized to as many pixels as the screen has CSS
    // pixels for a request to go fullscreen: on a HiDPI screen, a window half the screen's size.
    const screenPixels = { width: viewport.width * deviceScaleFactor, height: viewport.height * deviceScaleFactor };
    const smaller = { width: viewport.width - 200, height: viewport.height - 100 };
    const windows = [];
    for (const screen of [viewport, screenPixels]) {
      const w = await openWindow(s.labs.lab, { viewport: smaller, screen, deviceScaleFactor });
      await frames(w.page, 5);
      await w.page.setViewportSize(viewport);
      windows.push(w);
    }
    const reference = await openWindow(s.labs.lab, { viewport, screen: { width: 3000, height: 2000 }, deviceScaleFactor });
    const expected = await layout(reference.page);
    for (const w of windows) {
      const got = await layout(w.page);
      assert.equal(got.asked, 0, 'requestFullscreen / requestPointerLock calls');
      assert.equal(got.canvas.inBody, true, 'the canvas was not moved into a fullscreen container');
      assert.equal(got.canvas.top, 0);
      assert.equal(got.canvas.height, got.innerHeight);
      assert.equal(got.canvas.pixels, Math.round(got.canvas.width * deviceScaleFactor), 'canvas pixels follow the device pixel ratio');
      // Laid out as in any other window of this size, its bottom on screen.
      assert.deepEqual(got.run, expected.run);
      assert.deepEqual(got.history, expected.history);
      assert.ok(got.history.y + got.history.height <= got.innerHeight, `History header at ${JSON.stringify(got.history)}`);
    }
    await windows[0].page.screenshot({ path: path.join(artifacts, `resized-to-screen-dpr${deviceScaleFactor}.png`) });
    for (const w of [...windows, reference]) await w.context.close();
    assert.deepEqual(s.unexpectedErrors(), []);
  });
}

test('window.fetchlab.run() runs the current settings as the Run button does, and resolves with the document',
     { timeout: 90000 }, async () => {
  // 3 s requests: long enough that the checks made while the run is in progress always see it so.
  const page = await s.openPage(s.labs.lab, '?mode=async&preset=lab&n=6&latency=3000&origins=2');
  assert.equal(await page.evaluate(() => window.fetchlab.published), 0);
  await page.evaluate(() => { window.fetchlab.track('Cancel'); window.fetchlab.firstRun = window.fetchlab.run(); });
  // The panel shows the run in progress: its Cancel button is drawn, and enabled.
  await page.waitForFunction(() => window.fetchlab.items.Cancel && window.fetchlab.items.Cancel.enabled, null,
                             { timeout: 10000 });
  // A second run() while one is running is refused, with the panel's reason; nothing is published.
  const refused = await page.evaluate(() => window.fetchlab.run());
  assert.deepEqual(refused.runs, []);
  assert.match(refused.error, /in progress/);
  const doc = await page.evaluate(() => window.fetchlab.firstRun);
  assert.equal(doc.runs.length, 1);
  assert.equal(doc.runs[0].mode, 'async');
  accounted(doc.runs[0]);
  assert.equal(doc.runs[0].ok, 6);
  assert.equal(await page.evaluate(() => window.fetchlab.published), 1);
  // run() resolved with the very document published.
  assert.equal(await page.evaluate(async () => (await window.fetchlab.firstRun) === window.fetchlab.results), true);
  // Again, through the same path: each run publishes.
  const again = await page.evaluate(() => window.fetchlab.run());
  assert.equal(again.runs[0].ok, 6);
  assert.equal(await page.evaluate(() => window.fetchlab.published), 2);
  await page.close();
});

test('window.fetchlab.cancel() cancels the run at once, and run() resolves with the cancelled document',
     { timeout: 90000 }, async () => {
  const page = await s.openPage(s.labs.lab, '?mode=async&preset=lab&n=6&latency=8000&origins=2');
  assert.equal(await page.evaluate(() => window.fetchlab.cancel()), false, 'nothing to cancel yet');
  const doc = await page.evaluate(async () => {
    const run = window.fetchlab.run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    window.cancelled = window.fetchlab.cancel();
    return run;
  });
  assert.equal(await page.evaluate(() => window.cancelled), true);
  const run = doc.runs[0];
  assert.equal(run.n, 6);
  assert.equal(run.ok, 0);
  assert.equal(run.cancelled, 6);
  // Ended when cancelled, long before a single 8 s request could have.
  assert.ok(run.wall_s < 8 / 4, `cancelled run's wall ${run.wall_s} s`);
  // The page text says so as the panel does: no wall time, no ratio, no speedup for what was cut short.
  const cells = await page.locator('#report-table tbody tr').first().evaluate((tr) => [...tr.cells].map((c) => c.textContent));
  assert.deepEqual(cells.slice(3, 10), ['cancelled', cells[4], '–', '–', '0', '0', '6']);
  await page.close();
});

test('window.fetchlab.run() resolves with the reason when the settings cannot run', { timeout: 60000 }, async () => {
  const page = await s.openPage(s.labs.plainLab, '?mode=threads&preset=lab&n=4&latency=50');
  const refused = await page.evaluate(() => window.fetchlab.run());
  assert.deepEqual(refused.runs, []);
  assert.match(refused.error, /cross-origin isolated/);
  assert.equal(await page.evaluate(() => window.fetchlab.published), 0);
  await page.close();
});

test('the lesson and the results table are page text, updated when a run ends', { timeout: 120000 }, async () => {
  const page = await s.openPage(s.labs.lab, '?mode=all&preset=lab&n=6&latency=100&origins=2&workers=3');
  const region = page.getByRole('region', { name: 'What happened' });
  assert.equal(await region.getAttribute('aria-live'), 'polite');
  assert.match(await region.textContent(), /No run has finished yet/);
  const doc = await page.evaluate(() => window.fetchlab.run());
  const lesson = await page.evaluate(() => window.fetchlab.lesson);
  assert.ok(lesson.length > 40, lesson);
  assert.equal(await page.locator('#report-lesson').textContent(), lesson);

  const table = region.getByRole('table');
  const header = await table.locator('thead th').allTextContents();
  assert.deepEqual(header, ['mode', 'K', 'n', 'wall', 'ideal', 'wall/ideal', 'speedup', 'ok', 'failed', 'cancelled',
                            'peak started', 'peak on wire']);
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(rows.length, doc.runs.length);
  assert.ok(doc.runs.length >= 2, `modes: ${doc.runs.map((r) => r.mode)}`);
  const written = (x) => (x >= 0.0995 ? `${x.toFixed(2)} s` : `${(x * 1000).toFixed(0)} ms`);
  doc.runs.forEach((run, i) => {
    const [mode, k, n, wall, ideal, ratio, speedup, ok, failed, cancelled, started, onWire] = rows[i];
    assert.equal(mode, run.mode);
    assert.equal(k, run.mode === 'pool' || run.mode === 'bounded' ? '3' : '–');
    assert.equal(Number(n), run.n);
    assert.equal(wall, written(run.wall_s));
    assert.equal(ideal, written(run.ideal_s));
    assert.equal(ratio, (run.wall_s / run.ideal_s).toFixed(2));
    assert.equal(speedup, `${run.speedup.toFixed(1)}×`);
    assert.deepEqual([ok, failed, cancelled, started].map(Number), [run.ok, run.failed, run.cancelled, run.peak_started]);
    assert.equal(onWire, run.peak_on_wire === null ? '?' : String(run.peak_on_wire));
  });
  assert.match(await table.locator('caption').textContent(), /6 requests, \d modes/);

  // Collapsed, it takes no room over the panel; the button shows it, to read and select.
  assert.ok((await region.boundingBox()).width <= 1);
  await page.getByRole('button', { name: 'Results as text' }).click();
  const box = await region.boundingBox();
  assert.ok(box.width > 300 && box.height > 100, JSON.stringify(box));
  assert.ok((await region.innerText()).includes(rows[0].join('\t')), 'the table copies as tab-separated rows');
  await page.screenshot({ path: path.join(artifacts, 'results-as-text.png') });

  // The next run replaces it.
  await page.evaluate(() => window.fetchlab.run());
  assert.equal(await page.locator('#report-lesson').textContent(), await page.evaluate(() => window.fetchlab.lesson));
  assert.equal(await table.locator('tbody tr').count(), (await page.evaluate(() => window.fetchlab.results)).runs.length);
  await page.close();
});

test('an async run of 1,000 starts without holding the page for the time 1,000 requests take to start',
     { timeout: 120000 }, async () => {
  // The floor: what starting 1,000 plain XMLHttpRequests takes this browser, from a blank page.
  const blank = await s.browser.newPage();
  await blank.goto(`${s.labs.lab.origin}/lab`);
  const xhrMs = await blank.evaluate((port) => {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) {
      const x = new XMLHttpRequest();
      x.open('GET', `http://127.0.0.1:${port + (i % 2)}/delay?ms=0&id=floor-${t0}-${i}`);
      x.send();
    }
    return performance.now() - t0;
  }, s.labs.lab.port);
  await blank.close();

  const page = await s.openPage(s.labs.lab, '?mode=async&preset=lab&n=1000&latency=0&origins=2');
  const { startMs, doc } = await page.evaluate(async () => {
    const t0 = performance.now();
    const run = window.fetchlab.run();
    await Promise.resolve();  // run() starts the run in a microtask, once the first frame is drawn
    const startMs = performance.now() - t0;
    const d = await run;
    return { startMs, doc: { runs: d.runs.map((r) => ({ ok: r.ok, n: r.n, starts: r.requests.map((q) => q.start_s) })) } };
  });
  const run = doc.runs[0];
  assert.equal(run.ok, 1000);
  // The page hands them to the browser in slices between frames, in the mode's order.
  assert.ok(startMs < xhrMs / 2, `run() held the page ${startMs.toFixed(0)} ms; 1,000 XHRs take ${xhrMs.toFixed(0)} ms to start`);
  assert.ok(run.starts.every((t, i) => i === 0 || t >= run.starts[i - 1]), 'started in order');
  await page.close();
});

test('no unexpected console errors', () => {
  assert.deepEqual(s.unexpectedErrors(), []);
});
