// The page's figures name what they measure: requests started vs on the wire, failed vs
// cancelled, waves counted from the browser's own timing, no speed for a run that failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { accounted, artifacts, refusedPort, session } from './session.mjs';

const s = session({ lab: ['--ports', '2'] });

test('async to one origin: 20 started at once, at most the browser cap on the wire, waves of up to that', async () => {
  const { page, results } = await s.autorun(s.labs.lab, 'mode=async&preset=lab&n=20&latency=200&origins=1');
  const run = results.runs[0];
  accounted(run);
  assert.equal(run.ok, 20);
  assert.equal(run.failed, 0);
  assert.equal(run.cancelled, 0);
  assert.equal(run.comparable, true);
  // The page handed all 20 to the browser at once; the browser let about 6 at a time go (a
  // callback a busy frame late can make one more seem on the wire).
  assert.equal(run.peak_started, 20);
  assert.ok(run.peak_on_wire >= 6 && run.peak_on_wire <= 8, `peak on the wire: ${run.peak_on_wire}`);
  const lesson = await page.evaluate(() => window.fetchlab.lesson);
  const said = lesson.match(/20 requests to one origin ran in (\d+) waves of (up to )?(\d+)/);
  assert.ok(said, lesson);
  const [waves, most] = [Number(said[1]), Number(said[3])];
  assert.equal(most, run.peak_on_wire, lesson);
  assert.equal(waves, Math.ceil(20 / most), lesson);
  assert.doesNotMatch(lesson, /waves of about/);
  console.log(`# async 20 x 200 ms, one origin: peak started ${run.peak_started}, on the wire ${run.peak_on_wire}; ` +
              `"${said[0]}"`);
  await page.screenshot({ path: path.join(artifacts, 'numbers-started-vs-on-wire.png') });
  await page.close();
});

test('a run whose requests failed counts them as failed, gets no speed, and the lesson says what failed', async () => {
  const port = await refusedPort();
  const urls = [`${s.labs.lab.origin}/delay?ms=50`, `${s.labs.lab.origin}/delay?ms=50&status=500`,
                `http://127.0.0.1:${port}/`];
  const query = 'mode=all&preset=urls&' + urls.map((u) => 'url=' + encodeURIComponent(u)).join('&');
  const { page, results } = await s.autorun(s.labs.lab, query);
  assert.ok(results.runs.length >= 2, JSON.stringify(results.runs.map((r) => r.mode)));
  for (const run of results.runs) {
    accounted(run);
    assert.equal(run.failed, 2, `${run.mode}: ${JSON.stringify(run.requests.map((r) => r.error))}`);
    assert.equal(run.cancelled, 0);
    assert.equal(run.errors, run.failed + run.cancelled);
    assert.equal(run.comparable, false);
    assert.equal(run.speedup, null);
  }
  const lesson = await page.evaluate(() => window.fetchlab.lesson);
  assert.doesNotMatch(lesson, /faster/);
  // Every mode failed the same two: one sentence names them all and what failed.
  assert.match(lesson, /async.*: 2 of 3 requests failed in each \(1 http status, 1 network\), so their times are no result to compare\./i);
  await page.screenshot({ path: path.join(artifacts, 'numbers-failed-not-credited.png') });
  await page.close();
  s.unexpectedErrors(/127\.0\.0\.1|status of 500/);
});
