import type { Task } from '@lms/content/schema';
import {
  createAttempt,
  DbError,
  FINAL_ATTEMPT_STATUSES,
  MAX_OUTPUT_CHARS,
  markAttemptRunning,
  recordAttemptResult,
} from '@lms/db';
import type { GradeRequestInput, GradeResult, TestResult } from '@lms/grader/protocol';
import type { Db } from '../db';
import { AppError } from '../errors';
import { findTask, getPublishedTask, getReleaseById, type PublishedTask } from './content';

/** Stored stdout/stderr are capped by @lms/db (the grader caps too); inputs are refused beyond 4×. */
export const OUTPUT_CAP = MAX_OUTPUT_CHARS;
/** The code a student may send, in UTF-8 bytes. */
export const CODE_CAP_BYTES = 64 * 1024;

/** Verdicts (an attempt with one is graded). */
export const TERMINAL_STATUSES = FINAL_ATTEMPT_STATUSES;
export type { AttemptStatus } from '@lms/db';

export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** A final check: the task's code, ALL its checks, its limits and flags. */
export function buildGradeRequest(task: Task, code: string): GradeRequestInput {
  return {
    code,
    taskId: task.id,
    checks: {
      public: task.checks.public,
      hidden: task.checks.hidden,
      wrapperTest: task.checks.wrapperTest,
    },
    limits: task.limits,
    flags: { runStaticTypeChecker: task.flags.runStaticTypeChecker },
    stage: 'final',
  };
}

/** Per-test results as stored on the Attempt (and shown to the student). */
export type StoredTestResult = {
  name: string;
  status: TestResult['status'];
  message: string | null;
  hidden: boolean;
  origin: TestResult['origin'];
  durationMs: number;
};

function toStoredTests(tests: TestResult[]): StoredTestResult[] {
  return tests.map((t) => ({
    name: t.name,
    status: t.status,
    message: t.message,
    hidden: t.origin === 'hidden',
    origin: t.origin,
    durationMs: t.durationMs,
  }));
}

/** Create the Attempt FIRST (queued), before anyone grades it: a crash after this loses nothing. */
export async function createQueuedAttempt(
  db: Db,
  input: { userId: string; taskId: string; code: string; releaseId: string },
) {
  const { attempt } = await createAttempt(db, { ...input, stage: 'final' });
  return { id: attempt.id, status: attempt.status, createdAt: attempt.createdAt };
}

/** The published task an attempt was submitted against (its release, even if archived since). */
export async function taskOfAttempt(db: Db, attempt: { taskId: string; releaseId: string | null }) {
  if (!attempt.releaseId) return getPublishedTask(db, attempt.taskId);
  const published = await getReleaseById(db, attempt.releaseId);
  if (!published) return getPublishedTask(db, attempt.taskId);
  return { ...published, ...findTask(published, attempt.taskId) } satisfies PublishedTask;
}

/** Mark running; false when someone else already finished it (recovery racing a live grader). */
export const markRunning = markAttemptRunning;

/**
 * Store a verdict on the Attempt and count it in Progress, once (@lms/db's recordAttemptResult:
 * a second delivery changes nothing). An attempt that no longer exists is ignored.
 */
export async function applyGradeResult(
  db: Db,
  attemptId: string,
  result: GradeResult,
): Promise<void> {
  const tests = toStoredTests(result.tests);
  await ignoreMissing(
    recordAttemptResult(
      db,
      { attemptId },
      {
        status: result.status,
        results: tests,
        testsPassed: tests.filter((t) => t.status === 'passed').length,
        testsTotal: tests.length,
        message: result.message,
        stdout: result.stdout,
        stderr: result.stderr,
        timings: { ...result.durations, limitHit: result.limitHit, unsafe: result.unsafe },
        durationMs: Math.round(result.durations.totalMs),
        pythonImpl: result.engine === 'pyodide' ? 'pyodide' : 'cpython',
        pythonVersion: result.pythonVersion,
        engine: result.engine,
      },
    ),
  );
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (error) {
    if (!(error instanceof DbError && error.code === 'NOT_FOUND')) throw error;
  }
}

/** The grader could not be reached at all: say so on the attempt (not counted against the student). */
export async function failAttemptForService(db: Db, attemptId: string, message: string) {
  await ignoreMissing(recordAttemptResult(db, { attemptId }, { status: 'sandbox_error', message }));
}

/**
 * "What does this print?" tasks need no sandbox: the typed output is compared with the
 * answer, whitespace-normalised (docs/check-format.md).
 */
export function gradeOutputTask(task: Task, typed: string): GradeResult {
  const norm = (s: string) =>
    s
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trim();
  const ok = norm(typed) === norm(task.answer);
  return {
    version: 1,
    status: ok ? 'passed' : 'failed',
    message: ok ? null : 'The output is not what the program prints.',
    tests: [
      {
        name: 'Output matches',
        status: ok ? 'passed' : 'failed',
        message: ok ? null : 'The output is not what the program prints.',
        durationMs: 0,
        origin: 'hidden',
      },
    ],
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    exitCode: null,
    signal: null,
    traceback: null,
    limitHit: null,
    durations: { programMs: 0, testsMs: 0, typecheckMs: 0, totalMs: 0, queuedMs: 0 },
    limits: task.limits,
    stage: 'final',
    engine: 'cpython-unsafe',
    pythonVersion: 'n/a',
    unsafe: false,
    typecheck: null,
  };
}

export function assertCodeSize(code: string): void {
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > CODE_CAP_BYTES) {
    throw new AppError(
      'TOO_LARGE',
      `The code is ${Math.ceil(bytes / 1024)} KiB; the limit is ${CODE_CAP_BYTES / 1024} KiB.`,
    );
  }
}
