import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { convertCourse, formatConversions, writeConversion } from './convert-wrapper.ts';
import { compileCourse } from './course.ts';
import { type DoctorDetail, doctorJson, doctorOk, runDoctor } from './doctor/doctor.ts';
import { formatDoctorReport } from './doctor/report-text.ts';
import {
  type DoctorRunner,
  findBin,
  findGraderBin,
  graderCliRunner,
  pythonSubprocessRunner,
} from './doctor/runner.ts';
import { readEnv } from './env.ts';
import type { ContentError, ContentWarning } from './schema.ts';

const USAGE = `lms-content — the course compiler and doctor

Usage:
  lms-content build <courseDir> [--out FILE]      compile; JSON to stdout or FILE
  lms-content stats <courseDir> [--json]           chapters, tasks, examples, errors, warnings
  lms-content check <courseDir> [--json] [--only ID] [--jobs N] [--retries N] [--timeout S]
                    [--details] [--verbose] [--no-strength] [--no-grader] [--no-progress]
      the course doctor: runs every example and compares its output as a reader would (the
      report names each comparison rule a match needed), checks every reference answer (must
      pass) and starter (must fail) with the grader; --jobs parallel runs (16),
      --retries reruns of a wrong result before reporting it (1), --timeout per example (20 s),
      --details adds per-run details to --json, --verbose lists every run (not only problems
      and notable matches), --no-strength skips the tasks' solutions/pass|fail files, --no-grader runs examples with python3 -I
  lms-content publish <courseDir> [--as <admin email>]
      compile, then publish as a new release of the database (DATABASE_URL) through lms-db;
      errors are printed as for build and nothing is published
  lms-content convert-wrapper <courseDir> [--task ID] [--write]
      a legacy wrapper_test (the program runs inside it and can tamper with it) as
      tests_hidden.py in our check format, where the wrapper's checks read only the program's
      output and code; for the others it says why not (docs/check-format.md, "Converting a
      wrapper_test"); --write writes tests_hidden.py and removes the wrapper_test

Errors are tasks that cannot be used (no id, a duplicate id, no checks): exit code 1.
Warnings are recoverable (the chapter is compiled the way senjun.ru renders it): exit code 0.

Exit codes: 0 ok, 1 content problems, 2 bad usage.`;

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set([
  '--out',
  '--only',
  '--jobs',
  '--timeout',
  '--retries',
  '--task',
  '--as',
]);
const BOOL_FLAGS = new Set([
  '--json',
  '--details',
  '--no-grader',
  '--no-progress',
  '--verbose',
  '--no-strength',
  '--write',
  '--help',
  '-h',
]);

/**
 * Runs in flight at once: the grader admits them up to its capacity (GRADER_MAX_RUNS) and
 * schedules their CPU on its CPU slots, so more than the cores pays off (examples sleep).
 */
const DEFAULT_JOBS = 16;

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_FLAGS.has(a)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      flags.set(a, v);
    } else if (BOOL_FLAGS.has(a)) {
      flags.set(a, true);
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

function formatError(courseDir: string, e: ContentError): string {
  const path = relative(process.cwd(), resolve(courseDir, e.file)) || e.file;
  return `${path}:${e.line}:${e.column}: ${e.message}`;
}

function printErrors(courseDir: string, errors: ContentError[]) {
  for (const e of errors) process.stderr.write(`${formatError(courseDir, e)}\n`);
  if (errors.length > 0) process.stderr.write(`${errors.length} error(s)\n`);
}

function printWarnings(courseDir: string, warnings: ContentWarning[]) {
  for (const w of warnings) {
    const line = formatError(courseDir, w).replace(/^(.*?:\d+:\d+): /, '$1: warning: ');
    process.stderr.write(`${line}\n`);
  }
  if (warnings.length > 0) process.stderr.write(`${warnings.length} warning(s)\n`);
}

function build(args: Args): number {
  const dir = needCourseDir(args);
  const { course, errors, warnings } = compileCourse(dir);
  printWarnings(dir, warnings);
  if (!course) {
    printErrors(dir, errors);
    return 1;
  }
  const json = `${JSON.stringify(course, null, 2)}\n`;
  const out = args.flags.get('--out');
  if (typeof out === 'string') {
    writeFileSync(out, json);
    process.stderr.write(
      `${out}: ${course.chapters.length} chapters, hash ${course.hash.slice(0, 12)}\n`,
    );
  } else {
    process.stdout.write(json);
  }
  return 0;
}

function stats(args: Args): number {
  const dir = needCourseDir(args);
  const { errors, warnings, chapters } = compileCourse(dir);
  const result = {
    chapters: chapters.length,
    tasks: chapters.reduce((n, c) => n + c.tasks.length, 0),
    examples: chapters.reduce((n, c) => n + c.examples.length, 0),
    errors,
    warnings,
  };
  if (args.flags.has('--json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(
      `${result.chapters} chapters, ${result.tasks} tasks, ${result.examples} examples, ${errors.length} errors, ${warnings.length} warnings\n`,
    );
    printWarnings(dir, warnings);
    printErrors(dir, errors);
  }
  return errors.length > 0 ? 1 : 0;
}

/** A progress bar on a terminal (stderr): done/total, elapsed, an estimate of what is left. */
function progressBar(enabled: boolean) {
  if (!enabled) return undefined;
  const started = performance.now();
  return (done: number, total: number, label: string) => {
    const width = 24;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const elapsed = (performance.now() - started) / 1000;
    const left =
      done > 0 && done < total ? ` ~${Math.ceil((elapsed / done) * (total - done))} s left` : '';
    const text =
      `\r\x1b[2K  doctor ${bar} ${done}/${total} ${elapsed.toFixed(0)} s${left} ${label}`.slice(
        0,
        (process.stderr.columns || 100) + 8,
      );
    process.stderr.write(done === total ? `${text}\n` : text);
  };
}

async function check(args: Args): Promise<number> {
  const dir = needCourseDir(args);
  const env = readEnv();
  const jobsFlag = args.flags.get('--jobs');
  const jobs = typeof jobsFlag === 'string' ? Number(jobsFlag) : DEFAULT_JOBS;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
    throw new UsageError('--jobs needs a whole number 1..64');
  const timeoutFlag = args.flags.get('--timeout');
  const timeout = typeof timeoutFlag === 'string' ? Number(timeoutFlag) : 20;
  if (!(timeout > 0)) throw new UsageError('--timeout needs a positive number of seconds');
  const retriesFlag = args.flags.get('--retries');
  const retries = typeof retriesFlag === 'string' ? Number(retriesFlag) : 1;
  if (!Number.isInteger(retries) || retries < 0 || retries > 5)
    throw new UsageError('--retries needs a whole number 0..5');
  const graderBin = args.flags.has('--no-grader')
    ? null
    : (env.LMS_GRADER_BIN ?? findGraderBin([process.cwd(), resolve(dir)]));
  let runner: DoctorRunner;
  if (graderBin) {
    runner = graderCliRunner(graderBin);
  } else {
    runner = pythonSubprocessRunner(env.LMS_DOCTOR_PYTHON);
    process.stderr.write(
      `lms-content: grader CLI not found; examples run with ${env.LMS_DOCTOR_PYTHON} -I (no sandbox), answers and starters cannot be checked\n`,
    );
  }
  const only = args.flags.get('--only');
  const started = performance.now();
  const report = await runDoctor({
    courseDir: dir,
    only: typeof only === 'string' ? only : undefined,
    jobs,
    runner,
    exampleTimeoutSeconds: timeout,
    retries,
    onProgress: progressBar(process.stderr.isTTY === true && !args.flags.has('--no-progress')),
    strength: !args.flags.has('--no-strength'),
  });
  if (args.flags.has('--json')) {
    process.stdout.write(`${JSON.stringify(doctorJson(report, args.flags.has('--details')))}\n`);
  } else {
    const where = (d: DoctorDetail) =>
      formatError(dir, { ...d.source, message: '' }).replace(/: $/, '');
    for (const text of formatDoctorReport(report, {
      where,
      verbose: args.flags.has('--verbose'),
      elapsedSeconds: (performance.now() - started) / 1000,
    }))
      process.stdout.write(`${text}\n`);
  }
  return doctorOk(report) ? 0 : 1;
}

/** `convert-wrapper`: exit 0 when every selected wrapper converts, 1 when some cannot. */
function convertWrapper(args: Args): number {
  const dir = needCourseDir(args);
  const task = args.flags.get('--task');
  const { conversions, errors } = convertCourse(dir, {
    task: typeof task === 'string' ? task : undefined,
    python: readEnv().LMS_DOCTOR_PYTHON,
  });
  for (const e of errors) process.stderr.write(`${e}\n`);
  const write = args.flags.has('--write');
  for (const line of formatConversions(conversions, write)) process.stdout.write(`${line}\n`);
  for (const c of conversions) {
    if (write) {
      const changed = writeConversion(c);
      if (changed.length > 0)
        process.stdout.write(`${relative(process.cwd(), c.taskDir)}: ${changed.join(', ')}\n`);
    } else if (typeof task === 'string' && c.outcome.kind === 'tests') {
      process.stdout.write(`\n--- ${c.taskId}/tests_hidden.py ---\n${c.outcome.testsHidden}`);
    }
  }
  const bad = conversions.some((c) => c.outcome.kind === 'not-convertible');
  return bad || (typeof task === 'string' && conversions.length === 0) ? 1 : 0;
}

/**
 * `publish`: compiled here first (errors as for `build`: nothing published), then handed to
 * `lms-db publish`, the data layer's command (this package never imports the database), found
 * where npm links it as the grader is.
 */
function publish(args: Args): number {
  const dir = needCourseDir(args);
  const { course, errors, warnings } = compileCourse(dir);
  printWarnings(dir, warnings);
  if (!course) {
    printErrors(dir, errors);
    return 1;
  }
  const bin = findBin('lms-db', [process.cwd(), resolve(dir)]);
  if (!bin) throw new Error('lms-db not found in node_modules/.bin: run from the LMS checkout');
  const as = args.flags.get('--as');
  const r = spawnSync(
    process.execPath,
    [bin, 'publish', resolve(dir), ...(typeof as === 'string' ? ['--as', as] : [])],
    { stdio: 'inherit' },
  );
  return r.status ?? 1;
}

function needCourseDir(args: Args): string {
  const dir = args.positional[1];
  if (!dir) throw new UsageError('missing <courseDir>');
  if (args.positional.length > 2) throw new UsageError(`unexpected argument ${args.positional[2]}`);
  return dir;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    const command = args.positional[0];
    if (args.flags.has('--help') || args.flags.has('-h') || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    switch (command) {
      case 'build':
        return build(args);
      case 'stats':
        return stats(args);
      case 'check':
        return await check(args);
      case 'convert-wrapper':
        return convertWrapper(args);
      case 'publish':
        return publish(args);
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'missing command');
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lms-content: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`lms-content: ${(e as Error).message}\n`);
    return 1;
  }
}
