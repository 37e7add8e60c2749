import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareOutput } from '../src/doctor/compare.ts';
import { doctorJson, doctorOk, runDoctor } from '../src/doctor/doctor.ts';
import { NO_ALLOWANCES } from '../src/doctor/reader.ts';
import {
  type DoctorRunner,
  type ProgramResult,
  pythonSubprocessRunner,
  type TaskCheckResult,
} from '../src/doctor/runner.ts';
import { compileCourse } from '../src/index.ts';
import { COURSE_DIR } from './helpers.ts';

const course = compileCourse(COURSE_DIR).course!;
const chapter = course.chapters[0]!;
const ex = (n: number) => chapter.examples[n - 1]!;

/** A runner that answers from tables instead of running anything. */
function fakeRunner(
  outputs: Map<string, Partial<ProgramResult>>,
  verdicts: (
    taskId: string,
    code: string,
    how: { stage?: 'quick' | 'final'; engine?: 'cpython' | 'pyodide' },
  ) => TaskCheckResult,
): DoctorRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    describe: 'fake',
    calls,
    async runProgram(code) {
      calls.push(`run:${code.slice(0, 20)}`);
      const o = outputs.get(code) ?? {};
      return { stdout: '', stderr: '', exitCode: 0, elapsed: 0.01, timedOut: false, ...o };
    },
    async checkTask(task, code, how) {
      calls.push(`check:${task.id}`);
      return verdicts(task.id, code, how ?? {});
    },
  };
}

const expectedOutputs = () =>
  new Map<string, Partial<ProgramResult>>(
    chapter.examples.map((e) => [e.code, { stdout: `${e.expectedOutput ?? ''}\n` }]),
  );
/** The seed's right and wrong solutions (solutions/pass|fail beside each task's tests), counted. */
function seedSolutions(): { right: number; wrong: number } {
  const count = (which: string) =>
    chapter.tasks
      .map((t) => join(COURSE_DIR, chapter.id, 'tasks', t.id, 'solutions', which))
      .reduce((n, dir) => n + readdirSync(dir).filter((f) => f.endsWith('.py')).length, 0);
  return { right: count('pass'), wrong: count('fail') };
}

/** Passes the reference answer and the right solutions (solutions/pass: `# right: …`). */
const honestGrader = (taskId: string, code: string): TaskCheckResult => {
  const task = chapter.tasks.find((t) => t.id === taskId)!;
  return code === task.answer || code.startsWith('# right:')
    ? { status: 'passed', message: null, tests: [{ name: 't', status: 'passed', message: null }] }
    : { status: 'failed', message: null, tests: [{ name: 't', status: 'failed', message: 'нет' }] };
};

describe('output comparison', () => {
  it('is exact after trimming trailing whitespace and trailing blank lines', () => {
    expect(compareOutput('a\nb', 'a  \nb\n\n')).toEqual({ verdict: 'exact' });
    expect(compareOutput('a\nb', 'a\nc').verdict).toBe('mismatch');
    expect(compareOutput(' a', 'a').verdict).toBe('mismatch');
  });

  it('matches decimal numbers within the tolerance as loose (where the code measures time)', () => {
    const timed = { ...NO_ALLOWANCES, timing: true };
    const v = compareOutput(
      'done in 5.0016 seconds',
      'done in 5.0421 seconds',
      'exact',
      undefined,
      undefined,
      timed,
    );
    expect(v.verdict).toBe('loose');
    expect(
      compareOutput(
        'done in 5.0016 seconds',
        'done in 6.5 seconds',
        'exact',
        undefined,
        undefined,
        timed,
      ).verdict,
    ).toBe('mismatch');
    // integers are not loose
    expect(compareOutput('5 tasks', '6 tasks').verdict).toBe('mismatch');
  });

  it('supports unordered and varying lines', () => {
    expect(compareOutput('a\nb', 'b\na', 'unordered').verdict).toBe('loose');
    const varying = { lines: ['Tick'], slack: 1 };
    expect(
      compareOutput('Tick\n1\nTick\n2', 'Tick\n1\nTick\n2\nTick', 'exact', undefined, varying)
        .verdict,
    ).toBe('loose');
    expect(
      compareOutput('Tick\n1\n2', 'Tick\nTick\nTick\n1\n2', 'exact', undefined, varying).verdict,
    ).toBe('mismatch');
    expect(compareOutput('Tick\n1\n2', 'Tick\n2\n1', 'exact', undefined, varying).verdict).toBe(
      'mismatch',
    );
  });
});

describe('doctor with an injected runner', () => {
  it('passes a healthy course and prints the issue JSON shape', async () => {
    const runner = fakeRunner(expectedOutputs(), honestGrader);
    const progress: number[] = [];
    const report = await runDoctor({
      courseDir: COURSE_DIR,
      runner,
      onProgress: (d) => progress.push(d),
    });
    const solutions = seedSolutions();
    expect(doctorJson(report)).toEqual({
      examples: { total: 9, matched: 9, mismatched: [] },
      answers: { total: 2, passed: 2, failed: [] },
      starters: { total: 2, failed: 2, passed: [] },
      strength: {
        tasks: 2,
        right: solutions.right,
        wrong: solutions.wrong,
        misjudged: [],
        quickAcceptsWrong: 0,
      },
      errors: [],
    });
    expect(doctorOk(report)).toBe(true);
    // an answer and a starter per task; each solution on the final check and both quick ones
    const all = solutions.right + solutions.wrong;
    expect(runner.calls.filter((c) => c.startsWith('check:'))).toHaveLength(4 + 3 * all);
    expect(progress.at(-1)).toBe(13 + all);
    expect(report.details.find((d) => d.id === ex(3).id)?.outcome).toBe('ran');
  });

  it('reports mismatched examples, failing answers and passing starters', async () => {
    const outputs = expectedOutputs();
    outputs.set(ex(2).code, { stdout: '100\n41\nmain ended\n' });
    // an example without an output fence that exits 1 without an exception (sys.exit(1))
    outputs.set(ex(3).code, { stdout: '', stderr: '', exitCode: 1 });
    outputs.set(ex(7).code, { stdout: ex(7).expectedOutput!.replace('5.0016', '5.0100') });
    const grader = (taskId: string, code: string): TaskCheckResult =>
      code.startsWith('# right:') || code.startsWith('# wrong:')
        ? honestGrader(taskId, code)
        : taskId.endsWith('0010')
          ? {
              status: 'failed',
              message: null,
              tests: [{ name: 'Вывод', status: 'failed', message: 'не тот' }],
            }
          : { status: 'passed', message: null, tests: [] }; // 0020: starter passes too
    const report = await runDoctor({
      courseDir: COURSE_DIR,
      runner: fakeRunner(outputs, grader),
      jobs: 2,
    });
    expect(doctorJson(report)).toEqual({
      examples: { total: 9, matched: 7, mismatched: [ex(2).id, ex(3).id] },
      answers: { total: 2, passed: 1, failed: ['python_chapter_0320_task_0010'] },
      starters: { total: 2, failed: 1, passed: ['python_chapter_0320_task_0020'] },
      strength: expect.objectContaining({ tasks: 2, misjudged: [] }),
      // a reference answer failing its own checks is a content error naming the task
      errors: [
        {
          file: 'python_chapter_0320/text.md',
          line: expect.any(Number),
          column: 1,
          message: expect.stringMatching(
            /^python_chapter_0320_task_0010: the reference answer fails: .*Вывод: не тот/,
          ),
        },
      ],
    });
    expect(doctorOk(report)).toBe(false);
    const d2 = report.details.find((d) => d.id === ex(2).id)!;
    expect(d2.message).toMatch(/line 2: expected "42", got "41"/);
    expect(d2.source.line).toBe(40);
    expect(report.details.find((d) => d.id === ex(7).id)?.outcome).toBe('loose');
    const answer = report.details.find((d) => d.kind === 'answer' && d.outcome === 'failed')!;
    expect(answer.message).toMatch(/Вывод: не тот/);
  });

  it('restricts the run with --only', async () => {
    const runner = fakeRunner(expectedOutputs(), honestGrader);
    const one = await runDoctor({
      courseDir: COURSE_DIR,
      runner,
      only: 'python_chapter_0320_task_0020',
    });
    expect(doctorJson(one)).toMatchObject({
      examples: { total: 0 },
      answers: { total: 1, passed: 1 },
      starters: { total: 1, failed: 1 },
    });
    const ex5 = await runDoctor({ courseDir: COURSE_DIR, runner, only: ex(5).id });
    expect(ex5.examples).toEqual({ total: 1, matched: 1, mismatched: [] });
    const none = await runDoctor({ courseDir: COURSE_DIR, runner, only: 'nope' });
    expect(none.errors[0]!.message).toMatch(/--only nope/);
  });

  it('reruns a wrong result and reports a right rerun as flaky', async () => {
    let runs = 0;
    const base = fakeRunner(expectedOutputs(), honestGrader);
    const runner: DoctorRunner = {
      ...base,
      async runProgram(code, wall) {
        runs++;
        if (runs === 1)
          return { stdout: 'wrong\n', stderr: '', exitCode: 0, elapsed: 0, timedOut: false };
        return base.runProgram(code, wall);
      },
    };
    const report = await runDoctor({ courseDir: COURSE_DIR, runner, only: ex(1).id, retries: 1 });
    expect(runs).toBe(2);
    expect(report.examples).toEqual({ total: 1, matched: 1, mismatched: [] });
    expect(report.details[0]!.message).toMatch(/flaky: right on rerun 1, first run: line 1/);
    const strict = await runDoctor({ courseDir: COURSE_DIR, runner, only: ex(1).id, retries: 0 });
    expect(strict.examples.matched).toBe(1); // runs > 1 now: the runner answers right
  });

  it('says so when the grader is missing, and treats runner crashes as errors', async () => {
    const runner: DoctorRunner = {
      describe: 'broken',
      async runProgram() {
        throw new Error('spawn failed');
      },
      checkTask: null,
    };
    const report = await runDoctor({ courseDir: COURSE_DIR, runner, only: 'python_chapter_0320' });
    expect(report.examples.matched).toBe(0);
    expect(
      report.errors.some((e) => /grader CLI \(lms-grader\) was not found/.test(e.message)),
    ).toBe(true);
    expect(report.errors.some((e) => /could not run: spawn failed/.test(e.message))).toBe(true);
  });
});

describe('doctor.json sidecar', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lms-doctor-sidecar-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('applies varyingLines and reports a bad sidecar with its position', async () => {
    const dir = join(tmp, 'python');
    cpSync(COURSE_DIR, dir, { recursive: true });
    const outputs = expectedOutputs();
    outputs.set(ex(9).code, { stdout: `${ex(9).expectedOutput}\nTick\n` });
    const runner = fakeRunner(outputs, honestGrader);
    const ok = await runDoctor({ courseDir: dir, runner, only: ex(9).id });
    expect(ok.examples.matched).toBe(1);
    expect(ok.details[0]!.outcome).toBe('loose');
    expect(ok.details[0]!.message).toMatch(/varyingLines/);

    writeFileSync(
      join(dir, 'python_chapter_0320', 'doctor.json'),
      '{\n  "examples": {"08": {"compare": "fuzzy"}}\n}',
    );
    const bad = await runDoctor({ courseDir: dir, runner, only: ex(9).id });
    expect(bad.errors[0]).toMatchObject({ file: 'python_chapter_0320/doctor.json', line: 1 });
    expect(bad.errors[0]!.message).toMatch(/examples\.08\.compare/);

    writeFileSync(join(dir, 'python_chapter_0320', 'doctor.json'), '{"examples": {"42": {}}');
    const syntax = await runDoctor({ courseDir: dir, runner, only: ex(9).id });
    expect(syntax.errors[0]!.message).toMatch(/not valid JSON/);
  });
});

describe('doctor on an output task ("what does this print?")', () => {
  const tmp2 = mkdtempSync(join(tmpdir(), 'lms-doctor-output-'));
  afterAll(() => rmSync(tmp2, { recursive: true, force: true }));

  it('checks the answer against the real output of the statement program', async () => {
    const F = '```';
    const make = (answer: string) => {
      const dir = join(tmp2, answer.replace(/\W/g, '') || 'empty', 'py');
      mkdirSync(join(dir, 'py_chapter_0010'), { recursive: true });
      writeFileSync(
        join(dir, 'py_chapter_0010', 'text.md'),
        `# Г\n\nЧто выведет код? {.task_text}\n\n${F}python {.task_text}\nfor i in range(3):\n    print(i, i * i)\n${F}\n\n${F}consoleoutput {.task_source #py_chapter_0010_task_0010}\n${F}\nЦикл. {.task_hint}\n\n${F}consoleoutput {.task_answer}\n${answer}\n${F}\n`,
      );
      return dir;
    };
    const runner = { ...pythonSubprocessRunner(), checkTask: null };
    const good = await runDoctor({ courseDir: make('0 0\n1 1\n2 4 '), runner });
    expect(doctorJson(good)).toEqual({
      examples: { total: 0, matched: 0, mismatched: [] },
      answers: { total: 1, passed: 1, failed: [] },
      starters: { total: 1, failed: 1, passed: [] },
      errors: [],
    });
    const bad = await runDoctor({ courseDir: make('0 0\n1 1\n2 5'), runner });
    expect(bad.answers.failed).toEqual(['py_chapter_0010_task_0010']);
    expect(bad.details.find((d) => d.kind === 'answer')!.message).toMatch(
      /line 3: expected "2 5", got "2 4"/,
    );
  });
});

describe('check strength (solutions/pass and solutions/fail beside the tests)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lms-doctor-strength-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const task10 = 'python_chapter_0320_task_0010';

  it('reports a check that misjudges a solution or whose engines disagree, and counts weak quick checks', async () => {
    const dir = join(tmp, 'python');
    cpSync(COURSE_DIR, dir, { recursive: true });
    const solutions = join(dir, chapter.id, 'tasks', task10, 'solutions');
    rmSync(solutions, { recursive: true, force: true });
    rmSync(join(dir, chapter.id, 'tasks', 'python_chapter_0320_task_0020', 'solutions'), {
      recursive: true,
      force: true,
    });
    mkdirSync(join(solutions, 'pass'), { recursive: true });
    mkdirSync(join(solutions, 'fail'), { recursive: true });
    const files: Record<string, string> = {
      'pass/fine.py': '# right: judged right everywhere\n',
      'pass/rejected.py': '# right: the final check rejects it\n',
      'pass/engines.py': '# right: Pyodide rejects it in the quick check\n',
      'pass/newer_syntax.py': '# right: syntax the sandbox Python lacks\n',
      'fail/caught.py': '# wrong: caught by the public tests\n',
      'fail/hidden_only.py': '# wrong: only the hidden tests catch it\n',
      'fail/slips.py': '# wrong: accepted by everything\n',
    };
    for (const [name, code] of Object.entries(files)) writeFileSync(join(solutions, name), code);
    const passed: TaskCheckResult = { status: 'passed', message: null, tests: [] };
    const failed: TaskCheckResult = {
      status: 'failed',
      message: null,
      tests: [{ name: 'Тики', status: 'failed', message: 'мало tick' }],
    };
    const grader = (taskId: string, code: string, how: { stage?: string; engine?: string }) => {
      if (!code.startsWith('#')) return honestGrader(taskId, code);
      const quick = how.stage === 'quick';
      if (code.includes('judged right') || code.includes('accepted by everything')) return passed;
      if (code.includes('final check rejects')) return quick ? passed : failed;
      if (code.includes('Pyodide rejects'))
        return quick && how.engine === 'pyodide' ? failed : passed;
      if (code.includes('only the hidden')) return quick ? passed : failed;
      // the grader's status error (a SyntaxError on CPython 3.11) is a rejection too
      if (code.includes('syntax the sandbox'))
        return how.engine === 'pyodide' ? passed : { ...failed, status: 'error' as const };
      return failed;
    };
    const report = await runDoctor({
      courseDir: dir,
      runner: fakeRunner(expectedOutputs(), grader),
    });
    const at = (name: string) => `${chapter.id}/tasks/${task10}/solutions/${name}`;
    expect(report.strength).toEqual({
      tasks: 1,
      right: 4,
      wrong: 3,
      misjudged: expect.arrayContaining([
        at('pass/newer_syntax.py'),
        at('pass/rejected.py'),
        at('pass/engines.py'),
        at('fail/slips.py'),
      ]),
      quickAcceptsWrong: 1,
    });
    expect(report.strength.misjudged).toHaveLength(4);
    expect(doctorOk(report)).toBe(false);
    const message = (name: string) => report.errors.find((e) => e.file === at(name))?.message;
    expect(message('pass/newer_syntax.py')).toMatch(
      /final check rejects a right solution.*: error;.*verdict differs between engines: Pyodide passed, CPython error/,
    );
    expect(message('pass/rejected.py')).toMatch(
      /^the final check rejects a right solution \(right: the final check rejects it\): failed; Тики: мало tick/,
    );
    expect(message('pass/engines.py')).toMatch(/quick check on Pyodide rejects a right solution/);
    expect(message('pass/engines.py')).toMatch(
      /verdict differs between engines: Pyodide failed, CPython passed/,
    );
    expect(message('fail/slips.py')).toBe(
      'the final check accepts a wrong solution (wrong: accepted by everything)',
    );
    const hidden = report.details.find((d) => d.id === at('fail/hidden_only.py'))!;
    expect(hidden).toMatchObject({
      outcome: 'passed',
      message: expect.stringMatching(/quick check \(public tests\) accepts it/),
    });
  });
});

describe('an example without an output fence that ends in an exception', () => {
  const outcomeFor = async (stderr: string) => {
    const outputs = expectedOutputs();
    outputs.set(ex(3).code, { stdout: '', stderr, exitCode: 1 });
    const report = await runDoctor({
      courseDir: COURSE_DIR,
      only: ex(3).id,
      runner: fakeRunner(outputs, honestGrader),
    });
    return report.details.find((d) => d.id === ex(3).id)!;
  };

  it('may be showing it (ran, with the exception said), unless the grader lacks a module or the name is defined nowhere', async () => {
    const shown = await outcomeFor(
      "Traceback...\nTypeError: 'str' object does not support item assignment\n",
    );
    expect(shown).toMatchObject({
      outcome: 'ran',
      rules: ['raises'],
      message: expect.stringMatching(/^raises TypeError/),
    });
    const missing = await outcomeFor(
      "Traceback...\nModuleNotFoundError: No module named 'numpy'\n",
    );
    expect(missing).toMatchObject({
      outcome: 'mismatch',
      message: expect.stringMatching(/module numpy is not installed where the grader runs/),
    });
    // ex(3) defines no name "query": a fragment of an earlier example, or a typo
    const fragment = await outcomeFor("Traceback...\nNameError: name 'query' is not defined\n");
    expect(fragment.outcome).toBe('mismatch');
  });
});
