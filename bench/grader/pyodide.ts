/**
 * Pyodide start-up and run latency: `npx tsx bench/grader/pyodide.ts [--loads N] [--runs N]`.
 * Chromium (Debian's, headless, module worker, bundled client, pyodide files served with
 * immutable cache headers from a local server) and Node (worker thread) for reference.
 * Cold start = from createPythonRunner().warm() to ready, without and with Pyodide's memory
 * snapshot (kept in the context's Cache Storage); warm run = runProgram of a
 * trivial program and of the chapter's asyncio example on a ready runner (p50/p95).
 * Baseline measured beside it: `python3 -c pass` (CPython process start).
 */
import { spawnSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { createPythonRunner } from '../../apps/grader/src/browser/client.ts';
import {
  bundle,
  callRunner,
  launchChromium,
  openRunnerPage,
  removeBundle,
  serve,
} from '../../apps/grader/test/browser/chromium-host.ts';
import { createNodeWorker, PYODIDE_DIR } from '../../apps/grader/test/browser/node-host.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const LOADS = Math.max(2, opt('--loads', 3));
const RUNS = opt('--runs', 20);
const TRIVIAL = 'print(1)';
const ASYNC_EXAMPLE = [
  'import asyncio',
  'async def coro_100():',
  '    print(100)',
  'async def coro_42():',
  '    await coro_100()',
  '    print(42)',
  'async def main():',
  '    await coro_42()',
  '    print("main ended")',
  'asyncio.run(main())',
].join('\n');

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (v: number) => `${v.toFixed(1)} ms`;

function bare(): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    spawnSync('/usr/bin/python3', ['-c', 'pass']);
    times.push(performance.now() - t);
  }
  return times;
}

async function chromiumLoads(
  browser: Browser,
  app: Awaited<ReturnType<typeof serve>>,
  snapshot: boolean,
): Promise<{ loads: number[]; page: Page }> {
  // one context: its Cache Storage keeps the snapshot between the page loads
  const context = await browser.newContext();
  const loads: number[] = [];
  let page: Page | null = null;
  for (let i = 0; i < LOADS; i++) {
    await page?.close();
    page = await openRunnerPage(context, app, { snapshot });
    const t = performance.now();
    const info = await callRunner(page, 'warm');
    loads.push(performance.now() - t);
    console.log(
      `  chromium load ${i + 1} (snapshot ${snapshot ? (info.snapshotUsed ? 'used' : 'made') : 'off'}): ${ms(loads.at(-1) as number)} (mode ${info.mode})`,
    );
    // let the snapshot reach Cache Storage (stored without blocking the start)
    if (snapshot && !info.snapshotUsed) await new Promise((r) => setTimeout(r, 2000));
  }
  return { loads, page: page as Page };
}

async function chromiumBench(): Promise<void> {
  const dir = await bundle();
  const app = await serve(dir, true);
  const browser = await launchChromium();
  try {
    const plain = await chromiumLoads(browser, app, false);
    const snap = await chromiumLoads(browser, app, true);
    const page = plain.page;
    for (const [label, code] of [
      ['trivial', TRIVIAL],
      ['asyncio example', ASYNC_EXAMPLE],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await callRunner(page, 'runProgram', code);
        times.push(performance.now() - t);
      }
      console.log(
        `  chromium warm run (${label}): p50 ${ms(pct(times, 50))} (${(pct(times, 50) / base50).toFixed(2)}× bare), p95 ${ms(pct(times, 95))}`,
      );
    }
    const fromSnapshot = snap.loads.slice(1);
    console.log(`  chromium cold start without snapshot: p50 ${ms(pct(plain.loads, 50))}`);
    if (fromSnapshot.length > 0)
      console.log(
        `  chromium start from snapshot: p50 ${ms(pct(fromSnapshot, 50))} (${(pct(plain.loads, 50) / pct(fromSnapshot, 50)).toFixed(1)}× faster; first start, making it: ${ms(snap.loads[0] as number)})`,
      );
  } finally {
    await browser.close();
    await app.close();
    removeBundle(dir);
  }
}

async function nodeBench(): Promise<void> {
  const loads: number[] = [];
  for (let i = 0; i < Math.min(LOADS, 2); i++) {
    const runner = createPythonRunner({
      baseUrl: PYODIDE_DIR,
      createWorker: createNodeWorker,
      snapshot: false,
    });
    const t = performance.now();
    const info = await runner.warm();
    loads.push(performance.now() - t);
    console.log(`  node load ${i + 1}: ${ms(loads.at(-1) as number)} (mode ${info.mode})`);
    if (i === 0) {
      const times: number[] = [];
      for (let j = 0; j < RUNS; j++) {
        const s = performance.now();
        await runner.runProgram(TRIVIAL);
        times.push(performance.now() - s);
      }
      console.log(
        `  node warm run (trivial): p50 ${ms(pct(times, 50))}, p95 ${ms(pct(times, 95))}`,
      );
    }
    runner.dispose();
  }
}

const baseline = bare();
const base50 = pct(baseline, 50);
console.log(`baseline: python3 -c pass p50 ${ms(base50)}, p95 ${ms(pct(baseline, 95))}`);
console.log('Chromium (headless, module worker, COOP/COEP, immutable cache headers):');
await chromiumBench();
console.log('Node (worker thread; JSPI only with --experimental-wasm-stack-switching):');
await nodeBench();
console.log('(Node: no Cache Storage in its workers, so no snapshot there)');
