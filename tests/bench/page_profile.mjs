// Profiler, not a test: where the page's main thread spends an async run, from Chromium's own
// sampling profiler (CDP Profiler). Prints the functions by self time, then the longest busy
// stretches (no idle sample: a frame gap at least that long) with what ran inside each.
//   node tests/bench/page_profile.mjs [n=1000]
// Function names need a build linked with --profiling-funcs:
//   cmake -B build/wasm -DCMAKE_EXE_LINKER_FLAGS=--profiling-funcs && cmake --build build/wasm
import { launchChromium, serve } from '../e2e/browser.mjs';

const n = Number(process.argv[2] || 1000);
const lab = await serve('--ports', '10');
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${lab.origin}/?mode=async&preset=lab&n=${n}&latency=200&origins=10`);
  await page.waitForFunction(() => window.fetchlab && window.fetchlab.firstFrameAt, null, { timeout: 30000 });
  await page.waitForTimeout(1500);  // the thread pool warms up beside the first frames
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  const run = await page.evaluate(() => window.fetchlab.run().then((d) => ({ wall: d.runs[0].wall_s, ok: d.runs[0].ok })));
  const { profile } = await cdp.send('Profiler.stop');
  console.log(`async ${n} x 200 ms over 10 origins: wall ${run.wall.toFixed(2)} s, ${run.ok} ok (profiled)`);

  const node = new Map(profile.nodes.map((nd) => [nd.id, nd]));
  const parent = new Map();
  for (const nd of profile.nodes) for (const c of nd.children || []) parent.set(c, nd.id);
  const name = (id) => node.get(id).callFrame.functionName || `(${node.get(id).callFrame.url.split('/').pop() || 'native'})`;
  const dt = profile.timeDeltas;
  const ms = (us) => (us / 1000).toFixed(0).padStart(6) + ' ms';
  // Inclusive time of each function over samples [a, b): a function counts once per sample.
  const inclusive = (a, b) => {
    const t = new Map();
    for (let i = a; i < b; i++) {
      const seen = new Set();
      for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
        const f = name(id);
        if (!seen.has(f)) t.set(f, (t.get(f) || 0) + (dt[i] || 0));
        seen.add(f);
      }
    }
    return [...t.entries()].sort((x, y) => y[1] - x[1]);
  };

  const self = new Map();
  profile.samples.forEach((id, i) => self.set(name(id), (self.get(name(id)) || 0) + (dt[i] || 0)));
  console.log('self time:');
  for (const [f, us] of [...self.entries()].sort((x, y) => y[1] - x[1]).slice(0, 15)) console.log(ms(us), f.slice(0, 110));

  const stretches = [];
  let from = null, at = 0, began = 0;
  profile.samples.forEach((id, i) => {
    const idle = name(id) === '(idle)';
    if (!idle && from === null) [from, began] = [i, at];
    if (idle && from !== null) {
      stretches.push({ from, to: i, began, us: at - began });
      from = null;
    }
    at += dt[i] || 0;
  });
  for (const s of stretches.sort((x, y) => y.us - x.us).slice(0, 4)) {
    console.log(`busy ${ms(s.us).trim()} from +${ms(s.began).trim()}:`);
    for (const [f, us] of inclusive(s.from, s.to).slice(1, 13)) console.log('   ', ms(us), f.slice(0, 100));
  }
} finally {
  await browser.close();
  lab.child.kill('SIGTERM');
}
