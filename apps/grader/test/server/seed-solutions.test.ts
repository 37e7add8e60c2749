/**
 * The seed's known right and wrong solutions (`tasks/<id>/solutions/{pass,fail}/*.py`) against
 * the task's checks through one `lms-grader pipe`, graded three ways as the course doctor's
 * check strength does: the final check (CPython in the sandbox, public + hidden tests) and the
 * quick check (public tests) on CPython and on Pyodide as the browser runs it. A right one
 * must pass all three. A wrong one must fail all three (any status but passed, and not
 * sandbox_error, the grader's fault): the seed's public tests catch every wrong solution here,
 * so the browser's verdict never differs from the server's. Every file says what it is on its
 * first line: `# right: …` or `# wrong: …`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type PipeAnswer, pipeAnswerSchema } from '@lms/grading';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { servePipe } from '../../src/server/pipe.ts';
import { createPyodideEngine } from '../../src/server/pyodide-node.ts';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox, TASKS_DIR, taskChecks } from './helpers.ts';

const TASKS = ['python_chapter_0320_task_0010', 'python_chapter_0320_task_0020'];
const KINDS = { pass: '# right: ', fail: '# wrong: ' } as const;
/** as the course doctor grades them (packages/content/src/doctor/strength.ts) */
const ENGINES = [
  { engine: 'cpython', stage: 'final' },
  { engine: 'cpython', stage: 'quick' },
  { engine: 'pyodide', stage: 'quick' },
] as const;
type Kind = keyof typeof KINDS;

interface Solution {
  task: string;
  kind: Kind;
  file: string;
  code: string;
}

function solutions(): Solution[] {
  return TASKS.flatMap((task) =>
    (Object.keys(KINDS) as Kind[]).flatMap((kind) => {
      const dir = join(TASKS_DIR, task, 'solutions', kind);
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith('.py'))
        .sort()
        .map((file) => ({ task, kind, file, code: readFileSync(join(dir, file), 'utf8') }));
    }),
  );
}

const ALL = solutions();
const keyOf = (s: Solution, how: (typeof ENGINES)[number]) =>
  `${s.task}/${s.kind}/${s.file}@${how.engine}-${how.stage}`;

describeSandbox('seed solutions on both engines', () => {
  let service: GradeService;
  const answers = new Map<string, PipeAnswer>();
  let seconds = 0;

  beforeAll(async () => {
    // uids 64040–64071 (pipe-pyodide.test.ts has 64000–64007; the doctor's tests start at 64100)
    service = await createService({ GRADER_UID_BASE: '64040', GRADER_MAX_RUNS: '32' });
    const input = new PassThrough();
    const started = performance.now();
    const done = servePipe(
      service,
      input,
      (line) => {
        const answer = pipeAnswerSchema.parse(JSON.parse(line));
        if (answer.id !== null) answers.set(answer.id, answer);
      },
      // the programs mostly wait (timers): a third worker (~250 MB) shortens the run by a third
      { pyodide: () => createPyodideEngine({ workers: 3 }) },
    );
    // every job at once: CPython grades them side by side, Pyodide's workers take them in turn
    for (const solution of ALL) {
      for (const how of ENGINES) {
        const { engine, stage } = how;
        const job = {
          id: keyOf(solution, how),
          kind: 'grade',
          engine,
          request: {
            code: solution.code,
            taskId: solution.task,
            checks: taskChecks(solution.task),
            stage,
          },
        };
        input.write(`${JSON.stringify(job)}\n`);
      }
    }
    input.end();
    await done;
    seconds = (performance.now() - started) / 1000;
  }, 300_000);
  afterAll(() => service?.close());

  it('has at least 5 right and 8 wrong solutions per task, each saying what it is', () => {
    for (const task of TASKS) {
      for (const [kind, at_least] of [
        ['pass', 5],
        ['fail', 8],
      ] as const) {
        const files = ALL.filter((s) => s.task === task && s.kind === kind);
        expect(files.length, `${task} solutions/${kind}`).toBeGreaterThanOrEqual(at_least);
        const unmarked = files
          .filter((s) => !/^# (right|wrong): \S/.test(s.code) || !s.code.startsWith(KINDS[kind]))
          .map((s) => s.file);
        expect(unmarked, `${task} solutions/${kind}: first line must be "${KINDS[kind]}…"`).toEqual(
          [],
        );
      }
    }
  });

  for (const task of TASKS) {
    for (const kind of Object.keys(KINDS) as Kind[]) {
      const expected = kind === 'pass' ? 'passes' : 'fails';
      it(`${task}: every solutions/${kind} file ${expected} the final check and the quick check on both engines`, () => {
        const wrong: string[] = [];
        for (const solution of ALL.filter((s) => s.task === task && s.kind === kind)) {
          for (const how of ENGINES) {
            const answer = answers.get(keyOf(solution, how));
            const where = `${solution.file} on ${how.engine} (${how.stage})`;
            if (!answer || !('result' in answer)) {
              wrong.push(`${where}: no result (${JSON.stringify(answer)?.slice(0, 300)})`);
              continue;
            }
            const { status, message } = answer.result;
            const ok =
              kind === 'pass'
                ? status === 'passed'
                : status !== 'passed' && status !== 'sandbox_error';
            if (!ok) wrong.push(`${where}: ${status} (${message ?? ''})`);
          }
        }
        expect(wrong, `all jobs answered in ${seconds.toFixed(1)} s`).toEqual([]);
      });
    }
  }
});
