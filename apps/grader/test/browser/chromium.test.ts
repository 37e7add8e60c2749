/**
 * The worker and client bundled with esbuild, in Debian's Chromium (playwright-core):
 * the parity set's quick checks, fresh state between runs, and the time limit both ways —
 * interrupt buffer on a cross-origin isolated page, terminate + respawn on a plain one.
 * One browser for the file; one page per variant, reused across runs.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundle,
  callRunner,
  launchChromium,
  openRunnerPage,
  removeBundle,
  type ServedApp,
  serve,
} from './chromium-host.ts';
import { loadParityCases } from './parity-cases.ts';

const haveChromium = existsSync('/usr/bin/chromium');
if (!haveChromium && process.env.CI !== 'true')
  console.warn('skipping the Chromium tests: /usr/bin/chromium is not installed');

describe.skipIf(!haveChromium && process.env.CI !== 'true')('Pyodide worker in Chromium', () => {
  let bundleDir = '';
  let browser: Browser;
  const apps: ServedApp[] = [];
  let isolatedPage: Page;
  let plainPage: Page;

  beforeAll(async () => {
    bundleDir = await bundle();
    const isolatedApp = await serve(bundleDir, true);
    const plainApp = await serve(bundleDir, false);
    apps.push(isolatedApp, plainApp);
    browser = await launchChromium();
    isolatedPage = await openRunnerPage(await browser.newContext(), isolatedApp);
    plainPage = await openRunnerPage(await browser.newContext(), plainApp);
  });

  afterAll(async () => {
    await browser?.close();
    for (const app of apps) await app.close();
    if (bundleDir) removeBundle(bundleDir);
  });

  it('loads Pyodide off the main thread with JSPI; interruptible only when isolated', {
    timeout: 120_000,
  }, async () => {
    const [isolated, plain] = await Promise.all([
      callRunner(isolatedPage, 'warm'),
      callRunner(plainPage, 'warm'),
    ]);
    expect(isolated).toMatchObject({
      pyodideVersion: '314.0.7',
      mode: 'jspi',
      interruptible: true,
    });
    expect(plain).toMatchObject({ pyodideVersion: '314.0.7', mode: 'jspi', interruptible: false });
    expect(await isolatedPage.evaluate('crossOriginIsolated')).toBe(true);
    expect(await isolatedPage.evaluate('states')).toEqual(['loading', 'ready']);
  });

  it('gives the CPython quick-check status for every program of the parity set', {
    timeout: 180_000,
  }, async () => {
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    const messages: Record<string, string | null> = {};
    for (const c of loadParityCases()) {
      const result = await callRunner(isolatedPage, 'quickCheck', {
        code: c.code,
        checks: { public: c.publicTests },
        limits: c.limits,
        stage: 'quick',
      });
      expect(result.engine).toBe('pyodide');
      got[c.file] = result.status;
      messages[c.file] = result.message;
      want[c.file] = c.quick;
    }
    expect(got, JSON.stringify(messages, null, 1)).toEqual(want);
  });

  it('starts every run with a fresh directory and modules', async () => {
    await callRunner(
      isolatedPage,
      'runProgram',
      'import json\njson.x = 1\nopen("senjun.py", "w").close()',
    );
    const next = await callRunner(
      isolatedPage,
      'runProgram',
      'import os, json\nprint(os.path.exists("senjun.py"), hasattr(json, "x"))',
    );
    expect(next.stdout).toBe('False False\n');
  });

  it('stops a busy loop in place through the interrupt buffer', async () => {
    const before = ((await isolatedPage.evaluate('states.length')) as number) ?? 0;
    const result = await callRunner(isolatedPage, 'runProgram', 'while True:\n    pass', {
      limits: { wallSeconds: 1 },
    });
    expect(result).toMatchObject({ status: 'timeout', limitHit: 'wall' });
    const states = (await isolatedPage.evaluate('states')) as string[];
    expect(states.slice(before)).not.toContain('loading');
    const after = await callRunner(isolatedPage, 'runExample', 'print("still here")');
    expect(after.stdout).toBe('still here\n');
  });

  it("starts a second page from Pyodide's memory snapshot in Cache Storage", {
    timeout: 120_000,
  }, async () => {
    // the isolated page's context made the snapshot on its first start
    const second = await openRunnerPage(isolatedPage.context(), apps[0] as ServedApp);
    try {
      // the first start stores the snapshot without waiting: give it a moment
      await second.waitForFunction(
        () =>
          (
            globalThis as unknown as {
              caches: { open(n: string): Promise<{ keys(): Promise<unknown[]> }> };
            }
          ).caches
            .open('lms-pyodide-snapshots')
            .then((c) => c.keys())
            .then((k) => k.length > 0),
        undefined,
        { timeout: 30_000 },
      );
      const info = await callRunner(second, 'warm');
      expect(info).toMatchObject({
        snapshotUsed: true,
        mode: 'jspi',
        pythonVersion: expect.stringMatching(/^3\./),
      });
      const reference = loadParityCases().find((c) => c.file === 'task_0020_reference.py');
      const result = await callRunner(second, 'quickCheck', {
        code: reference?.code,
        checks: { public: reference?.publicTests },
        limits: reference?.limits,
        stage: 'quick',
      });
      expect(result.status).toBe('passed');
    } finally {
      await second.close();
    }
  });

  it('terminates and respawns the worker on a page without shared memory', {
    timeout: 120_000,
  }, async () => {
    const before = (await plainPage.evaluate('states.length')) as number;
    const result = await callRunner(
      plainPage,
      'runProgram',
      'print("spin")\nwhile True:\n    pass',
      {
        limits: { wallSeconds: 1 },
      },
    );
    expect(result).toMatchObject({ status: 'timeout', limitHit: 'wall' });
    const after = await callRunner(plainPage, 'runExample', 'print("fresh worker")');
    expect(after.stdout).toBe('fresh worker\n');
    const states = (await plainPage.evaluate('states')) as string[];
    expect(states.slice(before)).toContain('loading');
  });
});
