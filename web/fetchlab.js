// The page around the WebAssembly module: checks what the browser offers, loads the build that
// fits (threads need cross-origin isolation), passes the query's settings, and exposes the results
// to tests and workshops: window.fetchlab.results (the latest document), window.fetchlab.done (the
// first one) and window.fetchlab.published (how many so far). window.fetchlab.run() and cancel()
// do what the panel's Run and Cancel buttons do. Each document is also shown as page text (#report).
'use strict';
(function () {
  const text = document.getElementById('loading-text');
  const problem = document.getElementById('problem');

  function say(message) { text.textContent = message; }
  function fail(message) {
    document.getElementById('loading').hidden = true;
    problem.textContent = message;
    problem.hidden = false;
    window.fetchlab.error = message;
  }

  // "1.31 s", "12 ms": as the panel writes durations (src/ui/panel.cpp, format_seconds).
  function seconds(s) {
    if (s === null || s === undefined) return '–';
    return (s >= 0.0995 || s <= 0) ? Math.max(s, 0).toFixed(2) + ' s' : (s * 1000).toFixed(0) + ' ms';
  }

  // The lesson and the results table of a published document, as text in #report.
  function showReport(doc, lesson) {
    document.getElementById('report-lesson').textContent = lesson || doc.error || '';
    const table = document.getElementById('report-table');
    const body = table.tBodies[0];
    body.replaceChildren();
    table.hidden = doc.runs.length === 0;
    if (table.hidden) return;
    document.getElementById('report-caption').textContent =
      doc.runs[0].workload + ': ' + doc.runs[0].n + ' requests' + (doc.runs.length > 1 ? ', ' + doc.runs.length + ' modes' : '');
    for (const run of doc.runs) {
      const usesWorkers = run.mode === 'pool' || run.mode === 'bounded';
      // The panel's columns and rules (src/ui/results_table.cpp): a cancelled run's wall is when it
      // was stopped, and a run that did less than the work has no wall/ideal and no speedup.
      const cells = [run.mode, usesWorkers ? run.workers : '–', run.n,
                     run.cancelled > 0 ? 'cancelled' : seconds(run.wall_s), seconds(run.ideal_s),
                     run.comparable && run.ideal_s > 0 ? (run.wall_s / run.ideal_s).toFixed(2) : '–',
                     run.speedup === null ? '–' : run.speedup.toFixed(1) + '×',
                     run.ok, run.failed, run.cancelled, run.peak_started,
                     run.peak_on_wire === null ? '?' : run.peak_on_wire];
      const row = body.insertRow();
      cells.forEach((value, i) => {
        const cell = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) cell.scope = 'row';
        cell.textContent = String(value);
        row.appendChild(cell);
      });
    }
  }

  const toggle = document.getElementById('report-toggle');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    document.getElementById('report').classList.toggle('collapsed', !open);
  });

  let resolveDone, resolveDrawn;
  const drawn = new Promise((resolve) => { resolveDrawn = resolve; });
  const waitingRuns = [];  // run()'s promises, resolved by the next document published
  window.fetchlab = {
    results: null,
    published: 0,
    error: null,
    origins: [],
    isolated: !!(self.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined'),
    done: new Promise((resolve) => { resolveDone = resolve; }),
    // Called by the module whenever a run (or a "run all") finishes, however it was started, with
    // the CLI's --json document (and the lesson box's text, as window.fetchlab.lesson).
    publish(json, lesson) {
      const doc = JSON.parse(json);
      window.fetchlab.results = doc;
      window.fetchlab.lesson = lesson;
      window.fetchlab.published += 1;
      showReport(doc, lesson);
      resolveDone(doc);
      waitingRuns.splice(0).forEach((resolve) => resolve(doc));
    },
    // Starts a run with the panel's current settings, as its Run button does. Resolves with the
    // document published when the run (or "run all") ends, or at once with an error document
    // ({error, runs: []}) saying why it did not start, as the panel's red line does.
    run() {
      return drawn.then(() => new Promise((resolve) => {
        window.fetchlab.refusal = null;
        if (Module._fetchlab_run()) waitingRuns.push(resolve);
        else resolve(JSON.parse(window.fetchlab.refusal));
      }));
    },
    refused(json) { window.fetchlab.refusal = json; },
    // As the panel's Cancel button: what has not finished is recorded as cancelled, and run()'s
    // promise resolves with that document. Returns whether there was a run to cancel.
    cancel() {
      return window.fetchlab.firstFrameAt ? Module._fetchlab_cancel() === 1 : false;
    },
    // For tests that press the panel's buttons with the mouse: track('Run') makes the module report
    // where each frame draws that item, into items.Run ({x, y, width, height, enabled}, CSS pixels).
    tracked: new Set(),
    items: {},
    track(label) { window.fetchlab.tracked.add(label); },
    itemDrawn(label, x0, y0, x1, y1, enabled) {
      const name = label.split('##')[0].trim();
      if (!window.fetchlab.tracked.has(name)) return;
      // ImGui lays out in the canvas's pixels; the page's events are in CSS pixels.
      const canvas = document.getElementById('canvas');
      const box = canvas.getBoundingClientRect();
      const sx = box.width / canvas.width, sy = box.height / canvas.height;
      window.fetchlab.items[name] = { x: box.left + x0 * sx, y: box.top + y0 * sy, width: (x1 - x0) * sx,
                                      height: (y1 - y0) * sy, enabled };
    },
    // For tests: the module publishes the error document for these bytes (a Uint8Array).
    testPublishError(bytes) {
      window.fetchlab.testBytes = bytes;
      Module._fetchlab_test_publish_error(bytes.length);
    },
    fail,
    firstFrame() {
      window.fetchlab.firstFrameAt = performance.now();
      document.getElementById('loading').hidden = true;
      toggle.hidden = false;
      resolveDrawn();
    },
  };

  window.fetchlab.scriptStartAt = performance.now();
  window.fetchlab.noWebGL2 = () => fail('fetchlab draws with WebGL2, and this browser (or its settings) does not offer it.');
  if (typeof WebGL2RenderingContext === 'undefined') {
    window.fetchlab.noWebGL2();
    return;
  }
  if (typeof WebAssembly !== 'object') {
    fail('fetchlab runs in WebAssembly, and this browser (or its settings) does not offer it.');
    return;
  }

  // The settings come from the query: ?mode=all&preset=lab&n=10&latency=200&origins=2&autorun=1
  const args = [];
  for (const [key, value] of new URLSearchParams(location.search)) args.push(key + '=' + value);

  async function labOrigins() {
    // The lab lists its ports: each is an origin to spread requests over. Served elsewhere, there is none.
    try {
      const response = await fetch('/lab', { cache: 'no-store' });
      if (!response.ok) return [];
      const info = await response.json();
      return info.ports.map((port) => location.protocol + '//' + location.hostname + ':' + port);
    } catch (e) {
      return [];
    }
  }

  // Threads need cross-origin isolation, and a threaded module cannot even load without it.
  const build = window.fetchlab.isolated ? 'fetchlab-mt' : 'fetchlab-st';
  say(window.fetchlab.isolated ? 'Loading, and starting threads…'
                               : 'Loading (this page is not cross-origin isolated: async mode only)…');

  // Both halves of the module start downloading now, and the wasm compiles on background threads
  // from its first bytes, while this thread makes the WebGL2 context below.
  const preload = document.createElement('link');
  preload.rel = 'preload';
  preload.as = 'script';
  preload.href = build + '.js';
  document.head.appendChild(preload);
  const wasm = build + '.wasm';
  const streamed = WebAssembly.compileStreaming
    ? WebAssembly.compileStreaming(fetch(wasm, { credentials: 'same-origin' }))
    : Promise.reject(new TypeError('no streaming compilation'));
  const compiled = streamed.catch((e) => {
    // A server that does not say application/wasm (a TypeError) cannot stream: compile the whole
    // file instead. A CompileError is this browser's answer to the code itself, and stands.
    if (!(e instanceof TypeError)) throw e;
    return fetch(wasm, { credentials: 'same-origin' }).then((response) => {
      if (!response.ok) throw new Error('HTTP ' + response.status + ' for ' + wasm + ': was the wasm build served with the page?');
      return response.arrayBuffer();
    }).then((bytes) => WebAssembly.compile(bytes));
  });
  compiled.catch(() => {});  // reported when the module asks for it, in instantiateWasm
  const origins = labOrigins().then((list) => { window.fetchlab.origins = list; });

  // The module takes this context over (GL_PREINITIALIZED_CONTEXT). Made here, the 150-450 ms it
  // takes with a software GPU overlap the downloads instead of following them. Sized first, so its
  // drawing buffer is made once; the panel needs no depth, stencil or multisampling, and an
  // opaque canvas composites faster.
  const canvas = document.getElementById('canvas');
  // The same sizing as the module's (web/main.cpp, fit_canvas), so it keeps this drawing buffer.
  const box = canvas.getBoundingClientRect();
  canvas.width = Math.round(box.width * (window.devicePixelRatio || 1)) || 1280;
  canvas.height = Math.round(box.height * (window.devicePixelRatio || 1)) || 800;
  const gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false });
  if (!gl) {
    window.fetchlab.noWebGL2();
    return;
  }

  window.Module = {
    canvas,
    preinitializedWebGLContext: gl,
    arguments: args,
    print: (line) => console.log(line),
    printErr: (line) => console.warn(line),
    setStatus: (status) => { if (status) say(status); },
    onAbort: (what) => fail('fetchlab stopped: ' + what),
    onRuntimeInitialized: () => { window.fetchlab.runtimeReadyAt = performance.now(); },
    instantiateWasm: (imports, receiveInstance) => {
      compiled.then((module) => WebAssembly.instantiate(module, imports).then((instance) => receiveInstance(instance, module)))
              .catch((e) => fail(e instanceof WebAssembly.CompileError
                ? 'This browser cannot run fetchlab\'s WebAssembly (' + e.message + ').'
                : 'Could not load ' + wasm + ': ' + e.message));
      return {};  // the exports arrive through receiveInstance
    },
    // main() reads the lab's origins: it waits for them, the module's loading does not.
    preRun: [() => {
      Module.addRunDependency('lab-origins');
      origins.then(() => Module.removeRunDependency('lab-origins'));
    }],
  };
  const tag = document.createElement('script');
  tag.src = build + '.js';
  tag.onerror = () => fail('Could not load ' + tag.src + ': was the wasm build served with the page?');
  document.body.appendChild(tag);
})();
