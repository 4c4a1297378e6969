// The browser page end to end: Debian's chromium, headless, driven by playwright-core, against
// `fetchlab serve` on loopback. Needs the native and wasm builds (build/native, build/wasm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accounted, artifacts, press, refusedPort, session } from './session.mjs';

const s = session({ isolatedLab: ['--ports', '2'], plainLab: ['--ports', '2', '--no-isolation'],
                    wideLab: ['--ports', '10'] });
const openPage = (...a) => s.openPage(...a);
const autorun = (...a) => s.autorun(...a);
const consoleErrors = s.consoleErrors;

test('the page is cross-origin isolated and draws the panel, which changes after a run', async () => {
  const page = await openPage(s.labs.isolatedLab);
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  const before = await page.screenshot({ path: path.join(artifacts, 'idle.png') });
  // A blank canvas compresses to almost nothing; the panel's text and widgets do not.
  assert.ok(before.length > 8000, `screenshot of the idle panel is ${before.length} bytes`);
  await page.goto(`${s.labs.isolatedLab.origin}/?mode=all&preset=seed&origins=2&autorun=1`);
  await page.evaluate(() => window.fetchlab.done);
  await page.waitForTimeout(300);
  const afterRun = await page.screenshot({ path: path.join(artifacts, 'seed-all.png') });
  assert.notDeepEqual(afterRun, before);
  await page.close();
});

test('every mode runs 10 x 200 ms over 2 origins with every request accounted for', async () => {
  const wall = {};
  for (const mode of ['sequential', 'threads', 'async', 'pool', 'bounded']) {
    const { page, results } = await autorun(s.labs.isolatedLab, `mode=${mode}&preset=lab&n=10&latency=200&origins=2&workers=10`);
    assert.equal(results.runs.length, 1);
    const run = results.runs[0];
    accounted(run);
    assert.equal(run.ok, 10, `${mode}: all ok (${JSON.stringify(run.requests.filter((r) => r.error))})`);
    // Phases from the browser's own timing. On the main thread every request has them; a worker
    // doing synchronous requests back to back may not see a request's entry before its next one
    // (the browser adds it in a later task), so there most requests have them, never out of order.
    const timed = run.requests.filter((r) => r.connect_s !== null);
    for (const r of timed) {
      assert.ok(r.connect_start_s <= r.connect_s && r.first_byte_s >= r.connect_s && r.end_s >= r.first_byte_s,
                `${mode}: phases of ${JSON.stringify(r)}`);
    }
    const onMainThread = mode === 'async' || mode === 'bounded';
    assert.ok(timed.length >= (onMainThread ? 10 : 8), `${mode}: ${timed.length} of 10 requests have their phases`);
    assert.ok(run.requests.filter((r) => r.connect_start_s !== null).length >= 8, `${mode}: connect starts`);
    wall[mode] = run.wall_s;
    await page.close();
  }
  for (const mode of ['threads', 'async']) {
    assert.ok(wall.sequential >= 3 * wall[mode], `${mode} ${wall[mode]} s vs sequential ${wall.sequential} s`);
  }
});

test('without cross-origin isolation async still runs and thread modes say why they are off', async () => {
  const { page, results } = await autorun(s.labs.plainLab, 'mode=async&preset=lab&n=10&latency=100&origins=2');
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
  accounted(results.runs[0]);
  assert.equal(results.runs[0].ok, 10);
  await page.screenshot({ path: path.join(artifacts, 'not-isolated.png') });
  await page.close();

  const refused = await autorun(s.labs.plainLab, 'mode=threads&preset=lab&n=4&latency=50');
  assert.equal(refused.results.runs.length, 0);
  assert.match(refused.results.error, /cross-origin isolated/);
  await refused.page.close();
});

test('a 500, an unreachable origin and malformed URLs end as named errors', async () => {
  const port = await refusedPort();
  const urls = [`${s.labs.isolatedLab.origin}/delay?ms=50`, `${s.labs.isolatedLab.origin}/delay?status=500`, `http://127.0.0.1:${port}/`,
                'http://[::1', 'ftp://127.0.0.1/file'];
  const query = 'mode=async&preset=urls&' + urls.map((u) => 'url=' + encodeURIComponent(u)).join('&');
  const { page, results } = await autorun(s.labs.isolatedLab, query);
  const run = results.runs[0];
  accounted(run);
  assert.equal(run.ok, 1);
  assert.equal(run.requests[1].error, 'http status');
  assert.equal(run.requests[1].status, 500);
  assert.equal(run.requests[2].error, 'network');
  assert.equal(run.requests[3].error, 'bad url');
  assert.equal(run.requests[4].error, 'bad url');
  await page.close();
  // The refused origin is expected to log a network error in the console; nothing else may.
  const unexpected = consoleErrors.filter((e) => !e.includes(`127.0.0.1:${port}`) && !/status of 500/.test(e));
  consoleErrors.length = 0;
  assert.deepEqual(unexpected, []);
});

test('60 async requests to one origin run in 10 waves of 6; over 10 origins in one', async () => {
  const one = await autorun(s.labs.wideLab, 'mode=async&preset=lab&n=60&latency=200&origins=1');
  const narrow = one.results.runs[0];
  accounted(narrow);
  assert.equal(narrow.ok, 60);
  assert.ok(narrow.wall_s >= 1.8, `one origin: ${narrow.wall_s} s`);
  const lesson = await one.page.evaluate(() => window.fetchlab.lesson);
  // The count itself is about 10 (the page stamps each end when its event loop gets to it,
  // sometimes a frame late); the lesson must say that the requests came in waves, and why.
  assert.match(lesson, /to one origin ran in \d+ waves of (up to )?\d+/);
  assert.match(lesson, /6 connections per origin/);
  // The browser's own timing says which requests waited for a free connection: beyond the first
  // 6, every one of them, for at least most of a 200 ms wave. The lab closes each connection after
  // its answer, so all but the few the page itself left open (this is its origin) are new.
  const waited = narrow.requests.map((r) => r.connect_start_s - r.start_s).sort((a, b) => a - b);
  const ordered = (r) => r.connect_start_s !== null && r.connect_s >= r.connect_start_s && r.first_byte_s >= r.connect_s;
  assert.ok(narrow.requests.every(ordered), JSON.stringify(narrow.requests.find((r) => !ordered(r))));
  assert.ok(narrow.requests.filter((r) => r.new_connection).length >= 54,
            `new connections: ${narrow.requests.filter((r) => r.new_connection).length} of 60`);
  assert.ok(waited[6] >= 0.15, `the 7th shortest wait for a connection: ${waited[6]} s`);
  assert.ok(waited[5] < 0.1, `the 6th shortest wait for a connection: ${waited[5]} s`);
  await one.page.screenshot({ path: path.join(artifacts, 'waves-1-origin.png') });
  await one.page.close();

  const ten = await autorun(s.labs.wideLab, 'mode=async&preset=lab&n=60&latency=200&origins=10');
  const wide = ten.results.runs[0];
  accounted(wide);
  assert.equal(wide.ok, 60);
  // The wall/ideal figure itself is a benchmark (it depends on the machine); the ratio is robust.
  assert.ok(2 * wide.wall_s <= narrow.wall_s, `10 origins: ${wide.wall_s} s, one origin: ${narrow.wall_s} s`);
  console.log(`# async 60 x 200 ms: one origin ${narrow.wall_s.toFixed(2)} s, 10 origins ${wide.wall_s.toFixed(2)} s ` +
              `(${(wide.wall_s / wide.ideal_s).toFixed(2)} x ideal)`);
  await ten.page.screenshot({ path: path.join(artifacts, 'waves-10-origins.png') });
  await ten.page.close();
});

test('every run started with the Run button publishes its results', async () => {
  const page = await openPage(s.labs.isolatedLab, '?mode=async&preset=lab&n=6&latency=50&origins=2');
  assert.equal(await page.evaluate(() => window.fetchlab.published), 0);
  for (let n = 1; n <= 2; ++n) {
    await press(page, 'Run');
    await page.waitForFunction((count) => window.fetchlab.published >= count, n, { timeout: 30000 });
    const results = await page.evaluate(() => window.fetchlab.results);
    assert.equal(results.runs.length, 1);
    assert.equal(results.runs[0].mode, 'async');
    accounted(results.runs[0]);
    assert.equal(results.runs[0].ok, 6);
  }
  assert.equal(await page.evaluate(() => window.fetchlab.published), 2);
  // `done` resolved with the first document; `results` holds the latest.
  assert.equal(await page.evaluate(() => window.fetchlab.done.then((first) => first !== window.fetchlab.results)), true);
  await page.close();
});

test('the error document is JSON whatever bytes its message holds', async () => {
  const page = await openPage(s.labs.isolatedLab);
  const doc = await page.evaluate(() => {
    const text = new TextEncoder().encode('a "quoted" word, a \\ backslash,\na new line, a \u0001 and bad bytes: ');
    const bytes = new Uint8Array([...text, 0xff, 0xfe, 0x41, 0xc3]);
    window.fetchlab.testPublishError(bytes);
    return window.fetchlab.results;
  });
  assert.equal(doc.error, 'a "quoted" word, a \\ backslash,\na new line, a \u0001 and bad bytes: \uFFFD\uFFFDA\uFFFD');
  assert.deepEqual(doc.runs, []);
  assert.match(doc.fetchlab, /^\d+\.\d+/);
  assert.equal(await page.evaluate(() => window.fetchlab.published), 1);
  await page.close();
});

// Last of the runs, and on a lab of its own: after resets the browser's connection pool for that
// origin is not what the waves test expects of a fresh one.
test('the flaky preset: each fault the lab injects ends as a named error, the rest ok', async () => {
  const { page, results } = await autorun(s.labs.plainLab, 'mode=async&preset=flaky&n=25&latency=0&origins=1');
  const run = results.runs[0];
  accounted(run);
  // Ids 5, 10, 20 and 25 are reset, closed mid-body, answered with bytes that are not HTTP and
  // truncated: a browser tells them apart no further than a network error. Id 15 is trickled,
  // slow but whole; fail=10 makes ids 11 and 19 a 500.
  for (const id of [5, 10, 20, 25]) assert.equal(run.requests[id - 1].error, 'network', `request ${id}`);
  for (const id of [11, 19]) {
    assert.equal(run.requests[id - 1].error, 'http status', `request ${id}`);
    assert.equal(run.requests[id - 1].status, 500);
  }
  assert.equal(run.requests[14].error, null);
  assert.equal(run.ok, 19);
  await page.close();
  // The browser logs each failed request; nothing else may be logged.
  const unexpected = consoleErrors.filter((e) => !/fault=|status of 500|ERR_/.test(e));
  consoleErrors.length = 0;
  assert.deepEqual(unexpected, []);
});

test('no console errors on the way', () => {
  assert.deepEqual(consoleErrors, []);
});
