// What the browser tests and the page benchmark (tests/bench/page.mjs) share: the builds they
// use, a `fetchlab serve` lab serving the page, and Debian's chromium, headless.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fetchlab = process.env.FETCHLAB_CLI || path.join(root, 'build/native/fetchlab');
export const pageDir = process.env.FETCHLAB_PAGE || path.join(root, 'build/wasm/web');

// A lab on a free loopback port serving the page; resolves to its first origin once it prints it.
export function serve(...args) {
  const child = spawn(fetchlab, ['serve', '--port', '0', '--root', pageDir, ...args],
                      { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve({ origin: m[0], port: Number(m[1]), child });
    });
    child.on('exit', (code) => reject(new Error(`fetchlab serve exited with ${code}`)));
  });
}

// Never a downloaded browser: Debian's, with WebGL2 through SwiftShader when there is no GPU.
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-first-run'],
  });
}
