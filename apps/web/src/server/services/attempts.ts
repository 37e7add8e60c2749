import type { Task } from '@lms/content/schema';
import type { GradeRequestInput, GradeResult, TestResult } from '@lms/grader/protocol';
import type { Db } from '../db';
import { AppError } from '../errors';
import { findTask, getPublishedTask, getReleaseById, type PublishedTask } from './content';

/** Stored stdout/stderr are capped (the grader caps too; this guards the database). */
export const OUTPUT_CAP = 64 * 1024;
/** The code a student may send, in UTF-8 bytes. */
export const CODE_CAP_BYTES = 64 * 1024;

export const TERMINAL_STATUSES = [
  'passed',
  'failed',
  'error',
  'timeout',
  'memory',
  'output_limit',
  'sandbox_error',
] as const;
export type AttemptStatus = 'queued' | 'running' | (typeof TERMINAL_STATUSES)[number];

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

function cap(text: string | null | undefined): string | null {
  if (text == null) return null;
  if (text.length <= OUTPUT_CAP) return text;
  return `${text.slice(0, OUTPUT_CAP)}\n… (output cut at ${OUTPUT_CAP / 1024} KiB)`;
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
  return db.attempt.create({
    data: {
      userId: input.userId,
      taskId: input.taskId,
      releaseId: input.releaseId,
      stage: 'final',
      status: 'queued',
      code: input.code,
    },
    select: { id: true, status: true, createdAt: true },
  });
}

/** The published task an attempt was submitted against (its release, even if archived since). */
export async function taskOfAttempt(db: Db, attempt: { taskId: string; releaseId: string | null }) {
  if (!attempt.releaseId) return getPublishedTask(db, attempt.taskId);
  const release = await db.contentRelease.findUnique({
    where: { id: attempt.releaseId },
    select: { id: true, course: { select: { slug: true } } },
  });
  if (!release) return getPublishedTask(db, attempt.taskId);
  const published = await getReleaseById(db, release.id, release.course.slug);
  return { ...published, ...findTask(published, attempt.taskId) } satisfies PublishedTask;
}

/** Mark running; false when someone else already finished it (recovery racing a live grader). */
export async function markRunning(db: Db, attemptId: string): Promise<boolean> {
  const { count } = await db.attempt.updateMany({
    where: { id: attemptId, status: { in: ['queued', 'running'] } },
    data: { status: 'running', startedAt: new Date() },
  });
  return count === 1;
}

/** Store a verdict on the Attempt and count it in Progress, in one transaction. */
export async function applyGradeResult(
  db: Db,
  attemptId: string,
  result: GradeResult,
): Promise<void> {
  // two verdicts of one student's task landing at once may race on creating the Progress row
  for (let i = 0; ; i++) {
    try {
      return await applyGradeResultOnce(db, attemptId, result);
    } catch (error) {
      if (i >= 2 || !isUniqueViolation(error)) throw error;
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    e?.code === 'P2002' ||
    (typeof e?.message === 'string' && /Unique constraint failed/i.test(e.message))
  );
}

async function applyGradeResultOnce(db: Db, attemptId: string, result: GradeResult): Promise<void> {
  const attempt = await db.attempt.findUnique({
    where: { id: attemptId },
    select: { id: true, userId: true, taskId: true, status: true, createdAt: true },
  });
  if (!attempt || isTerminal(attempt.status)) return; // already graded: idempotent
  const now = new Date();
  const tests = toStoredTests(result.tests);
  const counts = result.status !== 'sandbox_error';
  await db.$transaction(async (tx) => {
    const { count } = await tx.attempt.updateMany({
      where: { id: attemptId, status: { in: ['queued', 'running'] } },
      data: {
        status: result.status,
        results: tests,
        testsPassed: tests.filter((t) => t.status === 'passed').length,
        testsTotal: tests.length,
        message: result.message,
        stdout: cap(result.stdout),
        stderr: cap(result.stderr),
        timings: { ...result.durations, limitHit: result.limitHit, unsafe: result.unsafe },
        durationMs: Math.round(result.durations.totalMs),
        pythonImpl: result.engine === 'pyodide' ? 'pyodide' : 'cpython',
        pythonVersion: result.pythonVersion,
        engine: result.engine,
        gradedAt: now,
      },
    });
    if (count !== 1 || !counts) return;
    await tx.progress.upsert({
      where: { userId_taskId: { userId: attempt.userId, taskId: attempt.taskId } },
      create: {
        userId: attempt.userId,
        taskId: attempt.taskId,
        attempts: 1,
        lastAttemptAt: now,
        firstSolvedAt: result.status === 'passed' ? now : null,
      },
      update: { attempts: { increment: 1 }, lastAttemptAt: now },
    });
    if (result.status === 'passed') {
      await tx.progress.updateMany({
        where: { userId: attempt.userId, taskId: attempt.taskId, firstSolvedAt: null },
        data: { firstSolvedAt: now },
      });
    }
  });
}

/** The grader could not be reached at all: say so on the attempt (not counted against the student). */
export async function failAttemptForService(db: Db, attemptId: string, message: string) {
  await db.attempt.updateMany({
    where: { id: attemptId, status: { in: ['queued', 'running'] } },
    data: { status: 'sandbox_error', message, gradedAt: new Date() },
  });
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
