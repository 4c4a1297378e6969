// Benchmark, not a test: the page's figures in headless Chromium, each the median of several
// tries on a browser that is already running (the first page a browser opens also pays for
// starting its GPU process, which no page can help).
//   node tests/bench/page.mjs [tries=9]
// Needs build/native/fetchlab and build/wasm/web (bash .ci/demo or the wasm workflow builds both),
// and tests/e2e's node_modules (npm ci in tests/e2e).
//
// Prints:
// - first frame: milliseconds from navigation to the panel's first frame, with and without
//   cross-origin isolation (the threaded and the single-threaded build);
// - async, 60 x 200 ms over 10 origins and over 1: wall, wall / ideal, and the lesson's waves;
// - the browser's own floor for the same 60 requests: plain XMLHttpRequests from a blank page,
//   so the page's figure can be told apart from what the browser itself takes;
// - frame rate: the idle panel's fps (the machine's floor: what this browser draws when the page
//   has nothing else to do), then fps and the longest gap between two frames during an async run
//   of 1,000 x 200 ms over 10 origins (and 1,300, the most the page runs at once: see the README), and running / idle fps.
//   node tests/bench/page.mjs [tries=9] [frames-only]   measures only the frame rate
import { launchChromium, serve } from '../e2e/browser.mjs';

const tries = Number(process.argv[2] || 9);
const framesOnly = process.argv[3] === 'frames-only';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const span = (xs) => `median ${median(xs).toFixed(0)}  (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

async function firstFrame(browser, lab) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(lab.origin + '/');
  await page.waitForFunction(() => window.fetchlab && (window.fetchlab.firstFrameAt || window.fetchlab.error), null, { timeout: 30000 });
  const t = await page.evaluate(() => ({ ...window.fetchlab }));
  await page.close();
  if (t.error) throw new Error(t.error);
  return t;
}

async function autorun(browser, lab, query) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${lab.origin}/?${query}&autorun=1`);
  const doc = await page.evaluate(() => window.fetchlab.done);
  const lesson = await page.evaluate(() => window.fetchlab.lesson);
  await page.close();
  const run = doc.runs[0];
  return { wall: run.wall_s, ratio: run.wall_s / run.ideal_s, waves: (lesson.match(/(\d+) waves/) || [, '1'])[1] };
}

// The same 60 requests as plain XMLHttpRequests, from a page that draws nothing.
async function browserFloor(browser, lab, origins) {
  const page = await browser.newPage();
  await page.goto(lab.origin + '/lab');
  const wall = await page.evaluate(([port, origins]) => new Promise((resolve) => {
    const t0 = performance.now();
    let left = 60;
    for (let i = 0; i < 60; i++) {
      const x = new XMLHttpRequest();
      x.open('GET', `http://127.0.0.1:${port + (i % origins)}/delay?ms=200&id=floor-${t0}-${i}`);
      x.onloadend = () => { if (--left === 0) resolve((performance.now() - t0) / 1000); };
      x.send();
    }
  }), [lab.port, origins]);
  await page.close();
  return wall;
}

// Animation frames over `ms` milliseconds, or until the promise `until` (a page expression)
// resolves and one more frame is drawn (the frame that ends a run is counted whole).
const countFrames = (page, until, ms = 0) => page.evaluate(([until, ms]) => new Promise((resolve) => {
  const stamps = [];
  let value, ending = false;
  const end = () => {
    let gap = 0;
    for (let i = 1; i < stamps.length; i++) gap = Math.max(gap, stamps[i] - stamps[i - 1]);
    const span = stamps[stamps.length - 1] - stamps[0];
    resolve({ fps: (stamps.length - 1) / (span / 1000), gap, value });
  };
  const step = (t) => {
    stamps.push(t);
    if (ending) end();
    else requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
  if (until) {
    (0, eval)(until).then((doc) => {
      // Only what the benchmark prints comes back: a whole document takes long to pass.
      value = { error: doc.error, runs: doc.runs.map((r) => ({ n: r.n, ok: r.ok, wall_s: r.wall_s })) };
      ending = true;
    });
  } else {
    setTimeout(() => { ending = true; }, ms);
  }
}), [until, ms]);

// Idle fps, then fps and the longest frame gap while window.fetchlab.run() runs the query's settings.
async function frameRate(browser, lab, query) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${lab.origin}/?${query}`);
  await page.waitForFunction(() => window.fetchlab && window.fetchlab.firstFrameAt, null, { timeout: 30000 });
  await page.waitForTimeout(1500);  // the thread pool warms up beside the first frames
  const idle = await countFrames(page, null, 3000);
  const run = await countFrames(page, 'window.fetchlab.run()');
  await page.close();
  const doc = run.value;
  if (doc.error) throw new Error(doc.error);
  return { idle: idle.fps, idleGap: idle.gap, fps: run.fps, gap: run.gap, ok: doc.runs[0].ok, n: doc.runs[0].n,
           wall: doc.runs[0].wall_s };
}

const [isolated, plain] = await Promise.all([serve('--ports', '10'), serve('--ports', '1', '--no-isolation')]);
const browser = await launchChromium();
try {
  await firstFrame(browser, isolated);  // starts the browser's GPU process
  console.log(`fetchlab page benchmark: ${tries} tries each, ${browser.version()}`);
  for (const n of [1000, 1300]) {
    const rows = [];
    for (let i = 0; i < tries; i++) rows.push(await frameRate(browser, isolated, `mode=async&preset=lab&n=${n}&latency=200&origins=10`));
    const f = (key, digits = 0) => `${median(rows.map((r) => r[key])).toFixed(digits)} (min ${Math.min(...rows.map((r) => r[key])).toFixed(digits)}, max ${Math.max(...rows.map((r) => r[key])).toFixed(digits)})`;
    console.log(`frames, async ${n} x 200 ms over 10 origins: idle ${f('idle')} fps (the floor; longest idle gap ${f('idleGap')} ms);` +
                ` during the run ${f('fps')} fps, longest gap ${f('gap')} ms; running / idle ${median(rows.map((r) => r.fps / r.idle)).toFixed(2)};` +
                ` wall ${f('wall', 2)} s, ok ${median(rows.map((r) => r.ok))} of ${n}`);
  }
  if (!framesOnly) {
    for (const [name, lab] of [['cross-origin isolated (threads)', isolated], ['not isolated (no threads)', plain]]) {
      const rows = [];
      for (let i = 0; i < tries; i++) rows.push(await firstFrame(browser, lab));
      console.log(`first frame, ${name}: ${span(rows.map((r) => r.firstFrameAt))} ms after navigation;` +
                  ` script ${median(rows.map((r) => r.scriptStartAt)).toFixed(0)}, module ready` +
                  ` ${median(rows.map((r) => r.runtimeReadyAt)).toFixed(0)}`);
    }
    for (const origins of [10, 1]) {
      const runs = [];
      for (let i = 0; i < tries; i++) runs.push(await autorun(browser, isolated, `mode=async&preset=lab&n=60&latency=200&origins=${origins}`));
      const floors = [];
      for (let i = 0; i < tries; i++) floors.push(await browserFloor(browser, isolated, origins));
      console.log(`async 60 x 200 ms over ${origins} origin${origins > 1 ? 's' : ''}: wall ${span(runs.map((r) => r.wall * 1000))} ms,` +
                  ` wall/ideal ${median(runs.map((r) => r.ratio)).toFixed(2)}, waves ${median(runs.map((r) => Number(r.waves)))};` +
                  ` the browser's own floor (plain XHR, blank page) ${span(floors.map((f) => f * 1000))} ms`);
    }
  }
} finally {
  await browser.close();
  isolated.child.kill('SIGTERM');
  plain.child.kill('SIGTERM');
}
