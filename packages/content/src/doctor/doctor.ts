// The course doctor: every example, answer and starter of a course through a runner, one report.
import { resolve } from 'node:path';
import { compileCourse } from '../course.ts';
import { typedOutputMatches } from '../output.ts';
import {
  type Chapter,
  type CompiledCourse,
  type ContentError,
  type Example,
  hasLegacyCheck,
  type SourcePosition,
  type Task,
} from '../schema.ts';
import { compareOutput, compareRun, DEFAULT_TOLERANCE } from './compare.ts';
import { pool } from './pool.ts';
import { allowancesOf, isExceptionLine } from './reader.ts';
import type { DoctorRunner, TaskCheckResult } from './runner.ts';
import { type ExampleRule, readSidecar } from './sidecar.ts';
import { assess, findSolutions, gradeSolution, type Solution } from './strength.ts';

export type Outcome = 'exact' | 'loose' | 'ran' | 'mismatch' | 'passed' | 'failed' | 'error';

export interface DoctorDetail {
  id: string;
  /** a solution: one of the task's solutions/pass|fail files, `id` being its path */
  kind: 'example' | 'answer' | 'starter' | 'solution';
  outcome: Outcome;
  /** what went wrong, or why a match is loose */
  message: string | null;
  elapsed: number | null;
  source: SourcePosition;
  /** the comparison rules a loose match needed (examples), e.g. "object addresses" */
  rules?: string[];
}

export interface DoctorReport {
  examples: { total: number; matched: number; mismatched: string[] };
  answers: { total: number; passed: number; failed: string[] };
  starters: { total: number; failed: number; passed: string[] };
  /** check strength (strength.ts): the tasks' right and wrong solutions, as the checks judged them */
  strength: {
    tasks: number;
    right: number;
    wrong: number;
    /** solution files the checks misjudge, or whose quick verdicts differ between engines */
    misjudged: string[];
    /** wrong solutions the quick check (public tests) accepts and the final check rejects */
    quickAcceptsWrong: number;
  };
  errors: ContentError[];
  details: DoctorDetail[];
  runner: string;
  /**
   * Tasks checked by a legacy wrapper_test alone (`Task.legacyCheck`): the program runs inside
   * the check and can tamper with it. Reported, not a problem: docs/check-format.md says how to
   * convert one (`lms-content convert-wrapper`).
   */
  legacyChecks: string[];
}

export interface DoctorOptions {
  courseDir: string;
  /** a chapter, task or example id */
  only?: string;
  /** parallel runs (examples sleep a lot, so more than the core count pays off) */
  jobs?: number;
  runner: DoctorRunner;
  /** default wall-clock limit of one example */
  exampleTimeoutSeconds?: number;
  /**
   * Reruns of a run that came out wrong, before it is reported (timing-dependent examples and
   * checks on a loaded machine); a success on a rerun is reported with a "flaky" note.
   */
  retries?: number;
  onProgress?: (done: number, total: number, label: string) => void;
  /** grade the tasks' solutions/pass|fail files (check strength); default true */
  strength?: boolean;
}

export function doctorOk(report: DoctorReport): boolean {
  return (
    report.errors.length === 0 &&
    report.examples.mismatched.length === 0 &&
    report.answers.failed.length === 0 &&
    report.starters.passed.length === 0 &&
    report.strength.misjudged.length === 0
  );
}

/** The `--json` shape of `lms-content check` (issue 2), details only on request. */
export function doctorJson(report: DoctorReport, withDetails = false): Record<string, unknown> {
  const json: Record<string, unknown> = {
    examples: report.examples,
    answers: report.answers,
    starters: report.starters,
    ...(report.strength.tasks > 0 ? { strength: report.strength } : {}),
    ...(report.legacyChecks.length > 0 ? { legacyChecks: report.legacyChecks } : {}),
    errors: report.errors,
  };
  if (withDetails) {
    json.details = report.details;
    json.runner = report.runner;
  }
  return json;
}

interface Job {
  label: string;
  run: () => Promise<DoctorDetail[]>;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const courseDir = resolve(options.courseDir);
  const report: DoctorReport = {
    examples: { total: 0, matched: 0, mismatched: [] },
    answers: { total: 0, passed: 0, failed: [] },
    starters: { total: 0, failed: 0, passed: [] },
    strength: { tasks: 0, right: 0, wrong: 0, misjudged: [], quickAcceptsWrong: 0 },
    errors: [],
    details: [],
    runner: options.runner.describe,
    legacyChecks: [],
  };
  const { course, errors } = compileCourse(courseDir);
  if (!course) {
    report.errors.push(...errors);
    return report;
  }
  const selection = select(course, options.only);
  if (!selection) {
    report.errors.push({
      file: '.',
      line: 1,
      column: 1,
      message: `--only ${options.only}: no chapter, task or example of course ${course.id} has this id`,
    });
    return report;
  }

  const jobs: Job[] = [];
  const timeout = options.exampleTimeoutSeconds ?? 20;
  for (const { chapter, examples, tasks } of selection) {
    const sidecar = readSidecar(
      courseDir,
      chapter.id,
      chapter.examples.map((e) => e.id),
    );
    report.errors.push(...sidecar.errors);
    for (const example of examples) {
      // shown as static code (a course in another language): nothing to run
      if (example.runnable === false) continue;
      report.examples.total++;
      const rule = sidecar.rules.get(example.id);
      jobs.push({
        label: example.id,
        run: async () => [await checkExample(options.runner, example, rule, timeout)],
      });
    }
    for (const task of tasks) {
      if (hasLegacyCheck(task)) report.legacyChecks.push(task.id);
      // a free-form question ("what does this print?" with no program and no wrapper_test)
      if (task.kind === 'output' && task.starter.trim() === '' && !task.checks.wrapperTest)
        continue;
      report.answers.total++;
      report.starters.total++;
      if (task.kind === 'output') {
        jobs.push({ label: task.id, run: () => checkOutputTask(options.runner, task, timeout) });
      } else {
        const check = options.runner.checkTask;
        if (!check) continue;
        jobs.push({
          label: `${task.id} answer`,
          run: async () => [await checkSolution(check, task, 'answer')],
        });
        jobs.push({
          label: `${task.id} starter`,
          run: async () => [await checkSolution(check, task, 'starter')],
        });
        const solutions =
          options.strength === false ? [] : findSolutions(courseDir, chapter.id, task);
        if (solutions.length > 0) report.strength.tasks++;
        for (const solution of solutions) {
          jobs.push({
            label: solution.file,
            run: async () => [await checkStrength(check, solution)],
          });
        }
      }
    }
  }
  const programTasks = selection.flatMap((s) => s.tasks).filter((t) => t.kind === 'program');
  if (!options.runner.checkTask && programTasks.length > 0) {
    report.errors.push({
      file: '.',
      line: 1,
      column: 1,
      message:
        `the grader CLI (lms-grader) was not found, so ${programTasks.length} reference answers and starters ` +
        'were not checked: install the workspace (npm ci links lms-grader) or set LMS_GRADER_BIN',
    });
  }

  let done = 0;
  options.onProgress?.(0, jobs.length, '');
  let results: DoctorDetail[][];
  try {
    results = await pool(
      options.jobs ?? 4,
      jobs.map((job) => async () => {
        let details = await job.run();
        for (let attempt = 1; attempt <= (options.retries ?? 0) && details.some(isBad); attempt++) {
          const first = details
            .filter(isBad)
            .map((d) => d.message)
            .join('; ');
          details = (await job.run()).map((d) =>
            isBad(d)
              ? d
              : {
                  ...d,
                  message: [d.message, `flaky: right on rerun ${attempt}, first run: ${first}`]
                    .filter(Boolean)
                    .join('; '),
                },
          );
        }
        options.onProgress?.(++done, jobs.length, job.label);
        return details;
      }),
    );
  } finally {
    await options.runner.close?.();
  }
  for (const detail of results.flat()) {
    report.details.push(detail);
    tally(report, detail);
  }
  return report;
}

function isBad(d: DoctorDetail): boolean {
  if (d.kind === 'starter') return d.outcome !== 'failed';
  if (d.kind === 'solution') return d.outcome !== 'passed';
  return d.outcome === 'mismatch' || d.outcome === 'failed' || d.outcome === 'error';
}

function tally(report: DoctorReport, d: DoctorDetail) {
  if (d.kind === 'solution') {
    const wrong = d.id.includes('/solutions/fail/');
    if (wrong) report.strength.wrong++;
    else report.strength.right++;
    if (d.outcome !== 'passed') {
      report.strength.misjudged.push(d.id);
      report.errors.push({ file: d.id, line: 1, column: 1, message: d.message ?? d.outcome });
    } else if (wrong && d.message?.includes('quick check (public tests) accepts')) {
      report.strength.quickAcceptsWrong++;
    }
    return;
  }
  if (d.kind === 'example') {
    if (d.outcome === 'exact' || d.outcome === 'loose' || d.outcome === 'ran')
      report.examples.matched++;
    else report.examples.mismatched.push(d.id);
    if (d.outcome === 'error')
      report.errors.push({ ...d.source, message: `${d.id}: ${d.message}` });
  } else if (d.kind === 'answer') {
    if (d.outcome === 'passed') report.answers.passed++;
    else report.answers.failed.push(d.id);
    // a reference answer that fails its own checks is a content error, named by its task
    if (d.outcome === 'error' || d.outcome === 'failed')
      report.errors.push({ ...d.source, message: `${d.id}: ${d.message}` });
  } else {
    if (d.outcome === 'failed') report.starters.failed++;
    else if (d.outcome === 'passed') report.starters.passed.push(d.id);
    else report.errors.push({ ...d.source, message: `${d.id} starter: ${d.message}` });
  }
}

function select(
  course: CompiledCourse,
  only: string | undefined,
): Array<{ chapter: Chapter; examples: Example[]; tasks: Task[] }> | null {
  if (!only)
    return course.chapters.map((c) => ({ chapter: c, examples: c.examples, tasks: c.tasks }));
  for (const chapter of course.chapters) {
    if (chapter.id === only) return [{ chapter, examples: chapter.examples, tasks: chapter.tasks }];
    const task = chapter.tasks.find((t) => t.id === only);
    if (task) return [{ chapter, examples: [], tasks: [task] }];
    const example = chapter.examples.find((e) => e.id === only);
    if (example) return [{ chapter, examples: [example], tasks: [] }];
  }
  return null;
}

function tail(text: string, lines = 6): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function checkExample(
  runner: DoctorRunner,
  example: Example,
  rule: ExampleRule | undefined,
  defaultTimeout: number,
): Promise<DoctorDetail> {
  const base = { id: example.id, kind: 'example' as const, source: example.source };
  const timeout = rule?.timeoutSeconds ?? defaultTimeout;
  let run: Awaited<ReturnType<DoctorRunner['runProgram']>>;
  try {
    run = await runner.runProgram(example.code, timeout);
  } catch (e) {
    return {
      ...base,
      outcome: 'error',
      message: `could not run: ${(e as Error).message}`,
      elapsed: null,
    };
  }
  const elapsed = Math.round(run.elapsed * 1000) / 1000;
  if (run.timedOut) {
    return {
      ...base,
      outcome: 'mismatch',
      message: `did not finish in ${timeout} s (raise timeoutSeconds in doctor.json if it is meant to run that long)`,
      elapsed,
    };
  }
  if (rule?.exitCode !== undefined && run.exitCode !== rule.exitCode) {
    return {
      ...base,
      outcome: 'mismatch',
      message: `exited with ${run.exitCode}, expected ${rule.exitCode} (doctor.json): ${tail(run.stderr)}`,
      elapsed,
    };
  }
  const mode = rule?.compare ?? 'exact';
  if (example.expectedOutput === null || mode === 'ignore') {
    if (run.exitCode !== 0 && rule?.exitCode === undefined) {
      const raised = tail(run.stderr, 1);
      // nothing printed to compare with: an example may well be there to show an exception
      const why =
        example.expectedOutput === null ? demonstratedException(example.code, raised) : null;
      if (why) return { ...base, outcome: 'ran', message: why, elapsed, rules: ['raises'] };
      return {
        ...base,
        outcome: 'mismatch',
        message: `exited with ${run.exitCode}, expected 0: ${tail(run.stderr)}${missingModule(run.stderr)}`,
        elapsed,
      };
    }
    return { ...base, outcome: 'ran', message: rule?.reason ?? null, elapsed };
  }
  const verdict = compareRun(example.expectedOutput, run, {
    mode,
    tolerance: { ...DEFAULT_TOLERANCE, ...(rule?.tolerance ?? {}) },
    varying: rule?.varyingLines
      ? { lines: rule.varyingLines, slack: rule.varyingSlack }
      : undefined,
    allowances: {
      ...allowancesOf(example.code),
      // a tolerance set in doctor.json says the numbers vary
      ...(rule?.tolerance ? { timing: true } : {}),
    },
    ...(rule?.exitCode !== undefined ? { exitCode: rule.exitCode } : {}),
  });
  if (verdict.verdict === 'exact') return { ...base, outcome: 'exact', message: null, elapsed };
  if (verdict.verdict === 'loose') {
    return {
      ...base,
      outcome: 'loose',
      message: rule?.reason ? `${verdict.why}; ${rule.reason}` : verdict.why,
      elapsed,
      rules: verdict.rules,
    };
  }
  const stderr = run.stderr.trim() ? `; stderr: ${tail(run.stderr, 3)}` : '';
  return {
    ...base,
    outcome: 'mismatch',
    message: `${verdict.why}${stderr}${missingModule(run.stderr)}`,
    elapsed,
  };
}

/**
 * Why an example without an output fence that ended in `raised` may mean to show it, or null.
 * A missing module or syntax the grader's Python lacks is a real failure; a NameError is a
 * scope demonstration only when the example defines that name somewhere (else it is a
 * fragment of an earlier example, or a typo); any other exception is what many examples show.
 */
function demonstratedException(code: string, raised: string): string | null {
  if (!isExceptionLine(raised)) return null;
  const kind = raised.split(':')[0]!.trim();
  if (/^(?:ModuleNotFoundError|ImportError|SyntaxError|IndentationError|TabError)$/.test(kind))
    return null;
  const name = /^NameError: name '([^']+)' is not defined/.exec(raised)?.[1];
  if (kind === 'NameError') {
    const escaped = name?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const defines =
      escaped !== undefined &&
      new RegExp(
        `\\b(?:def|class)\\s+${escaped}\\b|\\b${escaped}\\s*=[^=]|\\bimport\\s+(?:[\\w.]+\\s+as\\s+)?${escaped}\\b`,
      ).test(code);
    if (!defines) return null;
    return `raises ${raised}: the example defines ${name} in another scope (the text shows no output to compare with: right if it means to show this)`;
  }
  return `raises ${raised} (the text shows no output to compare with: right if it means to show this exception)`;
}

/** A note when a run failed for a module the grader's Python does not have. */
function missingModule(stderr: string): string {
  const missing = /ModuleNotFoundError: No module named '([^']+)'/.exec(stderr);
  if (missing) return ` (module ${missing[1]} is not installed where the grader runs)`;
  const cannot = /ImportError: cannot import name '([^']+)' from '([^']+)'/.exec(stderr);
  if (cannot)
    return ` (${cannot[2]} has no ${cannot[1]} in the grader's Python: a newer version may be needed)`;
  return '';
}

/** One right or wrong solution through the checks (strength.ts): 'passed' when judged as its folder says. */
async function checkStrength(
  check: NonNullable<DoctorRunner['checkTask']>,
  solution: Solution,
): Promise<DoctorDetail> {
  const started = performance.now();
  const verdicts = await gradeSolution(check, solution);
  const finding = assess(solution, verdicts);
  return {
    id: solution.file,
    kind: 'solution',
    outcome: finding.problem ? (verdicts.errors.length > 0 ? 'error' : 'failed') : 'passed',
    message: finding.problem ?? finding.note,
    elapsed: Math.round(performance.now() - started) / 1000,
    source: { file: solution.file, line: 1, column: 1 },
  };
}

/** A failing test's message as a reason: a traceback by its exception line, with what it suggests. */
function reasonOf(message: string): string {
  // a wrapper_test's output reaches us capped by the grader: "… (N lines cut)", then the
  // exception line of its traceback without the frames
  const capped = message.trim().replace(/^… \(\d+ lines? cut\)\n/, '');
  if (capped !== message.trim()) {
    const shown = capped.split('\n');
    const last = shown.at(-1) ?? '';
    if (isExceptionLine(last))
      return reasonOf(
        [...shown.slice(0, -1), 'Traceback (most recent call last):', last].join('\n'),
      );
  }
  const lines = message.trim().split('\n');
  if (!lines.some((l) => l.startsWith('Traceback (most recent call last)'))) return message.trim();
  const exception =
    [...lines]
      .reverse()
      .find((l) => isExceptionLine(l))
      ?.trim() ?? lines.at(-1)!;
  const before = lines
    .slice(
      0,
      lines.findIndex((l) => l.startsWith('Traceback')),
    )
    .join(' ')
    .trim();
  const hint = /^NameError: name '([^']+)' is not defined/.test(exception)
    ? ' (a line defining or importing it is missing?)'
    : missingModule(exception);
  return [before, `${exception}${hint}`].filter(Boolean).join('; ');
}

function describeFailure(r: TaskCheckResult): string {
  const failing = r.tests.filter((t) => t.status !== 'passed');
  const parts = [...new Set(failing.map((t) => `${t.name}: ${reasonOf(t.message ?? t.status)}`))];
  // the grader's summary repeats the failing tests' messages: it is shown only without them
  return [`status ${r.status}`, parts.length > 0 ? null : r.message, ...parts]
    .filter(Boolean)
    .join('; ');
}

async function checkSolution(
  check: NonNullable<DoctorRunner['checkTask']>,
  task: Task,
  which: 'answer' | 'starter',
  code: string = which === 'answer' ? task.answer : task.starter,
): Promise<DoctorDetail> {
  const base = { id: task.id, kind: which, source: task.source };
  const started = performance.now();
  let r: TaskCheckResult;
  try {
    r = await check(task, code);
  } catch (e) {
    return {
      ...base,
      outcome: 'error',
      message: `grader failed: ${(e as Error).message}`,
      elapsed: null,
    };
  }
  const elapsed = Math.round(performance.now() - started) / 1000;
  if (r.status === 'sandbox_error') {
    return {
      ...base,
      outcome: 'error',
      message: `grader sandbox error: ${describeFailure(r)}`,
      elapsed,
    };
  }
  if (r.status === 'passed') {
    return {
      ...base,
      outcome: 'passed',
      message:
        which === 'starter'
          ? task.kind === 'output'
            ? 'an empty answer passes the wrapper_test: the check is too weak'
            : 'the starter code already passes every check: the checks are too weak'
          : null,
      elapsed,
    };
  }
  return {
    ...base,
    outcome: 'failed',
    message:
      which === 'answer' ? `the reference answer fails: ${describeFailure(r)}` : describeFailure(r),
    elapsed,
  };
}

/**
 * "What does this print?". With a wrapper_test (senjun's courses) the wrapper is the check, as
 * on the server: the answer must pass it and an empty answer must not; the program is not
 * compared, since such a task may ask what a variable holds rather than what is printed.
 * Without one: the answer must be what the program really prints, and an empty guess must fail.
 */
async function checkOutputTask(
  runner: DoctorRunner,
  task: Task,
  timeout: number,
): Promise<DoctorDetail[]> {
  const check = runner.checkTask;
  if (task.checks.wrapperTest && check) {
    return [
      await checkSolution(check, task, 'answer'),
      await checkSolution(check, task, 'starter', ''),
    ];
  }
  const base = { id: task.id, source: task.source };
  let answer: DoctorDetail;
  try {
    const run = await runner.runProgram(task.starter, timeout);
    const ok = !run.timedOut && typedOutputMatches(run.stdout, task.answer);
    const verdict = compareOutput(task.answer, run.stdout);
    answer = {
      ...base,
      kind: 'answer',
      outcome: ok ? 'passed' : 'failed',
      message: ok
        ? null
        : `the answer is not what the program prints: ${verdict.verdict === 'exact' ? 'white space differs' : verdict.why}`,
      elapsed: run.elapsed,
    };
  } catch (e) {
    answer = {
      ...base,
      kind: 'answer',
      outcome: 'error',
      message: `could not run: ${(e as Error).message}`,
      elapsed: null,
    };
  }
  const emptyPasses = typedOutputMatches('', task.answer);
  const starter: DoctorDetail = {
    ...base,
    kind: 'starter',
    outcome: emptyPasses ? 'passed' : 'failed',
    message: emptyPasses ? 'the answer is empty, so an empty guess passes' : null,
    elapsed: 0,
  };
  return [answer, starter];
}
