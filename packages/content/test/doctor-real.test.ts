import { describe, expect, it } from 'vitest';
import { doctorJson, runDoctor } from '../src/doctor/doctor.ts';
import { findGraderBin, graderCliRunner, pythonSubprocessRunner } from '../src/doctor/runner.ts';
import { COURSE_DIR, REPO_ROOT } from './helpers.ts';

// the grader's command as npm links it for the workspace, not a path into another package
const GRADER_BIN = findGraderBin([REPO_ROOT]);
const hasGrader = GRADER_BIN !== null;
if (!hasGrader) {
  console.warn('skipping the real lms-grader integration test: lms-grader is not linked (npm ci)');
}

// The seed's examples sleep (up to 5 s); they run concurrently, so this takes ~6 s.
describe('course doctor on the shipped course', { timeout: 600_000 }, () => {
  it('matches all 9 seed examples with CPython (loosely where timing shows)', async () => {
    const report = await runDoctor({
      courseDir: COURSE_DIR,
      only: 'python_chapter_0320',
      runner: { ...pythonSubprocessRunner(), checkTask: null },
      jobs: 9,
      retries: 1,
    });
    expect(report.examples).toEqual({ total: 9, matched: 9, mismatched: [] });
    const byId = new Map(report.details.map((d) => [d.id, d]));
    expect(byId.get('python_chapter_0320_example_03')?.outcome).toBe('ran');
    expect(['exact', 'loose']).toContain(byId.get('python_chapter_0320_example_07')?.outcome);
    // only the missing grader is reported
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringMatching(/lms-grader/)]);
  });

  it.runIf(hasGrader)('passes end to end through the real lms-grader', async () => {
    const report = await runDoctor({
      courseDir: COURSE_DIR,
      runner: graderCliRunner(GRADER_BIN!, { env: { GRADER_UID_BASE: '64100' } }),
      jobs: 8,
      retries: 1,
      // the solutions of every task on both engines: seed-solutions.test.ts (grader); here one
      // task's, below, through the doctor
      strength: false,
    });
    const problems = report.details.filter((d) =>
      d.kind === 'starter'
        ? d.outcome !== 'failed'
        : !['exact', 'loose', 'ran', 'passed'].includes(d.outcome),
    );
    expect(problems, JSON.stringify(problems, null, 1)).toEqual([]);
    expect(doctorJson(report)).toEqual({
      examples: { total: 9, matched: 9, mismatched: [] },
      answers: { total: 2, passed: 2, failed: [] },
      starters: { total: 2, failed: 2, passed: [] },
      errors: [],
    });
  });

  it.runIf(hasGrader)(
    "judges check strength for real: a task's solutions on both engines",
    async () => {
      const report = await runDoctor({
        courseDir: COURSE_DIR,
        only: 'python_chapter_0320_task_0020',
        runner: graderCliRunner(GRADER_BIN!, { env: { GRADER_UID_BASE: '64100' } }),
        jobs: 8,
        retries: 1,
      });
      // every right solution passes and every wrong one fails, the quick check alike on
      // Pyodide and CPython
      expect(report.strength, JSON.stringify(report.errors, null, 1)).toMatchObject({
        tasks: 1,
        misjudged: [],
      });
      expect(report.strength.right).toBeGreaterThanOrEqual(5);
      expect(report.strength.wrong).toBeGreaterThanOrEqual(8);
      expect(report.errors).toEqual([]);
    },
  );
});
