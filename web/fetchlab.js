// The page around the WebAssembly module: checks what the browser offers, loads the build that
// fits (threads need cross-origin isolation), passes the query's settings, and exposes the results
// to tests and workshops as window.fetchlab.results and the window.fetchlab.done promise.
'use strict';
(function () {
  const text = document.getElementById('loading-text');
  const bar = document.getElementById('loading-bar');
  const problem = document.getElementById('problem');

  function say(message) { text.textContent = message; }
  function fail(message) {
    document.getElementById('loading').hidden = true;
    problem.textContent = message;
    problem.hidden = false;
    window.fetchlab.error = message;
  }

  let resolveDone;
  window.fetchlab = {
    results: null,
    error: null,
    origins: [],
    isolated: !!(self.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined'),
    done: new Promise((resolve) => { resolveDone = resolve; }),
    // Called by the module when a run (or a "run all") finishes, with the CLI's --json document.
    // (and the lesson box's text, as window.fetchlab.lesson).
    publish(json, lesson) {
      const doc = JSON.parse(json);
      window.fetchlab.results = doc;
      window.fetchlab.lesson = lesson;
      resolveDone(doc);
    },
    firstFrame() {
      window.fetchlab.firstFrameAt = performance.now();
      document.getElementById('loading').hidden = true;
    },
  };

  // WebGL2 draws the panel; without it there is nothing to show. (A throwaway context to test it
  // would cost as much as the real one, so the module reports a failed context itself.)
  window.fetchlab.scriptStartAt = performance.now();
  window.fetchlab.noWebGL2 = () => fail('fetchlab draws with WebGL2, and this browser (or its settings) does not offer it.');
  if (typeof WebGL2RenderingContext === 'undefined') {
    window.fetchlab.noWebGL2();
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

  labOrigins().then((origins) => {
    window.fetchlab.origins = origins;
    const script = window.fetchlab.isolated ? 'fetchlab-mt.js' : 'fetchlab-st.js';
    say(window.fetchlab.isolated ? 'Loading, and starting threads…'
                                 : 'Loading (this page is not cross-origin isolated: async mode only)…');
    window.Module = {
      canvas: document.getElementById('canvas'),
      arguments: args,
      print: (line) => console.log(line),
      printErr: (line) => console.warn(line),
      setStatus: (status) => { if (status) say(status); },
      onAbort: (what) => fail('fetchlab stopped: ' + what),
      onRuntimeInitialized: () => { window.fetchlab.runtimeReadyAt = performance.now(); },
    };
    window.fetchlab.loadStartAt = performance.now();
    const tag = document.createElement('script');
    tag.src = script;
    tag.onerror = () => fail('Could not load ' + script + ': was the wasm build served with the page?');
    document.body.appendChild(tag);
  });
})();
