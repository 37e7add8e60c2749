/**
 * Chromium side of the tests and the bench: bundles the client and the worker with esbuild
 * into a temp dir, serves them and node_modules/pyodide from a local HTTP server (random
 * port; with COOP/COEP headers when `isolated`, so the page gets SharedArrayBuffer), and
 * launches Debian's Chromium through playwright-core.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { PYODIDE_DIR } from './node-host.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
  '.json': 'application/json',
};

export const PAGE_HTML =
  '<!doctype html><meta charset="utf-8"><title>pyodide test</title><script type="module" src="/app/page.js"></script>';

export async function bundle(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lms-pyodide-'));
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  await build({
    entryPoints: { worker: here('../../src/browser/worker.ts'), page: here('./page-entry.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: dir,
    logLevel: 'error',
  });
  return dir;
}

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

/** Serves /app/* from the bundle and /pyodide/* from node_modules/pyodide. */
export async function serve(bundleDir: string, isolated: boolean): Promise<ServedApp> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers: Record<string, string> = {};
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    let file: string | null = null;
    if (path === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] as string });
      res.end(PAGE_HTML);
      return;
    }
    if (path.startsWith('/app/')) file = join(bundleDir, normalize(path.slice(5)));
    if (path.startsWith('/pyodide/')) {
      file = join(PYODIDE_DIR, normalize(path.slice(9)));
      headers['Cache-Control'] = 'public, max-age=31536000, immutable';
    }
    if (!file || file.includes('..') || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, headers);
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

type PageRunner = Record<string, (...args: unknown[]) => unknown>;

/** Calls `window.runner[method](...args)` in the page (results are JSON, checked by tests). */
// biome-ignore lint/suspicious/noExplicitAny: page results are untyped JSON
export function callRunner<T = any>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([m, a]) => (globalThis as unknown as { runner: PageRunner }).runner[m as string]?.(...a),
    [method, args] as const,
  ) as Promise<T>;
}

/** Opens the page and creates `window.runner` (a PythonRunner) in it. */
export async function openRunnerPage(
  browser: { newPage(): Promise<Page> },
  app: ServedApp,
  runnerOptions: Record<string, unknown> = {},
): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(app.url);
  await page.waitForFunction(() => 'lms' in globalThis);
  // A string, not a function: tsx's transform would add helpers the page does not have.
  await page.evaluate(`
    globalThis.runner = globalThis.lms.createPythonRunner({
      baseUrl: '/pyodide/',
      createWorker: () => new Worker('/app/worker.js', { type: 'module' }),
      ...${JSON.stringify(runnerOptions)},
    });
    globalThis.states = [];
    globalThis.runner.onState((s) => globalThis.states.push(s));
  `);
  return page;
}

export function removeBundle(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
