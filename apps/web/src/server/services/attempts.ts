import type { Task } from '@lms/content/schema';
import { shapeHash } from '@lms/content/shape';
import {
  type AttemptView,
  createFinalAttemptWithinLimits,
  DbError,
  FINAL_ATTEMPT_STATUSES,
  getAttempt,
  type LimitedAttemptCreate,
  listAttempts,
  MAX_OUTPUT_CHARS,
  markAttemptRunning,
  recordAttemptResult,
  recordQuickCheckWithinLimits,
  teachesStudent,
} from '@lms/db';
import {
  CODE_CAP_BYTES,
  codedMessage,
  type GradeResult,
  type GradingMessage,
  QUICK_CHECK_RESULT_CHARS,
  renderGradingMessage,
  toStoredTests,
  typedOutputMatches,
} from '@lms/grading';
import { attemptChanged, nextAttemptChange } from '../attempt-events';
import type { SignedInContext } from '../context';
import type { Db } from '../db';
import { AppError } from '../errors';
import { log } from '../log';
import {
  courseIdOf,
  findTask,
  getPublishedTask,
  getPublishedTaskOfCourse,
  getReleaseById,
  type PublishedTask,
} from './content';
import { hasRole, isStaff } from './roles';

/** Stored stdout/stderr are capped by @lms/db (the grader caps too). */
export const OUTPUT_CAP = MAX_OUTPUT_CHARS;

/** Verdicts (an attempt with one is graded). */
export const TERMINAL_STATUSES = FINAL_ATTEMPT_STATUSES;
export type { AttemptStatus } from '@lms/db';

export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * The published task an attempt was submitted against: its release (even if archived since),
 * else its course's current release. Always within the attempt's own course (`courseId`):
 * another course with the same task id never grades it.
 */
export async function taskOfAttempt(
  db: Db,
  attempt: { courseId: string; taskId: string; releaseId: string | null },
): Promise<PublishedTask> {
  const published = attempt.releaseId ? await getReleaseById(db, attempt.releaseId) : null;
  if (!published || published.courseId !== attempt.courseId) {
    return getPublishedTaskOfCourse(db, attempt);
  }
  return { ...published, ...findTask(published, attempt.taskId) };
}

/** Mark running; false when someone else already finished it (recovery racing a live grader). */
export async function markRunning(db: Db, attemptId: string): Promise<boolean> {
  const marked = await markAttemptRunning(db, attemptId);
  attemptChanged(attemptId);
  return marked;
}

/**
 * Store a verdict on the Attempt and count it in Progress, once (@lms/db's recordAttemptResult:
 * a second delivery changes nothing). An attempt that no longer exists is ignored. Logs
 * `verdict stored` with the submitting request's id: the one given (queue mode: the job hands
 * it back), else the current async context's (HTTP mode: the dispatch runs in the request's).
 */
export async function applyGradeResult(
  db: Db,
  attemptId: string,
  result: GradeResult,
  options: { requestId?: string | undefined } = {},
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
        messageCode: result.messageCode,
        stdout: result.stdout,
        stderr: result.stderr,
        // the incident's details are for staff and the log: the student's view never reads them
        timings: {
          ...result.durations,
          limitHit: result.limitHit,
          unsafe: result.unsafe,
          ...(result.incident ? { incident: result.incident } : {}),
        },
        durationMs: Math.round(result.durations.totalMs),
        pythonImpl: result.engine === 'pyodide' ? 'pyodide' : 'cpython',
        pythonVersion: result.pythonVersion,
        engine: result.engine,
      },
    ),
  );
  // stored here or, a moment before, by another instance hearing the same event: either way
  // it is in the database now
  attemptChanged(attemptId);
  log.info('verdict stored', {
    attemptId,
    status: result.status,
    graderMs: Math.round(result.durations.totalMs),
    requestId: options.requestId,
  });
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (error) {
    if (!(error instanceof DbError && error.code === 'NOT_FOUND')) throw error;
  }
}

/** The grader could not be reached at all: say so on the attempt (not counted against the student). */
export async function failAttemptForService(db: Db, attemptId: string, why: GradingMessage) {
  await ignoreMissing(
    recordAttemptResult(
      db,
      { attemptId },
      { status: 'sandbox_error', message: renderGradingMessage(why, 'ru'), messageCode: why },
    ),
  );
  attemptChanged(attemptId);
}

/**
 * A "what does this print?" task without a wrapper_test needs no sandbox: the typed output is
 * compared with the answer here (normalizeTypedOutput). One with a wrapper_test (senjun's
 * courses) is checked by that wrapper in the grader, like a program task: the course's own
 * check decides.
 */
export function gradedWithoutSandbox(task: Task): boolean {
  return task.kind === 'output' && !task.checks.wrapperTest;
}

/** The typed output compared with the answer, whitespace-normalised (docs/check-format.md). */
export function gradeOutputTask(task: Task, typed: string): GradeResult {
  const ok = typedOutputMatches(typed, task.answer);
  const mismatch = ok ? null : codedMessage('output_mismatch');
  return {
    version: 1,
    status: ok ? 'passed' : 'failed',
    message: mismatch?.message ?? null,
    messageCode: mismatch?.messageCode ?? null,
    tests: [
      {
        name: 'Output matches',
        status: ok ? 'passed' : 'failed',
        message: mismatch?.message ?? null,
        ...(mismatch ? { messageCode: mismatch.messageCode } : {}),
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
    engine: 'output-compare',
    pythonVersion: 'n/a',
    unsafe: false,
    incident: null,
    typecheck: null,
  };
}

export function assertCodeSize(code: string): void {
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > CODE_CAP_BYTES) {
    throw new AppError('TOO_LARGE', {
      size: Math.ceil(bytes / 1024),
      limit: Math.round(CODE_CAP_BYTES / 1024),
    });
  }
}

/* Use cases of the attempt procedures (routers/attempt.ts). */

/** A stored per-test result as the student sees it. */
export type AttemptTestResult = {
  name: string;
  status: 'passed' | 'failed' | 'error';
  message: string | null;
  /** set when the platform wrote the message: shown in the reader's language */
  messageCode?: GradingMessage;
  hidden: boolean;
  origin: string;
  durationMs: number;
};

/**
 * What a student sees of an attempt (never userId, release, engine details or idempotency
 * key); staff also see a grader incident's details, which the student's message only names.
 */
function studentView(attempt: AttemptView, viewer: { staff: boolean } = { staff: false }) {
  const {
    results,
    timings,
    userId: _owner,
    courseId: _course,
    releaseId: _release,
    pythonImpl: _impl,
    ...rest
  } = attempt;
  const { incident, ...t } = (timings ?? {}) as {
    limitHit?: string | null;
    incident?: { id: string; detail: string };
  };
  return {
    ...rest,
    timings: timings ? (t as Record<string, number | string | boolean | null>) : null,
    incident: viewer.staff ? (incident ?? null) : null,
    results: (results ?? []) as AttemptTestResult[],
    limitHit: t.limitHit ?? null,
    done: isTerminal(attempt.status),
  };
}

/**
 * An attempt the caller may read (their own; staff: anyone's) in the page's course;
 * NOT_FOUND otherwise.
 */
export async function getOwnAttempt(
  ctx: SignedInContext,
  input: { id: string; courseSlug: string },
) {
  const view = await readAttempt(ctx, input.id, await courseIdOf(ctx.db, input.courseSlug));
  return withPlace(ctx, view);
}

/** The attempt's place in the waiting line while grading is saturated (grader/transport.ts). */
async function withPlace<T extends { id: string; status: string }>(ctx: SignedInContext, view: T) {
  const place = view.status === 'queued' ? await ctx.grader?.placeOf?.(view.id) : null;
  return { ...view, queuePosition: place ?? null };
}

/**
 * An attempt of the page's course, for its author, an admin, or an instructor who teaches its
 * author in a cohort of that course; anyone else is told it does not exist.
 */
async function readAttempt(ctx: SignedInContext, id: string, courseId: string) {
  const attempt = await getAttempt(ctx.db, id);
  const user = ctx.session.user;
  if (!attempt || attempt.courseId !== courseId) throw new AppError('ATTEMPT_NOT_FOUND');
  const own = attempt.userId === user.id;
  const staff =
    !own &&
    (hasRole(user, 'admin') ||
      (isStaff(user) &&
        (await teachesStudent(ctx.db, {
          instructorId: user.id,
          studentId: attempt.userId,
          courseId,
        }))));
  if (!own && !staff) throw new AppError('ATTEMPT_NOT_FOUND');
  return studentView(attempt, { staff: isStaff(user) });
}

/** The caller's attempts at one task of the page's course, newest first (with code, for diffs). */
export async function listOwnAttempts(
  ctx: SignedInContext,
  input: {
    courseSlug: string;
    taskId: string;
    stage?: 'quick' | 'final' | undefined;
    limit: number;
  },
) {
  const rows = await listAttempts(ctx.db, {
    userId: ctx.session.user.id,
    courseId: await courseIdOf(ctx.db, input.courseSlug),
    taskId: input.taskId,
    stage: input.stage,
    limit: input.limit,
  });
  return rows.map((row) => studentView(row));
}

const RATE_WINDOW_MS = 60_000;

/** Final checks of one user queued or running at once; more are refused (SUBMITS_IN_FLIGHT). */
export const FINAL_CHECKS_IN_FLIGHT_CAP = 2;
/** Quick checks one user may store per minute (QUICK_RATE_LIMITED). */
export const QUICK_CHECKS_PER_MINUTE = 30;

function waitSeconds(retryAt: Date): number {
  return Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 1000));
}

/** The AppError for a refused limited create (@lms/db's createAttemptWithinLimits). */
function limitError(
  refused: Extract<LimitedAttemptCreate, { ok: false }>,
  rate: { code: 'RATE_LIMITED' | 'QUICK_RATE_LIMITED'; limit: number },
): AppError {
  if (refused.limit === 'pending') {
    return new AppError('SUBMITS_IN_FLIGHT', { limit: FINAL_CHECKS_IN_FLIGHT_CAP });
  }
  return new AppError(rate.code, { limit: rate.limit, wait: waitSeconds(refused.retryAt) });
}

/**
 * Final check: the attempt is stored as queued FIRST, then handed to the grader in the
 * background (a crash from there on is recovered at the next start). Per user, at most
 * `ctx.submitsPerMinute` in any minute (RATE_LIMITED, with the wait) and at most
 * FINAL_CHECKS_IN_FLIGHT_CAP queued or running (SUBMITS_IN_FLIGHT): both decided atomically
 * with the insert, so a burst (a batched request, parallel tabs) cannot slip past them.
 */
export async function submitAttempt(
  ctx: SignedInContext,
  input: { courseSlug: string; taskId: string; code: string },
) {
  assertCodeSize(input.code);
  const grader = ctx.grader;
  if (!grader) throw new AppError('GRADER_UNAVAILABLE');
  const { releaseId, courseId, task } = await getPublishedTask(ctx.db, input);
  // queue mode with Redis away: refused now, nothing stored (grader/transport.ts `available`)
  if (grader.available && !(await grader.available())) throw new AppError('GRADER_UNAVAILABLE');
  const limit = ctx.submitsPerMinute;
  // the shape groups wrong programs on the instructors' dashboards (an output task's answer
  // is text, not a program)
  const shape = task.kind === 'program' ? shapeHash(input.code) : null;
  const made = await createFinalAttemptWithinLimits(
    ctx.db,
    {
      userId: ctx.session.user.id,
      courseId,
      taskId: input.taskId,
      code: input.code,
      releaseId,
      shapeHash: shape,
    },
    { perWindow: limit, windowMs: RATE_WINDOW_MS, maxPending: FINAL_CHECKS_IN_FLIGHT_CAP },
  );
  if (!made.ok) throw limitError(made, { code: 'RATE_LIMITED', limit });
  const { attempt } = made;
  void grader.dispatch(attempt.id, ctx.session.user.id).catch((e) => {
    console.warn(`[attempt] dispatch ${attempt.id}: ${(e as Error).message}`);
  });
  // grading saturated: "busy, your check is queued as number N" (null: it starts at once)
  const queuePosition = (await grader.placeOf?.(attempt.id)) ?? null;
  return { id: attempt.id, status: attempt.status, createdAt: attempt.createdAt, queuePosition };
}

/** A quick check as the browser ran it (public tests in Pyodide). */
export type QuickCheckInput = {
  status: (typeof FINAL_ATTEMPT_STATUSES)[number];
  message: string | null;
  /** `message` as a code (the browser's grader sends one for its own messages) */
  messageCode?: GradingMessage | null;
  tests: Array<{
    name: string;
    status: 'passed' | 'failed' | 'error';
    message: string | null;
    messageCode?: GradingMessage | undefined;
    durationMs: number;
  }>;
  stdout: string;
  stderr: string;
  durationMs?: number | undefined;
  pythonVersion?: string | undefined;
};

/**
 * The browser's quick check: stored as practice, never counted as solved. Per user at most
 * QUICK_CHECKS_PER_MINUTE a minute (decided atomically with the insert), the result at most
 * QUICK_CHECK_RESULT_CHARS as JSON; refused checks store nothing.
 */
export async function recordQuickAttempt(
  ctx: SignedInContext,
  input: { courseSlug: string; taskId: string; code: string; result: QuickCheckInput },
) {
  assertCodeSize(input.code);
  assertQuickResultSize(input.result);
  const { releaseId, courseId } = await getPublishedTask(ctx.db, input);
  const r = input.result;
  const tests = r.tests.map((t) => ({ ...t, hidden: false, origin: 'public' as const }));
  const now = new Date();
  const stored = await recordQuickCheckWithinLimits(
    ctx.db,
    {
      userId: ctx.session.user.id,
      courseId,
      taskId: input.taskId,
      releaseId,
      code: input.code,
      result: {
        status: r.status,
        results: tests,
        testsPassed: tests.filter((t) => t.status === 'passed').length,
        testsTotal: tests.length,
        message: r.message,
        messageCode: r.messageCode ?? null,
        stdout: r.stdout,
        stderr: r.stderr,
        durationMs: r.durationMs === undefined ? null : Math.round(r.durationMs),
        pythonImpl: 'pyodide',
        pythonVersion: r.pythonVersion ?? null,
        engine: 'pyodide',
        startedAt: now,
        gradedAt: now,
      },
    },
    { perWindow: QUICK_CHECKS_PER_MINUTE, windowMs: RATE_WINDOW_MS },
  );
  if (!stored.ok) {
    throw limitError(stored, { code: 'QUICK_RATE_LIMITED', limit: QUICK_CHECKS_PER_MINUTE });
  }
  const { attempt } = stored;
  return { id: attempt.id, status: attempt.status, createdAt: attempt.createdAt };
}

/**
 * A quick check's result as a whole is at most QUICK_CHECK_RESULT_CHARS as JSON (each part is
 * capped by the input schema too): what one stored row may take.
 */
export function assertQuickResultSize(result: QuickCheckInput): void {
  const chars = JSON.stringify(result).length;
  if (chars > QUICK_CHECK_RESULT_CHARS) {
    throw new AppError('QUICK_RESULT_TOO_LARGE', {
      size: Math.ceil(chars / 1024),
      limit: Math.round(QUICK_CHECK_RESULT_CHARS / 1024),
    });
  }
}

/** A watch reads its attempt again at least this often with no change heard (a change made by
 * another process: a reconcile elsewhere, a restart). */
export const WATCH_RECHECK_MS = 5_000;
/** …and this often while it waits in a saturated line (its place moves as others start). */
export const WATCH_PLACE_RECHECK_MS = 2_000;

/**
 * Live status: yields the attempt now and on every change, ends once it has a verdict (or
 * after 10 minutes, or when the client goes away). Changes made in this process wake it at
 * once (attempt-events.ts); otherwise it reads again every `recheckMs` (every
 * WATCH_PLACE_RECHECK_MS while it has a place in the line) — not every 400 ms as it did: a
 * class watching its checks was most of the database's work.
 */
export async function* watchAttempt(
  ctx: SignedInContext,
  input: { id: string; courseSlug: string },
  signal?: AbortSignal,
  options: { recheckMs?: number; placeRecheckMs?: number } = {},
) {
  const { recheckMs = WATCH_RECHECK_MS, placeRecheckMs = WATCH_PLACE_RECHECK_MS } = options;
  const courseId = await courseIdOf(ctx.db, input.courseSlug);
  let last = '';
  const deadline = Date.now() + 10 * 60_000;
  while (!signal?.aborted && Date.now() < deadline) {
    // registered before the read: a change during the read (or while the consumer holds the
    // value yielded) still wakes the wait below
    const change = nextAttemptChange(input.id, signal);
    try {
      const current = await withPlace(ctx, await readAttempt(ctx, input.id, courseId));
      const key = `${current.status}:${current.gradedAt?.getTime() ?? ''}:${current.queuePosition}`;
      if (key !== last) {
        last = key;
        yield current;
      }
      if (current.done) return;
      const waitMs = current.queuePosition === null ? recheckMs : placeRecheckMs;
      change.limit(Math.min(waitMs, deadline - Date.now()));
      await change.done;
    } finally {
      change.cancel();
    }
  }
}
