/**
 * The pipe's Pyodide engine when Pyodide does not start: a `pyodide` package directory whose
 * `pyodide.mjs` never finishes loading stands for a cold start that hangs. The jobs waiting
 * fail together at the load timeout, the next ones at once until the retry delay has passed,
 * and closing the engine meanwhile ends the wait (no load timer left behind).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GradeRequest, gradeRequestSchema } from '@lms/grading';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createPyodideEngine, createPyodidePool } from '../../src/server/pyodide-node.ts';

// world-readable: as root the host runs as nobody and must read it
const hangingDir = mkdtempSync(join(tmpdir(), 'lms-pyodide-hangs-'));
chmodSync(hangingDir, 0o755);
writeFileSync(
  join(hangingDir, 'pyodide.mjs'),
  // a timer keeps the worker's event loop busy, so the import waits instead of failing
  'setInterval(() => {}, 1000);\nawait new Promise(() => {});\nexport const version = "0";\n',
  { mode: 0o644 },
);
afterAll(() => rmSync(hangingDir, { recursive: true, force: true }));

const request: GradeRequest = gradeRequestSchema.parse({
  code: 'print(2)',
  checks: { public: 'from lms_checks import test\n' },
  stage: 'quick',
});

/** settles the promise and says after how many ms */
async function timed<T>(promise: Promise<T>, since = performance.now()) {
  const outcome = await promise.then(
    (value) => ({ value, error: null }),
    (error: Error) => ({ value: null, error }),
  );
  return { ...outcome, ms: performance.now() - since };
}

describe('the Pyodide engine when Pyodide does not start', () => {
  it('fails the queued jobs at once after one load timeout, then waits before trying again', {
    timeout: 60_000,
  }, async () => {
    const engine = createPyodideEngine({
      pyodideDir: `${hangingDir}/`,
      snapshot: false,
      loadTimeoutMs: 2000,
      retryAfterMs: 6000,
    });
    try {
      const start = performance.now();
      const first = await Promise.all([1, 2, 3, 4].map(() => timed(engine.grade(request), start)));
      for (const { error } of first)
        expect(error?.message).toBe('Pyodide did not start within 2 s');
      // one timeout for all four (the host's own start is ~1-3 s), not four in a row (8 s)
      const slowest = Math.max(...first.map((f) => f.ms));
      expect(slowest).toBeLessThan(2000 + 5000);
      expect(
        Math.max(...first.map((f) => f.ms)) - Math.min(...first.map((f) => f.ms)),
      ).toBeLessThan(1000);

      // within the retry delay: no new attempt, the job fails at once
      const soon = await timed(engine.grade(request));
      expect(soon.error?.message).toMatch(
        /^Pyodide did not start within 2 s \(the last start failed; the next try in \d s\)$/,
      );
      expect(soon.ms).toBeLessThan(500);

      // after it: a new attempt, which takes its load timeout again
      await new Promise((resolve) =>
        setTimeout(resolve, 6000 - (performance.now() - start - slowest)),
      );
      const later = await timed(engine.grade(request));
      expect(later.error?.message).toBe('Pyodide did not start within 2 s');
      expect(later.ms).toBeGreaterThanOrEqual(1900);
    } finally {
      await engine.close();
    }
  });

  it('closing the pool while a worker starts fails its jobs at once and clears the load timer', {
    timeout: 30_000,
  }, async () => {
    const setSpy = vi.spyOn(globalThis, 'setTimeout');
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout');
    try {
      const pool = createPyodidePool({
        pyodideDir: `${hangingDir}/`,
        snapshot: false,
        workers: 1,
        loadTimeoutMs: 600_000,
        log: () => {},
      });
      const jobs = [timed(pool.grade(request)), timed(pool.grade(request))];
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const loadTimers = setSpy.mock.results
        .filter((_, i) => setSpy.mock.calls[i]?.[1] === 600_000)
        .map((r) => r.value);
      expect(loadTimers).toHaveLength(1);
      const closedAt = performance.now();
      await pool.close();
      for (const job of await Promise.all(jobs)) {
        expect(job.error?.message).toBe('the Pyodide engine was closed');
        expect(performance.now() - closedAt).toBeLessThan(1000);
      }
      expect(clearSpy).toHaveBeenCalledWith(loadTimers[0]);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  it('closing the host while Pyodide starts ends it at once', { timeout: 30_000 }, async () => {
    const engine = createPyodideEngine({
      pyodideDir: `${hangingDir}/`,
      snapshot: false,
      loadTimeoutMs: 600_000,
      log: () => {},
    });
    const job = timed(engine.grade(request));
    await new Promise((resolve) => setTimeout(resolve, 4000)); // the host up, Pyodide loading
    const closing = timed(engine.close());
    const closed = await closing;
    expect(closed.error).toBeNull();
    expect(closed.ms).toBeLessThan(3000); // not the 10 s after which it would be killed
    expect((await job).error?.message).toBe('the Pyodide engine was closed');
  });
});
