import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { GradeResult } from '@lms/grading';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GradeService } from '../../src/server/service.ts';
import {
  createService,
  describeSandbox,
  PARITY_DIR,
  pythonsOfUids,
  request,
  taskChecks,
} from './helpers.ts';

/**
 * Task 0020's checks are about time ("about 3 s"): its verdicts must not change when the grader
 * is fully loaded. Load = CPU hogs on every core for the whole test, plus many gradings at once.
 */
const TASK = 'python_chapter_0320_task_0020';
const reference = readFileSync(join(PARITY_DIR, 'task_0020_reference.py'), 'utf8');
const blocking = readFileSync(join(PARITY_DIR, 'task_0020_blocking_sleep.py'), 'utf8');
const HOG = 'while True:\n    pass\n';

const UID_BASE = 62400;
const MAX_RUNS = 64;

describeSandbox('timing under full load (task 0020)', () => {
  let service: GradeService;
  afterAll(() => service?.close());
  beforeAll(async () => {
    service = await createService({
      GRADER_UID_BASE: String(UID_BASE),
      GRADER_MAX_RUNS: String(MAX_RUNS),
    });
  });

  it('gives the same verdicts with every core busy and 24 gradings at once', async () => {
    const checks = taskChecks(TASK);
    const hogChecks = {
      public: 'from lms_checks import test\n@test("x")\ndef x(run): pass\n',
      hidden: null,
    };
    const hogs = Array.from({ length: 4 }, () =>
      service.grade(
        request({ code: HOG, checks: hogChecks, limits: { wallSeconds: 8, cpuSeconds: 4 } }),
      ),
    );
    // the hogs are running (as many at once as there are cores) before the gradings come
    await expect
      .poll(() => pythonsOfUids(UID_BASE, UID_BASE + MAX_RUNS).length)
      .toBeGreaterThanOrEqual(Math.min(hogs.length, availableParallelism()));
    const graded = await Promise.all([
      ...Array.from({ length: 16 }, () => service.grade(request({ code: reference, checks }))),
      ...Array.from({ length: 8 }, () => service.grade(request({ code: blocking, checks }))),
    ]);
    const statuses = (rs: GradeResult[]) => rs.map((r) => r.status);
    expect(statuses(graded.slice(0, 16))).toEqual(Array(16).fill('passed'));
    expect(statuses(graded.slice(16))).toEqual(Array(8).fill('failed'));
    for (const r of graded.slice(0, 16)) expect(r.durations.programMs).toBeLessThan(4500);
    expect(statuses(await Promise.all(hogs))).toEqual(Array(4).fill('timeout'));
  });

  it('grades many sleepers at once: waiting programs do not hold a CPU slot', async () => {
    const sleeper =
      'import asyncio\nasync def main():\n    await asyncio.sleep(2)\n    print("ok")\nasyncio.run(main())\n';
    const checks = {
      public:
        'from lms_checks import test\n@test("ok")\ndef ok(run):\n    assert run.lines == ["ok"]\n',
      hidden: null,
    };
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 40 }, () => service.grade(request({ code: sleeper, checks }))),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(results.every((r) => r.status === 'passed')).toBe(true);
    // one wall-time slot per core (2 here) would need 40 × 2 s / 2 = 40 s; all at once ≈ 2 s plus
    // start-up (a few seconds on this shared 2-core machine). Half the slot-bound time is a clear line.
    expect(seconds).toBeLessThan(20);
    console.log(`[timing] 40 concurrent sleepers (2 s each) graded in ${seconds.toFixed(2)} s`);
  });
});
