/**
 * Web app figures, printed in one run:
 *  - chapter page server response p50/p95 (warm, signed in), beside the sign-in page measured
 *    the same way as a baseline (ratio);
 *  - the chapter page's JavaScript before the lazy editor and Pyodide chunks, gzipped
 *    (every <script src> in its HTML; target < 250 KB);
 *  - time from navigation to "Run" ready (Pyodide loaded in its worker), with a cold
 *    browser cache and with the cache warm, in Debian's Chromium.
 *
 *   npx tsx bench/web/run.ts                    # starts the app like `npm start` (own SQLite file)
 *   BENCH_BASE_URL=http://localhost:3000 npx tsx bench/web/run.ts   # against a running app
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright';

const root = join(import.meta.dirname, '..', '..');
const CHAPTER = '/courses/python/chapters/python_chapter_0320';
const ACCOUNT = { email: 'student2@lms.local', password: 'demo-student2-pass' };
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
const BROWSER_RUNS = Number(process.env.BENCH_BROWSER_RUNS ?? 3);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s`);
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function startApp(): Promise<{ base: string; child: ChildProcess | null }> {
  if (process.env.BENCH_BASE_URL) return { base: process.env.BENCH_BASE_URL, child: null };
  const [port, graderPort] = [await freePort(), await freePort()];
  const db = 'data/bench/web.db';
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(root, db + suffix), { force: true });
  console.log(`starting the app (node scripts/start.mjs) on port ${port}…`);
  const child = spawn('node', ['scripts/start.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      GRADER_PORT: String(graderPort),
      DATABASE_URL: `file:${db}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const base = `http://localhost:${port}`;
  try {
    await waitFor(`${base}/sign-in`, 15 * 60_000);
  } catch (e) {
    console.error(log.slice(-4000));
    throw e;
  }
  return { base, child };
}

async function signInCookie(base: string): Promise<string> {
  const r = await fetch(`${base}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify(ACCOUNT),
  });
  if (!r.ok) throw new Error(`sign-in failed: ${r.status} ${await r.text()}`);
  const cookies = r.headers.getSetCookie().map((c) => c.split(';')[0]);
  return cookies.join('; ');
}

async function timeGets(url: string, cookie: string): Promise<number[]> {
  const headers = { cookie };
  for (let i = 0; i < WARMUP; i++) await (await fetch(url, { headers })).text();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const r = await fetch(url, { headers });
    await r.text();
    if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

async function pageJavaScript(base: string, cookie: string) {
  const html = await (await fetch(base + CHAPTER, { headers: { cookie } })).text();
  // <script noModule> (Next's legacy polyfills) is never fetched by a browser with modules
  const tags = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
  const srcOf = (attrs: string) => /\bsrc="([^"]+)"/.exec(attrs)?.[1];
  const srcs = [
    ...new Set(
      tags
        .filter((a) => !/nomodule/i.test(a))
        .map(srcOf)
        .filter((s): s is string => !!s),
    ),
  ];
  const noModule = tags
    .filter((a) => /nomodule/i.test(a))
    .map(srcOf)
    .filter((s): s is string => !!s);
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .map((m) => m[1]!)
    .join('');
  let raw = 0;
  let gz = 0;
  const files: Array<{ src: string; gz: number }> = [];
  // the editor (CodeMirror) and the Python runner must not be among them: look for their code
  const lazyInHtml: string[] = [];
  for (const src of srcs) {
    const body = Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer());
    const z = gzipSync(body, { level: 9 }).length;
    raw += body.length;
    gz += z;
    files.push({ src, gz: z });
    const text = body.toString('utf8');
    if (text.includes('cm-scroller')) lazyInHtml.push(`${src} (CodeMirror)`);
    // the runner's own code (our adapter only names it in a dynamic import)
    if (text.includes('loadPyodide') || text.includes('interruptBuffer'))
      lazyInHtml.push(`${src} (Pyodide runner)`);
  }
  return {
    count: srcs.length,
    raw,
    gz,
    inlineGz: gzipSync(Buffer.from(inline)).length,
    lazyInHtml,
    files,
    noModule,
  };
}

async function runReady(base: string, cookie: string) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const host = new URL(base).hostname;
  const cookies = cookie.split('; ').map((c) => {
    const eq = c.indexOf('=');
    return { name: c.slice(0, eq), value: c.slice(eq + 1), domain: host, path: '/' };
  });
  const cold: number[] = [];
  const cached: number[] = [];
  try {
    for (let i = 0; i < BROWSER_RUNS; i++) {
      const context = await browser.newContext(); // empty HTTP cache
      await context.addCookies(cookies);
      const page = await context.newPage();
      const measure = async () => {
        const t0 = Date.now();
        await page.goto(base + CHAPTER, { waitUntil: 'commit' });
        await page
          .locator('[data-example] button[data-ready="true"]')
          .first()
          .waitFor({ timeout: 120_000 });
        return Date.now() - t0;
      };
      cold.push(await measure());
      cached.push(await measure()); // same context: the HTTP cache holds Pyodide's files
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { cold: cold.sort((a, b) => a - b), cached: cached.sort((a, b) => a - b) };
}

const { base, child } = await startApp();
try {
  const cookie = await signInCookie(base);
  console.log(`\nweb bench against ${base} (warm-up ${WARMUP}, ${SAMPLES} samples each)`);

  const baseline = await timeGets(`${base}/sign-in`, cookie);
  const chapter = await timeGets(base + CHAPTER, cookie);
  const b50 = percentile(baseline, 50);
  const c50 = percentile(chapter, 50);
  const c95 = percentile(chapter, 95);
  console.log(`baseline /sign-in           p50 ${fmt(b50)}  p95 ${fmt(percentile(baseline, 95))}`);
  console.log(
    `chapter page (warm)         p50 ${fmt(c50)}  p95 ${fmt(c95)}  (${(c50 / b50).toFixed(2)}× / ${(c95 / percentile(baseline, 95)).toFixed(2)}× the baseline)`,
  );

  const js = await pageJavaScript(base, cookie);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `chapter page JS before lazy chunks: ${js.count} scripts, ${kb(js.raw)} raw, ${kb(js.gz)} gzipped (target < 250 KB: ${js.gz < 250 * 1024 ? 'met' : 'MISSED'}); inline RSC payload ${kb(js.inlineGz)} gzipped`,
  );
  if (js.noModule.length)
    console.log(
      `  not counted: ${js.noModule.length} noModule script(s) (legacy polyfills): ${js.noModule.join(', ')}`,
    );
  if (js.lazyInHtml.length)
    console.log(`  WARNING: lazy code in the first load: ${js.lazyInHtml.join(', ')}`);
  else
    console.log(
      '  CodeMirror and the Pyodide runner are not in the first load (checked by content)',
    );
  for (const f of js.files.sort((a, b) => b.gz - a.gz).slice(0, 5))
    console.log(`  ${kb(f.gz).padStart(9)}  ${f.src}`);

  const ready = await runReady(base, cookie);
  console.log(
    `navigation → "Run" ready, Pyodide cold cache:   median ${fmt(percentile(ready.cold, 50))}  (runs: ${ready.cold.join(', ')} ms)`,
  );
  console.log(
    `navigation → "Run" ready, Pyodide cached:       median ${fmt(percentile(ready.cached, 50))}  (runs: ${ready.cached.join(', ')} ms; ${(percentile(ready.cached, 50) / percentile(ready.cold, 50)).toFixed(2)}× cold)`,
  );
} finally {
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
}
