/**
 * Check strength: a task may carry right and subtly wrong solutions beside its tests,
 * `tasks/<id>/solutions/pass/*.py` and `solutions/fail/*.py`, each starting with a comment
 * `# right: <approach>` or `# wrong: <what it gets wrong>`. The doctor grades every one:
 *   - the final check (CPython, every test) must accept each right one and reject each wrong one;
 *   - the quick check (public tests) must accept each right one, on both engines;
 *   - the quick check must give the same verdict on Pyodide (the browser) and on CPython (the
 *     server) for every solution: a disagreement means a student sees "passed" in the browser
 *     and "failed" on submit (or the reverse) for the same program.
 * A wrong solution the quick check accepts is not a problem by itself (the hidden tests are
 * there to catch more), but it is counted, so an author sees how much the public tests say.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from '../schema.ts';
import type { DoctorRunner, TaskCheckResult } from './runner.ts';

export interface Solution {
  task: Task;
  /** relative to the course directory */
  file: string;
  expect: 'pass' | 'fail';
  /** the first comment line: what the approach is, or what it gets wrong */
  says: string | null;
  code: string;
}

/** The solutions beside a task's tests, in file-name order. */
export function findSolutions(courseDir: string, chapterId: string, task: Task): Solution[] {
  const found: Solution[] = [];
  for (const expect of ['pass', 'fail'] as const) {
    const rel = `${chapterId}/tasks/${task.id}/solutions/${expect}`;
    const dir = join(courseDir, rel);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.py')) continue;
      const code = readFileSync(join(dir, name), 'utf8');
      const first = /^#\s*(?:right|wrong)\s*:\s*(.+)$/m.exec(code.split('\n', 1)[0] ?? '');
      found.push({ task, file: `${rel}/${name}`, expect, says: first?.[1]?.trim() ?? null, code });
    }
  }
  return found;
}

export type Engine = 'cpython' | 'pyodide';

/**
 * How one solution was judged: the grader's status, `unavailable` when no result came (the
 * job failed: see `errors`), null when not run (no public tests: no quick check).
 */
type Judged = TaskCheckResult['status'] | 'unavailable';
export interface SolutionVerdicts {
  final: Judged;
  quickCpython: Judged | null;
  quickPyodide: Judged | null;
  /** why a run could not be made, per engine/stage */
  errors: string[];
  /** the failing tests' names of the final check, for the report */
  failedTests: string[];
}

export interface StrengthFinding {
  /** the check is wrong about this solution, or the engines disagree */
  problem: string | null;
  /** a fact worth showing that is no problem (a wrong solution passing the quick check) */
  note: string | null;
}

async function judge(
  check: NonNullable<DoctorRunner['checkTask']>,
  solution: Solution,
  how: { stage: 'quick' | 'final'; engine: Engine },
): Promise<{ result: TaskCheckResult | null; error: string | null }> {
  try {
    return { result: await check(solution.task, solution.code, how), error: null };
  } catch (e) {
    return { result: null, error: `${how.stage} on ${how.engine}: ${(e as Error).message}` };
  }
}

/** Grades a solution on the final check and, when the task has public tests, the quick one on both engines. */
export async function gradeSolution(
  check: NonNullable<DoctorRunner['checkTask']>,
  solution: Solution,
): Promise<SolutionVerdicts> {
  const hasQuick = solution.task.checks.public !== null;
  const [final, quickCpython, quickPyodide] = await Promise.all([
    judge(check, solution, { stage: 'final', engine: 'cpython' }),
    hasQuick ? judge(check, solution, { stage: 'quick', engine: 'cpython' }) : null,
    hasQuick ? judge(check, solution, { stage: 'quick', engine: 'pyodide' }) : null,
  ]);
  const status = (j: typeof final | null): Judged | null =>
    j === null ? null : (j.result?.status ?? 'unavailable');
  return {
    final: status(final) ?? 'unavailable',
    quickCpython: status(quickCpython),
    quickPyodide: status(quickPyodide),
    errors: [final, quickCpython, quickPyodide].flatMap((j) => (j?.error ? [j.error] : [])),
    failedTests: (final.result?.tests ?? [])
      .filter((t) => t.status !== 'passed')
      .map((t) => (t.message ? `${t.name}: ${t.message.split('\n')[0]}` : t.name)),
  };
}

/** What the verdicts say about the checks. */
export function assess(solution: Solution, v: SolutionVerdicts): StrengthFinding {
  const problems: string[] = [];
  const notes: string[] = [];
  if (v.errors.length > 0) problems.push(`could not be graded: ${v.errors.join('; ')}`);
  const judged = [
    ['the final check', v.final],
    ['the quick check on CPython', v.quickCpython],
    ['the quick check on Pyodide', v.quickPyodide],
  ] as const;
  // the grader's own failure says nothing about the checks
  for (const [which, status] of judged) {
    if (status === 'sandbox_error') problems.push(`${which} could not run it (sandbox_error)`);
  }
  const said = solution.says
    ? ` (${solution.expect === 'pass' ? 'right' : 'wrong'}: ${solution.says})`
    : '';
  const rejects = (status: Judged | null) =>
    status !== null &&
    status !== 'unavailable' &&
    status !== 'sandbox_error' &&
    status !== 'passed';
  if (solution.expect === 'pass') {
    if (rejects(v.final))
      problems.push(
        `the final check rejects a right solution${said}: ${v.final}; ${v.failedTests.join('; ')}`,
      );
    if (rejects(v.quickCpython))
      problems.push(
        `the quick check on CPython rejects a right solution${said}: ${v.quickCpython}`,
      );
    if (rejects(v.quickPyodide))
      problems.push(
        `the quick check on Pyodide rejects a right solution${said}: ${v.quickPyodide}`,
      );
  } else {
    if (v.final === 'passed') problems.push(`the final check accepts a wrong solution${said}`);
    else if (v.quickCpython === 'passed' || v.quickPyodide === 'passed')
      notes.push('the quick check (public tests) accepts it; the final check rejects it');
  }
  const results = (s: Judged | null) => s !== null && s !== 'unavailable' && s !== 'sandbox_error';
  if (
    results(v.quickCpython) &&
    results(v.quickPyodide) &&
    (v.quickCpython === 'passed') !== (v.quickPyodide === 'passed')
  ) {
    problems.push(
      `the quick check's verdict differs between engines: Pyodide ${v.quickPyodide}, CPython ${v.quickCpython}`,
    );
  }
  return {
    problem: problems.length > 0 ? problems.join('; ') : null,
    note: notes.length > 0 ? notes.join('; ') : null,
  };
}
