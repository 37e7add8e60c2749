import { randomBytes } from 'node:crypto';
import {
  buildWrapperProgram,
  type CodedMessage,
  codedMessage,
  DEFAULT_GRADING_LOCALE,
  driverTestResults,
  type GradeRequest,
  type GradeResult,
  type GradeStatus,
  gradingMessage,
  type LimitHit,
  limitMessageCode,
  PROTOCOL_VERSION,
  type ProgramRun,
  pythonLiteral,
  type RunRecord,
  renderGradingMessage,
  statusOfLimit,
  type TestResult,
  testsDriverOutputSchema,
  type Verdict,
  verdictOf,
  WRAPPER_MESSAGE_MAX_CHARS,
  WRAPPER_MESSAGE_MAX_LINES,
} from '@lms/grading';
import { HARNESS_SOURCES } from '@lms/grading/harness';
import { type RunOutcome, type Sandbox, SandboxError, START_MARKER_FD } from './sandbox.ts';

/**
 * One grading on the server: [mypy --strict] → the program (its own sandboxed process) →
 * the tests against the record of that run (another sandboxed process; the student's code is
 * never executed there, so nothing it did can fake a pass) → [wrapper_test] → one GradeResult.
 */

const PY = ['-I', '-S', '-B', '-X', 'utf8'];
/** The tests' process runs trusted code only: generous, fixed limits. */
const TESTS_LIMITS = { wallSeconds: 30, cpuSeconds: 20, memoryMb: 512 };
const MYPY_LIMITS = { wallSeconds: 60, cpuSeconds: 40, memoryMb: 1024, diskMb: 64 };
const MESSAGE_CAP = 4000;

const decoder = () => new TextDecoder('utf-8', { fatal: false });

/** Bytes to text: invalid UTF-8 becomes U+FFFD, binary output survives as text. */
export function decodeOutput(bytes: Buffer): string {
  return decoder().decode(bytes);
}

/** The uncaught exception's traceback at the end of stderr, as the program driver prints it. */
export function extractTraceback(stderr: string, exitCode: number | null): string | null {
  if (exitCode === 0 || exitCode === null) return null;
  const header = 'Traceback (most recent call last):\n';
  const at = stderr.lastIndexOf(header);
  if (at !== -1 && (at === 0 || stderr[at - 1] === '\n')) return stderr.slice(at);
  const syntax = stderr.search(
    /(^|\n) {2}File "main\.py", line \d+\n[\s\S]*(SyntaxError|IndentationError|TabError)[^\n]*\n?$/,
  );
  if (syntax !== -1) return stderr.slice(stderr[syntax] === '\n' ? syntax + 1 : syntax);
  return null;
}

function clip(text: string): string {
  return text.length > MESSAGE_CAP ? `${text.slice(0, MESSAGE_CAP)}\n…` : text;
}

/**
 * Exceptions of Python itself: a failing wrapper_test shows the class of the exception it ended
 * in only when it is one of these (the student's code runs inside the wrapper: a class it makes
 * up can have any name, a message can hold anything).
 */
const BUILTIN_EXCEPTIONS = new Set([
  'ArithmeticError',
  'AssertionError',
  'AttributeError',
  'BaseException',
  'BufferError',
  'EOFError',
  'Exception',
  'FileExistsError',
  'FileNotFoundError',
  'FloatingPointError',
  'ImportError',
  'IndentationError',
  'IndexError',
  'IsADirectoryError',
  'KeyError',
  'KeyboardInterrupt',
  'LookupError',
  'MemoryError',
  'ModuleNotFoundError',
  'NameError',
  'NotADirectoryError',
  'NotImplementedError',
  'OSError',
  'OverflowError',
  'PermissionError',
  'RecursionError',
  'RuntimeError',
  'StopIteration',
  'SyntaxError',
  'SystemError',
  'TabError',
  'TimeoutError',
  'TypeError',
  'UnboundLocalError',
  'UnicodeDecodeError',
  'UnicodeEncodeError',
  'UnicodeError',
  'ValueError',
  'ZeroDivisionError',
]);

/**
 * A call printing one plain string literal: `print("…")` (keyword arguments allowed),
 * `sys.stdout.write("…")`, `sys.stderr.write("…")`, `exit("…")`, `sys.exit("…")`, `quit("…")`.
 * No f-string, no concatenation, no `%` or `.format`: the literal is the whole argument.
 */
const PRINTED_LITERAL =
  /(?<![\w.])(?:print|sys\.stdout\.write|sys\.stderr\.write|exit|sys\.exit|quit)\(\s*[uU]?(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)")\s*(?:,\s*(?:end|sep|file|flush)\s*=[^()]*)?\)/g;

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

/** The text of a Python string literal's body (the escapes the wrappers use; others as written). */
function unescapePython(body: string): string {
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g,
    (whole, e: string) => {
      if (e.length > 1) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
      return ESCAPES[e] ?? whole;
    },
  );
}

/**
 * The lines a wrapper_test prints as it is written: the trimmed, non-empty lines of the plain
 * string literals its own source prints (comments left out). Only these can reach a student.
 */
export function wrapperMessageLines(wrapper: string): Set<string> {
  const source = wrapper
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
  const lines = new Set<string>();
  for (const m of source.matchAll(PRINTED_LITERAL)) {
    for (const line of unescapePython(m[1] ?? m[2] ?? '').split('\n')) {
      if (line.trim() !== '') lines.add(line.trim());
    }
  }
  return lines;
}

/** The builtin exception class a traceback ends in, or null. */
function exceptionClass(traceback: string | null): string | null {
  const last =
    traceback
      ?.split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? '';
  const name = /^([A-Za-z_]\w*)(?::|$)/.exec(last)?.[1];
  return name && BUILTIN_EXCEPTIONS.has(name) ? name : null;
}

/**
 * What a student sees of a failing legacy wrapper_test. The student's code runs inside the
 * wrapper, so anything the run printed may be the check itself, re-encoded (repr, a prefix on
 * each line, an exception's message): nothing of it is shown as printed. Shown are only the
 * output lines that are, after trimming, a message the wrapper's own source prints as a plain
 * literal (wrapperMessageLines), each once, in the order printed, then the class of the
 * builtin exception the run ended in (its name, never its message). '' when nothing qualifies:
 * the platform's `wrapper_failed` says it instead.
 */
export function wrapperOutputForStudent(
  run: { stdout: string; stderr: string; traceback: string | null },
  wrapper: string,
): string {
  const allowed = wrapperMessageLines(wrapper);
  const shown: string[] = [];
  for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
    const trimmed = line.trim();
    if (allowed.has(trimmed) && !shown.includes(trimmed)) shown.push(trimmed);
  }
  const exception = exceptionClass(run.traceback);
  if (exception) shown.push(exception);
  let text = shown.slice(0, WRAPPER_MESSAGE_MAX_LINES).join('\n');
  if (text.length > WRAPPER_MESSAGE_MAX_CHARS)
    text = `${text.slice(0, WRAPPER_MESSAGE_MAX_CHARS - 1)}…`;
  return text;
}

/** A wrapper_test's full output for its author: the last MESSAGE_CAP characters, by lines. */
function wrapperOutputForAuthor(output: string): string {
  const lines = output.replace(/\s+$/, '').split('\n');
  let kept = lines.length;
  let size = 0;
  while (kept > 0 && size + lines[kept - 1]!.length + 1 <= MESSAGE_CAP) {
    size += lines[kept - 1]!.length + 1;
    kept -= 1;
  }
  if (kept === lines.length) return `…${output.trimEnd().slice(-(MESSAGE_CAP - 1))}`;
  const tail = lines.slice(kept).join('\n');
  return kept === 0 ? tail : `… (${kept} ${kept === 1 ? 'line' : 'lines'} cut)\n${tail}`;
}

/** Runs `code` as `__main__` under the harness's program driver, in its own sandbox. */
function runAsMain(
  sandbox: Sandbox,
  code: string,
  limits: GradeRequest['limits'],
  priority = false,
): Promise<RunOutcome> {
  return sandbox.run({
    files: { 'main.py': code, 'lms_runner.py': HARNESS_SOURCES['lms_runner.py'] },
    args: (box) => [
      ...PY,
      `${box}/lms_runner.py`,
      'program',
      '--start-fd',
      String(START_MARKER_FD),
      `${box}/main.py`,
    ],
    limits,
    priority,
    startMarker: true,
  });
}

/**
 * A program that died of a full disk (its size-capped tmpfs: ENOSPC; RLIMIT_FSIZE: EFBIG,
 * Python ignores SIGXFSZ) learns it from the kernel as an OSError; nothing outside the
 * sandbox sees it, so the traceback's last line says it. Informational (no status of its
 * own): a program printing such a line fools nobody but the `limitHit` field.
 */
function withDiskLimit(run: RunOutcome, record: RunRecord): RunOutcome {
  if (run.limitHit || !record.traceback) return run;
  const last = record.traceback.trimEnd().split('\n').at(-1) ?? '';
  return /^OSError: \[Errno (?:27|28)\] /.test(last) ? { ...run, limitHit: 'disk' } : run;
}

/** The record of a program run that the tests see. */
function recordOf(run: RunOutcome): RunRecord {
  const stdout = decodeOutput(run.stdout);
  const stderr = decodeOutput(run.stderr);
  return {
    stdout,
    stderr,
    exitCode: run.exitCode,
    signal: run.signal,
    elapsed: run.programElapsedMs / 1000,
    timedOut: run.limitHit === 'wall' || run.limitHit === 'cpu',
    traceback: run.limitHit ? null : extractTraceback(stderr, run.exitCode),
    stdoutTruncated: run.stdoutTruncated,
    stderrTruncated: run.stderrTruncated,
  };
}

/** Runs a plain program (no tests): an example, or `lms-grader run`. */
export async function runProgram(
  sandbox: Sandbox,
  code: string,
  limits: GradeRequest['limits'],
): Promise<ProgramRun> {
  const outcome = await runAsMain(sandbox, code, limits);
  const record = recordOf(outcome);
  const run = withDiskLimit(outcome, record);
  return {
    status: statusOfLimit(run.limitHit) ?? (run.exitCode === 0 ? 'ok' : 'error'),
    stdout: record.stdout,
    stderr: record.stderr,
    exitCode: record.exitCode,
    signal: record.signal,
    elapsed: record.elapsed,
    traceback: record.traceback,
    limitHit: run.limitHit,
    stdoutTruncated: record.stdoutTruncated,
    stderrTruncated: record.stderrTruncated,
    engine: sandbox.engine,
    pythonVersion: sandbox.pythonVersion,
    unsafe: sandbox.engine === 'cpython-unsafe',
  };
}

export interface GradeOptions {
  /** called when the grading starts running (left the grader's queue) */
  onStart?: () => void;
}

export async function gradeOnServer(sandbox: Sandbox, request: GradeRequest): Promise<GradeResult> {
  const startedAt = performance.now();
  const tests: TestResult[] = [];
  const durations = { programMs: 0, testsMs: 0, typecheckMs: 0, totalMs: 0, queuedMs: 0 };
  const base = {
    version: PROTOCOL_VERSION,
    limits: request.limits,
    stage: request.stage,
    engine: sandbox.engine,
    pythonVersion: sandbox.pythonVersion,
    unsafe: sandbox.engine === 'cpython-unsafe',
    incident: null,
  } as const;
  let typecheck: GradeResult['typecheck'] = null;
  let program: RunOutcome | null = null;
  let record: RunRecord | null = null;

  const finish = (
    status: GradeStatus,
    summary: CodedMessage,
    limitHit: LimitHit | null = null,
  ): GradeResult => {
    durations.totalMs = performance.now() - startedAt;
    return {
      ...base,
      status,
      message: summary.message,
      messageCode: summary.messageCode,
      tests,
      stdout: record?.stdout ?? '',
      stderr: record?.stderr ?? '',
      stdoutTruncated: record?.stdoutTruncated ?? false,
      stderrTruncated: record?.stderrTruncated ?? false,
      exitCode: record?.exitCode ?? null,
      signal: record?.signal ?? null,
      traceback: record?.traceback ?? null,
      limitHit: limitHit ?? program?.limitHit ?? null,
      durations,
      typecheck,
    };
  };

  try {
    const { checks } = request;
    const publicTests = checks.public;
    const hiddenTests = request.stage === 'final' ? checks.hidden : null;
    const wrapper = request.stage === 'final' ? checks.wrapperTest : null;
    if (!publicTests && !hiddenTests && !wrapper) {
      return finish('error', codedMessage('no_checks_for_stage'));
    }

    if (request.flags.runStaticTypeChecker) {
      if (!(await sandbox.hasMypy())) {
        typecheck = {
          tool: 'mypy',
          available: false,
          passed: null,
          output: 'mypy не установлен на сервере проверки: статическая проверка типов пропущена',
        };
      } else {
        const run = await sandbox.run({
          files: { 'main.py': request.code },
          args: (box) => [
            '-I',
            '-B',
            '-m',
            'mypy',
            '--strict',
            '--cache-dir=/dev/null',
            '--no-color-output',
            `${box}/main.py`,
          ],
          limits: MYPY_LIMITS,
        });
        durations.queuedMs += run.queuedMs;
        durations.typecheckMs = run.elapsedMs;
        const output = clip(decodeOutput(run.stdout) + decodeOutput(run.stderr)).replaceAll(
          '/box/',
          '',
        );
        if (run.limitHit) throw new SandboxError(`mypy hit its ${run.limitHit} limit`);
        const passed = run.exitCode === 0;
        if (run.exitCode !== 0 && run.exitCode !== 1)
          throw new SandboxError(`mypy failed (exit ${run.exitCode}): ${output}`);
        typecheck = { tool: 'mypy', available: true, passed, output };
        tests.push({
          name: 'mypy --strict',
          status: passed ? 'passed' : 'failed',
          message: passed ? null : output,
          durationMs: run.elapsedMs,
          origin: 'typecheck',
        });
        if (!passed) return finish('failed', codedMessage('typecheck_failed'));
      }
    }

    let worst: Verdict | null = null;

    if (publicTests || hiddenTests) {
      program = await runAsMain(sandbox, request.code, request.limits);
      durations.queuedMs += program.queuedMs;
      durations.programMs = program.programElapsedMs;
      record = recordOf(program);
      program = withDiskLimit(program, record);
      const { stdout, stderr } = record;

      const files: Record<string, string> = {
        'record.py': pythonLiteral({
          stdout,
          stderr,
          exit_code: record.exitCode,
          elapsed: record.elapsed,
          timed_out: record.timedOut,
          traceback: record.traceback,
          source: request.code,
        }),
        'lms_runner.py': HARNESS_SOURCES['lms_runner.py'],
        'lms_checks.py': HARNESS_SOURCES['lms_checks.py'],
      };
      if (publicTests) files['tests_public.py'] = publicTests;
      if (hiddenTests) files['tests_hidden.py'] = hiddenTests;
      const testsRun = await sandbox.run({
        files,
        args: (box) => [
          ...PY,
          `${box}/lms_runner.py`,
          'tests',
          `${box}/record.py`,
          publicTests ? `${box}/tests_public.py` : '-',
          hiddenTests ? `${box}/tests_hidden.py` : '-',
        ],
        limits: TESTS_LIMITS,
        priority: true,
      });
      durations.queuedMs += testsRun.queuedMs;
      durations.testsMs = testsRun.elapsedMs;
      let parsed: ReturnType<typeof testsDriverOutputSchema.safeParse> | null = null;
      try {
        parsed = testsDriverOutputSchema.safeParse(JSON.parse(testsRun.stdout.toString('utf8')));
      } catch {}
      if (!parsed?.success) {
        const output = clip(decodeOutput(testsRun.stderr).trim());
        return finish(
          'error',
          testsRun.limitHit
            ? codedMessage('checks_crashed_limit', { limit: testsRun.limitHit })
            : output
              ? codedMessage('checks_crashed', { output })
              : codedMessage('checks_crashed_exit', { code: String(testsRun.exitCode) }),
        );
      }
      const out = parsed.data;
      const driverTests = driverTestResults(out.tests);
      tests.push(...driverTests);
      const programVerdict = verdictOf({
        limitHit: statusOfLimit(program.limitHit) ? program.limitHit : null,
        limits: request.limits,
        outputCapBytes: sandbox.options.outputCapBytes,
        syntaxError: out.syntaxError,
        syntaxErrorLine: out.syntaxErrorLine,
        loadError: out.loadError,
        tests: driverTests,
      });
      // a limit or a program/checks that cannot run decides the verdict before any test
      if (programVerdict.limitHit || out.syntaxError || out.loadError) worst = programVerdict;
    }

    if (wrapper && !worst) {
      const run = await runAsMain(
        sandbox,
        buildWrapperProgram(wrapper, request.code),
        request.limits,
        record !== null,
      );
      durations.queuedMs += run.queuedMs;
      const full = recordOf(run);
      const author = request.flags.authorView === true;
      if (!record) {
        durations.programMs = run.programElapsedMs;
        program = withDiskLimit(run, full);
        // the wrapper's run is not the student's program's: a student sees none of its output
        // (it may be the check itself), its author (the doctor) all of it
        record = author ? full : { ...full, stdout: '', stderr: '', traceback: null };
      }
      const passed = run.exitCode === 0 && !run.limitHit;
      const output = author
        ? wrapperOutputForAuthor(`${full.stdout}${full.stderr}`)
        : wrapperOutputForStudent(full, wrapper);
      // the wrapper's own messages are the task's text; without any, the platform says why
      const why = run.limitHit
        ? limitMessageCode(run.limitHit, request.limits, sandbox.options.outputCapBytes)
        : author
          ? gradingMessage('exit_code', { code: String(run.exitCode) })
          : gradingMessage('wrapper_failed');
      tests.push({
        name: 'wrapper_test',
        status: passed ? 'passed' : 'failed',
        ...(passed
          ? { message: null }
          : output
            ? { message: output }
            : { message: renderGradingMessage(why, DEFAULT_GRADING_LOCALE), messageCode: why }),
        durationMs: run.elapsedMs,
        origin: 'wrapper',
      });
      if (statusOfLimit(run.limitHit)) {
        worst = verdictOf({
          limitHit: run.limitHit,
          limits: request.limits,
          outputCapBytes: sandbox.options.outputCapBytes,
          tests,
        });
      }
    }

    const verdict =
      worst ??
      verdictOf({
        limitHit: null,
        limits: request.limits,
        tests,
        typecheckSkipped: typecheck?.available === false,
      });
    return finish(verdict.status, verdict, verdict.limitHit);
  } catch (error) {
    // the student learns that it failed and an id; paths and tool output go to the log and staff
    const detail = error instanceof Error ? error.message : String(error);
    const id = randomBytes(6).toString('hex');
    console.error(`lms-grader: incident ${id} (task ${request.taskId ?? '?'}): ${detail}`);
    const result = finish('sandbox_error', codedMessage('grader_incident', { incident: id }));
    return { ...result, incident: { id, detail: detail.slice(0, 8000) } };
  }
}
