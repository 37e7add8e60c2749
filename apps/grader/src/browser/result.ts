/** Turns a Pyodide run (and the public tests' output) into the grader's `GradeResult`. */
import {
  type CodedMessage,
  codedMessage,
  driverTestResults,
  type GradeLimits,
  type GradeResult,
  type GradeStatus,
  PROTOCOL_VERSION,
  statusOfLimit,
  type TestResult,
  type TestsDriverOutput,
  verdictOf,
} from '@lms/grading';
import type { ExecutionMode, PyodideRunRecord } from './messages.ts';

export interface ResultContext {
  limits: GradeLimits;
  pythonVersion: string;
  outputCapBytes: number;
  totalMs: number;
  queuedMs: number;
  testsMs: number;
}

/**
 * Status and message come from the harness's `verdictOf`, as on the server. Without tests
 * (a plain run, `tests` null) passed means the program exited with code 0, error that it
 * did not.
 */
export function toGradeResult(
  record: PyodideRunRecord,
  tests: TestsDriverOutput | null,
  context: ResultContext,
): GradeResult {
  const testResults: TestResult[] = driverTestResults(tests?.tests ?? []);
  const limitHit = record.limit_hit;
  let status: GradeStatus;
  let summary: CodedMessage | null;
  if (tests === null && !statusOfLimit(limitHit)) {
    // a plain run (no tests): passed means the program exited with code 0
    status = record.exit_code === 0 ? 'passed' : 'error';
    summary =
      status === 'passed'
        ? null
        : codedMessage('program_exit_code', { code: String(record.exit_code) });
  } else {
    const verdict = verdictOf({
      limitHit,
      limits: context.limits,
      outputCapBytes: context.outputCapBytes,
      syntaxError: tests?.syntaxError,
      syntaxErrorLine: tests?.syntaxErrorLine,
      loadError: tests?.loadError,
      tests: testResults,
    });
    status = verdict.status;
    summary = verdict;
  }
  return {
    version: PROTOCOL_VERSION,
    status,
    message: summary?.message ?? null,
    messageCode: summary?.messageCode ?? null,
    tests: testResults,
    stdout: record.stdout,
    stderr: record.stderr,
    stdoutTruncated: record.stdout_truncated,
    stderrTruncated: record.stderr_truncated,
    exitCode: record.exit_code,
    signal: null,
    traceback: record.traceback,
    limitHit: limitHit,
    durations: {
      programMs: round(record.elapsed * 1000),
      testsMs: round(context.testsMs),
      typecheckMs: 0,
      totalMs: round(context.totalMs),
      queuedMs: round(context.queuedMs),
    },
    limits: context.limits,
    stage: 'quick',
    engine: 'pyodide',
    pythonVersion: context.pythonVersion,
    unsafe: false,
    incident: null,
    typecheck: null,
  };
}

/** Gives a result another verdict and summary (a run the student stopped, no public checks). */
export function setSummary(result: GradeResult, status: GradeStatus, summary: CodedMessage): void {
  result.status = status;
  result.message = summary.message;
  result.messageCode = summary.messageCode;
}

/** A run the page had to end by terminating the worker: only the streamed output is left. */
export function abandonedRecord(
  stdout: string,
  stderr: string,
  elapsedMs: number,
  reason: 'wall' | 'stopped',
  mode: ExecutionMode,
): PyodideRunRecord {
  return {
    stdout,
    stderr,
    exit_code: null,
    elapsed: elapsedMs / 1000,
    timed_out: reason === 'wall',
    traceback: null,
    stdout_truncated: false,
    stderr_truncated: false,
    limit_hit: reason === 'wall' ? 'wall' : null,
    mode,
  };
}

function round(ms: number): number {
  return Math.max(0, Math.round(ms * 10) / 10);
}
