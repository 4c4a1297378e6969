// The panel's controls and what it says, end to end (issue 8): typed numbers, refusals shown,
// the mouse wheel over the waterfall, Fit rows over every run, the history, the no-isolation page.
// Each test drives the page with the real mouse and keyboard, through the page's hooks
// (window.fetchlab.items, .waterfall, .status).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accounted, artifacts, frames, press, refusedPort, session } from './session.mjs';

const s = session({ isolatedLab: ['--ports', '2'], plainLab: ['--ports', '2', '--no-isolation'] });
const TIMEOUT = { timeout: 120000 };

// Where the panel draws `label` this frame ({x, y, width, height, enabled}, CSS pixels).
async function locate(page, label) {
  await page.evaluate((l) => { window.fetchlab.track(l); delete window.fetchlab.items[l]; }, label);
  const handle = await page.waitForFunction((l) => window.fetchlab.items[l], label, { timeout: 30000 });
  return handle.jsonValue();
}

// Clicks a number field, types `value` over its text and presses Enter, as a user would.
async function typeNumber(page, label, value) {
  const box = await locate(page, label);
  // The item is the field and its label after it: click inside the field, near its left end.
  await page.mouse.click(box.x + 12, box.y + box.height / 2);
  await frames(page, 3);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(String(value));
  await frames(page, 2);
  await page.keyboard.press('Enter');
  await frames(page, 3);
}

async function runAndWait(page) {
  const before = await page.evaluate(() => window.fetchlab.published);
  await press(page, 'Run');
  await page.waitForFunction((n) => window.fetchlab.published > n, before, { timeout: 60000 });
  return page.evaluate(() => window.fetchlab.results);
}

const status = (page) => page.evaluate(() => window.fetchlab.status || '');

test('numbers are typed into plain fields, clamped to their bounds; timeout and body cap apply', TIMEOUT, async () => {
  const page = await s.openPage(s.labs.isolatedLab, '?mode=async&preset=lab&n=5&latency=50&origins=1');
  await typeNumber(page, 'N requests', 7);
  await typeNumber(page, 'latency ms', -5);  // below its bound: clamped to 0 once the field is left
  await page.screenshot({ path: path.join(artifacts, 'panel-typed-fields.png') });
  let results = await runAndWait(page);
  const run = results.runs[0];
  accounted(run);
  assert.equal(run.n, 7);
  assert.ok(run.requests.every((r) => /ms=0&/.test(r.url)), run.requests[0].url);

  // The body cap: a 5,000-byte answer with a 2 KB cap is "too large"; the timeout: 300 ms for a 2 s answer.
  const lab = s.labs.isolatedLab.origin;
  await page.goto(`${lab}/?mode=async&preset=urls&url=${encodeURIComponent(`${lab}/delay?ms=0&bytes=5000`)}` +
                  `&url=${encodeURIComponent(`${lab}/delay?ms=2000`)}`);
  await page.waitForFunction(() => window.fetchlab.firstFrameAt, null, { timeout: 30000 });
  await typeNumber(page, 'body cap KB', 2);
  await typeNumber(page, 'timeout ms', 300);
  results = await runAndWait(page);
  assert.equal(results.runs[0].requests[0].error, 'too large');
  assert.equal(results.runs[0].requests[1].error, 'timeout');
  await page.close();
});

test('refused and unknown settings, and a refused autorun, say why on the panel', TIMEOUT, async () => {
  const page = await s.openPage(s.labs.isolatedLab, '?mode=thread&n=abc&latency=-5&preset=lab');
  await page.waitForFunction(() => (window.fetchlab.status || '').includes('latency'), null, { timeout: 30000 });
  const text = await status(page);
  assert.match(text, /unknown mode 'thread'/);
  assert.match(text, /n must be a whole number, not 'abc'/);
  assert.match(text, /latency must be from 0 to 10000: using 0 instead of -5/);
  await page.screenshot({ path: path.join(artifacts, 'panel-refused-settings.png') });
  await page.close();

  const refused = await s.autorun(s.labs.isolatedLab, 'mode=threads&preset=lab&n=31&latency=50');
  assert.equal(refused.results.runs.length, 0);
  await refused.page.waitForFunction(() => (window.fetchlab.status || '').startsWith('Cannot start'), null,
                                     { timeout: 10000 });
  assert.match(await status(refused.page), /Cannot start: threads: one thread per request: at most 30/);
  await refused.page.screenshot({ path: path.join(artifacts, 'panel-refused-autorun.png') });
  await refused.page.close();
});

test('Run pressed while the threads warm up says so, and starts once they are warm', TIMEOUT, async () => {
  // The page warms its 32 workers after its first frames; each worker's script arrives 2 s late
  // here, so the warm-up takes as long as it might on a slow machine, and Run is pressed during it.
  const page = await s.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.route(/\.worker\.js$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await route.continue();
  });
  await page.goto(`${s.labs.isolatedLab.origin}/?mode=threads&preset=lab&n=4&latency=50&origins=2`);
  await page.waitForFunction(() => window.fetchlab && window.fetchlab.firstFrameAt, null, { timeout: 60000 });
  const seen = [];
  await page.exposeFunction('statusSeen', (text) => seen.push(text));
  await page.evaluate(() => {
    let last = '';
    const watch = () => {
      if (window.fetchlab.status !== last) window.statusSeen(last = window.fetchlab.status);
      requestAnimationFrame(watch);
    };
    watch();
  });
  await press(page, 'Run');
  await page.waitForFunction(() => window.fetchlab.published > 0, null, { timeout: 60000 });
  const results = await page.evaluate(() => window.fetchlab.results);
  assert.equal(results.runs.length, 1);
  assert.equal(results.runs[0].mode, 'threads');
  assert.equal(results.runs[0].ok, 4);
  assert.ok(seen.some((t) => /^Starting as soon as the threads are warm: \d+ of 32 ready/.test(t)),
            `statuses seen: ${JSON.stringify(seen)}`);
  assert.ok(!seen.some((t) => /Cannot start/.test(t)), JSON.stringify(seen));
  await frames(page, 3);
  assert.match(await status(page), /^Finished: 1 run/);
  await page.close();
});

test('the mouse wheel over the waterfall follows the browser and moves a few rows a notch', TIMEOUT, async () => {
  const page = await s.openPage(s.labs.isolatedLab, '?mode=async&preset=lab&n=200&latency=0&origins=2&autorun=1');
  await page.evaluate(() => window.fetchlab.done);
  await press(page, 'Fit rows');  // off: full rows, so 200 of them scroll
  await page.waitForFunction(() => !window.fetchlab.waterfall.allFit, null, { timeout: 10000 });
  const fit = await locate(page, 'Fit rows');
  await page.mouse.move(640, fit.y + 200);
  await frames(page, 3);
  assert.equal((await page.evaluate(() => window.fetchlab.waterfall)).firstRow, 0);

  await page.mouse.wheel(0, 100);  // one notch down
  await frames(page, 5);
  const down = await page.evaluate(() => window.fetchlab.waterfall);
  assert.ok(down.firstRow >= 2 && down.firstRow <= 8, `one notch down: first row ${down.firstRow} of ${down.rows}`);
  await page.mouse.wheel(0, 100);
  await frames(page, 5);
  const twice = (await page.evaluate(() => window.fetchlab.waterfall)).firstRow;
  assert.ok(twice > down.firstRow && twice <= 2 * down.firstRow + 2, `two notches: ${twice}`);
  await page.screenshot({ path: path.join(artifacts, 'panel-wheel-two-notches.png') });
  await page.mouse.wheel(0, -200);
  await frames(page, 5);
  assert.equal((await page.evaluate(() => window.fetchlab.waterfall)).firstRow, 0);
  await page.close();
});

test('All runs with Fit rows: four runs of 60 fit, labelled; history rows open their run', TIMEOUT, async () => {
  // Threads cannot run 60 here (at most 30 threads): sequential, async, pool and bounded run.
  const page = await s.openPage(s.labs.isolatedLab, '?mode=all&preset=lab&n=60&latency=50&origins=2&autorun=1');
  const results = await page.evaluate(() => window.fetchlab.done);
  assert.equal(results.runs.length, 4);
  results.runs.forEach(accounted);
  await frames(page, 3);
  const view = await page.evaluate(() => window.fetchlab.waterfall);
  assert.ok(view.rows >= 240, `${view.rows} rows`);
  assert.equal(view.allFit, true, 'every run fits, the last one too');
  assert.ok(view.labelEvery >= 1 && view.labelEvery <= 20, `a label every ${view.labelEvery} rows`);
  await page.screenshot({ path: path.join(artifacts, 'panel-all-runs-fit-rows.png') });

  // A second, smaller run; then the first run of the history, clicked, fills the waterfall again.
  await typeNumber(page, 'N requests', 4);
  const mode = await locate(page, 'All modes');
  await page.mouse.click(mode.x + mode.width / 2, mode.y + mode.height / 2);  // one mode: async
  await frames(page, 3);
  const small = await runAndWait(page);
  assert.equal(small.runs.length, 1);
  const rowsSmall = (await page.evaluate(() => window.fetchlab.waterfall)).rows;
  assert.ok(rowsSmall < 10, `${rowsSmall} rows for 4 requests`);
  await page.screenshot({ path: path.join(artifacts, 'panel-history-before.png') });
  await press(page, 'History: 5 runs (click one to see it)');
  await press(page, '1');
  await page.waitForFunction((n) => window.fetchlab.waterfall.rows > n, rowsSmall, { timeout: 10000 });
  const rowsFirst = (await page.evaluate(() => window.fetchlab.waterfall)).rows;
  assert.ok(rowsFirst >= 60 && rowsFirst < 70, `the first run of the history: ${rowsFirst} rows`);
  await page.screenshot({ path: path.join(artifacts, 'panel-history-run-opened.png') });
  await page.close();
});

test('without isolation the thread modes are clearly off in the mode list, with how to get them', TIMEOUT, async () => {
  const page = await s.openPage(s.labs.plainLab, '?preset=lab&n=5');
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
  // The mode combo reports no item of its own: it is the field just left of "All modes".
  const allModes = await locate(page, 'All modes');
  await page.mouse.click(allModes.x - 120, allModes.y + allModes.height / 2);
  await frames(page, 3);
  for (const mode of ['sequential', 'threads', 'pool']) {
    const item = await locate(page, `${mode}  (unavailable)`);
    assert.equal(item.enabled, false, mode);
  }
  await page.screenshot({ path: path.join(artifacts, 'panel-no-isolation-modes.png') });
  await page.keyboard.press('Escape');
  await page.close();
});

test('a failed request is a failure on the waterfall, its status in the label', TIMEOUT, async () => {
  const port = await refusedPort();
  const lab = s.labs.isolatedLab.origin;
  const urls = [`${lab}/delay?ms=300`, `${lab}/delay?ms=300&status=500`, `http://127.0.0.1:${port}/`];
  const page = await s.openPage(s.labs.isolatedLab, '?mode=async&preset=urls&autorun=1&' +
                                urls.map((u) => 'url=' + encodeURIComponent(u)).join('&'));
  const results = await page.evaluate(() => window.fetchlab.done);
  assert.equal(results.runs[0].requests[1].status, 500);
  const fit = await locate(page, 'Fit rows');
  await page.mouse.move(fit.x + 300, fit.y + fit.height * 2.5 + 2 * 17 + 8);  // over the second request's row
  await frames(page, 5);
  await page.screenshot({ path: path.join(artifacts, 'panel-failure-tooltip.png') });
  await page.close();
  s.unexpectedErrors(/127\.0\.0\.1:\d+\/|status of 500/);
});

test('no console errors on the way', () => {
  assert.deepEqual(s.unexpectedErrors(/ERR_|status of 500/), []);
});
