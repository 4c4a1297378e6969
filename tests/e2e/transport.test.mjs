// The browser transport end to end: timeouts in every mode, a cancel that does not wait for a
// synchronous request, errors named as precisely as the browser allows, the browser's limit on
// requests in flight, and no CPU figure the page cannot measure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accounted, artifacts, frames, press, refusedPort, session } from './session.mjs';

const s = session({ lab: ['--ports', '2'], wideLab: ['--ports', '10'] });
const urlsQuery = (mode, urls) => `mode=${mode}&preset=urls&` + urls.map((u) => 'url=' + encodeURIComponent(u)).join('&');

// Presses Run until a run starts (the Cancel button shows): thread modes wait for the page's
// pool of threads, which warms up just after the first frames.
async function startWithRun(page) {
  await page.evaluate(() => window.fetchlab.track('Cancel'));
  for (let attempt = 0; attempt < 20; ++attempt) {
    await press(page, 'Run');
    const started = await page.waitForFunction(() => window.fetchlab.items.Cancel, null, { timeout: 1000 })
      .then(() => true, () => false);
    if (started) return;
  }
  throw new Error('the Run button started no run in 20 tries');
}

test('timeout: a 5 s request with timeout=2000 ends as a timeout at about 2 s, in every mode', async () => {
  for (const mode of ['sequential', 'threads', 'pool', 'async', 'bounded']) {
    const { page, results } = await s.autorun(s.labs.lab, `mode=${mode}&preset=lab&n=2&latency=5000&workers=2&timeout=2000`);
    const run = results.runs[0];
    accounted(run);
    for (const r of run.requests) {
      assert.equal(r.error, 'timeout', `${mode}: ${JSON.stringify(r)}`);
      assert.match(r.message, /within the timeout of 2000 ms/);
      const took = r.end_s - r.start_s;
      assert.ok(took >= 1.9 && took < 3.5, `${mode}: the request ended after ${took} s`);
    }
    await page.close();
  }
});

test('cancel: the Cancel button ends a sequential run of 8 s requests at once, the rest cancelled', async () => {
  const page = await s.openPage(s.labs.lab, '?mode=sequential&preset=lab&n=3&latency=8000');
  await startWithRun(page);
  await page.waitForTimeout(1000);  // well inside the first request, which the worker is blocked in
  await press(page, 'Cancel');
  const pressed = Date.now();
  await page.waitForFunction(() => window.fetchlab.published >= 1, null, { timeout: 10000 });
  const took = (Date.now() - pressed) / 1000;
  assert.ok(took < 1, `results published ${took} s after the cancel`);
  const run = (await page.evaluate(() => window.fetchlab.results)).runs[0];
  accounted(run);
  assert.equal(run.ok, 0);
  assert.equal(run.cancelled, 3);
  assert.ok(run.wall_s < 4, `the cancelled run's wall time is ${run.wall_s} s`);
  // The worker still waits for its request in the background; the panel does not.
  const t0 = Date.now();
  await frames(page, 30);
  assert.ok(Date.now() - t0 < 3000, `30 frames took ${Date.now() - t0} ms after the cancel`);
  await page.screenshot({ path: path.join(artifacts, 'transport-cancelled-sequential.png') });
  await page.close();
});

test('errors: a malformed URL is a bad url, a lab origin that refuses could not connect, elsewhere the CORS caveat', async () => {
  const labDown = await refusedPort();   // listed by the lab as one of its origins, with nothing there
  const elsewhere = await refusedPort(); // not the lab's
  const urls = ['example.com/x', 'http//x', ':::', `http://127.0.0.1:${labDown}/delay?ms=10`,
                `http://127.0.0.1:${elsewhere}/delay?ms=10`, `${s.labs.lab.origin}/delay?ms=10`];
  for (const mode of ['sequential', 'async']) {
    const page = await s.browser.newPage();
    await page.route('**/lab', (route) => route.fulfill({ json: { ports: [s.labs.lab.port, labDown], faults: {} } }));
    await page.goto(`${s.labs.lab.origin}/?${urlsQuery(mode, urls)}&autorun=1`);
    const run = (await page.evaluate(() => window.fetchlab.done)).runs[0];
    accounted(run);
    const [a, b, c, down, other, fine] = run.requests;
    for (const r of [a, b, c]) {
      assert.equal(r.error, 'bad url', `${mode}: ${JSON.stringify(r)}`);
      assert.match(r.message, /not an absolute URL/);
    }
    assert.equal(down.error, 'network', `${mode}: ${JSON.stringify(down)}`);
    assert.match(down.message, /^could not connect/);
    assert.doesNotMatch(down.message, /CORS|cross-origin/);
    assert.equal(other.error, 'network');
    assert.match(other.message, /refused cross-origin reads/);
    assert.equal(fine.error, null);
    if (mode === 'async') await page.screenshot({ path: path.join(artifacts, 'transport-named-errors.png') });
    await page.close();
  }
  s.unexpectedErrors(/ERR_CONNECTION_REFUSED/);
});

test('at scale: the browser holds 1,350 requests in flight; the page refuses async above 1,300 and runs 1,300', async () => {
  // The browser's own limit, measured with plain XMLHttpRequests from a page of the lab: all
  // started at once, 2 s each, over 10 origins. Past the limit Chromium fails them at once.
  const probe = await s.browser.newPage();
  await probe.goto(`${s.labs.wideLab.origin}/health`);
  const ports = await probe.evaluate(() => fetch('/lab').then((r) => r.json()).then((j) => j.ports));
  const counted = await probe.evaluate(async (ports) => {
    let ok = 0;
    await Promise.all(Array.from({ length: 1600 }, (_, i) => new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', `http://127.0.0.1:${ports[i % ports.length]}/delay?ms=2000&id=${i}`);
      xhr.onload = () => { ok += 1; resolve(); };
      xhr.onerror = resolve;
      xhr.send();
    })));
    return ok;
  }, ports);
  console.log(`# the browser answered ${counted} of 1600 requests started at once`);
  assert.equal(counted, 1350);
  await probe.close();
  s.unexpectedErrors(/ERR_INSUFFICIENT_RESOURCES/);

  const refused = await s.autorun(s.labs.wideLab, 'mode=async&preset=lab&n=5000&latency=200&origins=10');
  assert.equal(refused.results.runs.length, 0);
  assert.match(refused.results.error, /at most 1300 requests in flight here.*N is 5000; bounded runs any N/);
  await refused.page.close();

  const { page, results } = await s.autorun(s.labs.wideLab, 'mode=async&preset=lab&n=1300&latency=200&origins=10');
  const run = results.runs[0];
  accounted(run);
  assert.equal(run.ok, 1300, JSON.stringify(run.requests.find((r) => r.error)));
  await page.close();
});

test('cpu_s: an async run that only waits reports no CPU figure it cannot measure', async () => {
  const { page, results } = await s.autorun(s.labs.lab, 'mode=async&preset=lab&n=20&latency=1000&origins=2');
  const run = results.runs[0];
  accounted(run);
  assert.ok(run.cpu_s === null || run.cpu_s < 0.5 * run.wall_s, `cpu_s ${run.cpu_s} against wall ${run.wall_s}`);
  await page.close();
});

test('no unexpected console errors', () => {
  assert.deepEqual(s.unexpectedErrors(), []);
});
