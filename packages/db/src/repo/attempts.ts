import {
  describeZodError,
  GRADER_CODE_CAP_CHARS,
  type GradingMessage,
  type GradingMessageInput,
  gradingMessageSchema,
  parseGradingMessage,
  STORED_OUTPUT_CAP_CHARS,
} from '@lms/grading';
import type { Db } from '../client.ts';
import { DbError, isForeignKeyViolation, isUniqueViolation } from '../errors.ts';
import type { Prisma } from '../generated/sqlite/client.ts';
import {
  ATTEMPT_STAGES,
  type AttemptStage,
  type AttemptStatus,
  type AttemptVerdict,
  FINAL_ATTEMPT_STATUSES,
  type JsonValue,
  PENDING_ATTEMPT_STATUSES,
  type TestResult,
} from '../types.ts';
import { codeHashOf, engineDisagreement, failureOf } from './analytics-keys.ts';
import type { DbOrTx } from './audit.ts';

/**
 * Interactive transactions wait for a connection (PostgreSQL pool) or for the connection's
 * turn (SQLite: one connection, transactions queue) — under bursts this exceeds Prisma's
 * 2 s default.
 */
export const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

/** Longest code accepted (characters): what the grader accepts (`@lms/grading`). */
export const MAX_CODE_CHARS = GRADER_CODE_CAP_CHARS;
/** stdout/stderr are cut to this many characters, with a marker (`@lms/grading`). */
export const MAX_OUTPUT_CHARS = STORED_OUTPUT_CAP_CHARS;

export const attemptSelect = {
  id: true,
  userId: true,
  courseId: true,
  taskId: true,
  releaseId: true,
  stage: true,
  status: true,
  code: true,
  results: true,
  testsPassed: true,
  testsTotal: true,
  message: true,
  messageCode: true,
  stdout: true,
  stderr: true,
  timings: true,
  durationMs: true,
  pythonImpl: true,
  pythonVersion: true,
  engine: true,
  codeHash: true,
  failKey: true,
  createdAt: true,
  startedAt: true,
  gradedAt: true,
} satisfies Prisma.AttemptSelect;
type AttemptRow = Prisma.AttemptGetPayload<{ select: typeof attemptSelect }>;
export type AttemptView = Omit<
  AttemptRow,
  'stage' | 'status' | 'results' | 'timings' | 'messageCode'
> & {
  stage: AttemptStage;
  status: AttemptStatus;
  results: TestResult[] | null;
  timings: Record<string, JsonValue> | null;
  /** `message` as a code with parameters; null for old rows, or a code this version does not know */
  messageCode: GradingMessage | null;
};
const toView = (a: AttemptRow): AttemptView => ({
  ...a,
  stage: a.stage as AttemptStage,
  status: a.status as AttemptStatus,
  results: (a.results as TestResult[] | null) ?? null,
  timings: (a.timings as Record<string, JsonValue> | null) ?? null,
  messageCode: parseGradingMessage(a.messageCode),
});

export type CreateAttemptInput = {
  userId: string;
  /** the course of the task (Course.id): task ids are unique only within a course */
  courseId: string;
  taskId: string;
  stage: AttemptStage;
  code: string;
  /** the ContentRelease the task was read from */
  releaseId?: string | null;
  /** e.g. a client-generated submission id or the queue job id: a retried create returns the first attempt */
  idempotencyKey?: string | null;
  /** the code's syntax shape (`@lms/content/shape`), for grouping wrong answers */
  shapeHash?: string | null;
};

function validateCreate(input: CreateAttemptInput): void {
  if (!(ATTEMPT_STAGES as readonly string[]).includes(input.stage)) {
    throw new DbError('INVALID', `stage must be quick or final; got "${input.stage}"`);
  }
  if (input.code.length > MAX_CODE_CHARS) {
    throw new DbError(
      'INVALID',
      `code is ${input.code.length} characters; the limit is ${MAX_CODE_CHARS}`,
    );
  }
  if (!input.courseId) throw new DbError('INVALID', 'courseId is empty');
  if (!input.taskId) throw new DbError('INVALID', 'taskId is empty');
}

/**
 * Stores an attempt as `queued` — call this BEFORE grading, so nothing is lost if the grader
 * or the web process dies. With an idempotencyKey a repeated call returns the stored attempt.
 */
export async function createAttempt(
  db: DbOrTx,
  input: CreateAttemptInput,
): Promise<{ attempt: AttemptView; created: boolean }> {
  validateCreate(input);
  try {
    const a = await db.attempt.create({
      data: {
        userId: input.userId,
        courseId: input.courseId,
        taskId: input.taskId,
        stage: input.stage,
        code: input.code,
        releaseId: input.releaseId ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
        codeHash: codeHashOf(input.code),
        shapeHash: input.shapeHash ?? null,
      },
      select: attemptSelect,
    });
    return { attempt: toView(a), created: true };
  } catch (error) {
    if (input.idempotencyKey && isUniqueViolation(error)) {
      const a = await db.attempt.findUnique({
        where: { idempotencyKey: input.idempotencyKey },
        select: attemptSelect,
      });
      if (
        a &&
        a.userId === input.userId &&
        a.courseId === input.courseId &&
        a.taskId === input.taskId
      )
        return { attempt: toView(a), created: false };
      throw new DbError(
        'CONFLICT',
        `idempotency key ${input.idempotencyKey} belongs to another attempt`,
      );
    }
    if (isForeignKeyViolation(error)) {
      throw new DbError(
        'NOT_FOUND',
        `no user ${input.userId}, no course ${input.courseId} or no release ${input.releaseId}`,
      );
    }
    throw error;
  }
}

/** queued → running (also running → running after a restart). False when already graded or unknown. */
export async function markAttemptRunning(db: DbOrTx, attemptId: string): Promise<boolean> {
  const r = await db.attempt.updateMany({
    where: { id: attemptId, status: { in: [...PENDING_ATTEMPT_STATUSES] } },
    data: { status: 'running', startedAt: new Date() },
  });
  return r.count === 1;
}

export type AttemptResultInput = {
  status: AttemptVerdict;
  results?: TestResult[] | null;
  testsPassed?: number | null;
  testsTotal?: number | null;
  message?: string | null;
  /** `message` as a code with parameters (@lms/grading), for the reader's language */
  messageCode?: GradingMessageInput | null;
  stdout?: string | null;
  stderr?: string | null;
  timings?: Record<string, JsonValue> | null;
  durationMs?: number | null;
  pythonImpl?: string | null;
  pythonVersion?: string | null;
  engine?: string | null;
  gradedAt?: Date;
  /** when grading started, if known and not already stored (e.g. a browser quick check) */
  startedAt?: Date;
};

export function capOutput(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  if (text.length <= MAX_OUTPUT_CHARS) return text;
  const cut = text.length - MAX_OUTPUT_CHARS;
  return `${text.slice(0, MAX_OUTPUT_CHARS)}\n… [${cut} more characters cut]`;
}

/**
 * Stores a verdict and updates Progress, once: when the attempt already has a verdict
 * (a retried job, a duplicate callback) nothing changes and `recorded` is false.
 * Final attempts count in Progress.attempts and a `passed` one sets firstSolvedAt; quick checks
 * only count in Progress.quickChecks. `sandbox_error` (our fault) is stored but not counted.
 */
export async function recordAttemptResult(
  db: Db,
  ref: { attemptId: string } | { idempotencyKey: string },
  result: AttemptResultInput,
): Promise<{ attempt: AttemptView; recorded: boolean }> {
  if (!(FINAL_ATTEMPT_STATUSES as readonly string[]).includes(result.status)) {
    throw new DbError(
      'INVALID',
      `a verdict must be one of ${FINAL_ATTEMPT_STATUSES.join(', ')}; got "${result.status}"`,
    );
  }
  const messageCode = result.messageCode
    ? gradingMessageSchema.safeParse(result.messageCode)
    : null;
  if (messageCode && !messageCode.success) {
    throw new DbError('INVALID', `messageCode: ${describeZodError(messageCode.error)}`);
  }
  const where = 'attemptId' in ref ? { id: ref.attemptId } : { idempotencyKey: ref.idempotencyKey };
  const gradedAt = result.gradedAt ?? new Date();
  const failure = failureOf(result);
  // The guarded write comes first: it decides, atomically, who records the verdict (exactly
  // once), and on SQLite it takes the write lock at once instead of upgrading a read lock
  // (which fails under WAL when another connection committed meanwhile).
  return db.$transaction(async (tx) => {
    const updated = await tx.attempt.updateMany({
      where: { ...where, status: { in: [...PENDING_ATTEMPT_STATUSES] } },
      data: {
        status: result.status,
        results: (result.results ?? undefined) as Prisma.InputJsonValue | undefined,
        testsPassed: result.testsPassed ?? null,
        testsTotal: result.testsTotal ?? null,
        message: result.message ?? null,
        messageCode: (messageCode?.data ?? undefined) as Prisma.InputJsonValue | undefined,
        stdout: capOutput(result.stdout),
        stderr: capOutput(result.stderr),
        timings: (result.timings ?? undefined) as Prisma.InputJsonValue | undefined,
        durationMs: result.durationMs ?? null,
        pythonImpl: result.pythonImpl ?? null,
        pythonVersion: result.pythonVersion ?? null,
        engine: result.engine ?? null,
        failKey: failure?.failKey ?? null,
        failMessage: failure?.failMessage ?? null,
        gradedAt,
        ...(result.startedAt ? { startedAt: result.startedAt } : {}),
      },
    });
    const a = await tx.attempt.findUnique({ where, select: attemptSelect });
    if (!a) {
      throw new DbError(
        'NOT_FOUND',
        `no attempt ${'attemptId' in ref ? ref.attemptId : `with key ${ref.idempotencyKey}`}`,
      );
    }
    const recorded = updated.count === 1;
    if (recorded && result.status !== 'sandbox_error') {
      await updateProgress(tx, a, result.status, failure?.failKey ?? null, gradedAt);
      await noteEngineDisagreement(tx, a);
    }
    return { attempt: toView(a), recorded };
  }, TX_OPTIONS);
}

/**
 * The verdict's part of Progress (the aggregate the dashboards read): final attempts count in
 * `attempts`; quick checks in `quickChecks`. Verdicts may be recorded out of submission order
 * (two checks in flight, many workers), so what depends on the order is decided by the
 * attempts' `createdAt`, not by which verdict came last:
 * - `firstAttemptAt`: the earliest submission with a verdict;
 * - `lastFinalId`/`lastStatus`/`lastFailKey`: the newest submission with a verdict (an older
 *   one recorded later changes nothing there);
 * - `attemptsToSolve`: the counted final attempts submitted up to the first passing one,
 *   recounted when a verdict of an attempt submitted before it arrives late.
 */
async function updateProgress(
  tx: DbOrTx,
  a: AttemptRow,
  status: AttemptVerdict,
  failKey: string | null,
  gradedAt: Date,
): Promise<void> {
  const final = a.stage === 'final';
  const task = { userId: a.userId, courseId: a.courseId, taskId: a.taskId };
  const passed = final && status === 'passed';
  const latest = final
    ? { lastFinalId: a.id, lastStatus: status, ...(failKey ? { lastFailKey: failKey } : {}) }
    : {};
  const row = await tx.progress.upsert({
    where: { userId_courseId_taskId: task },
    create: {
      ...task,
      attempts: final ? 1 : 0,
      quickChecks: final ? 0 : 1,
      lastAttemptAt: gradedAt,
      firstAttemptAt: final ? a.createdAt : null,
      firstSolvedAt: passed ? gradedAt : null,
      attemptsToSolve: passed ? 1 : null,
      ...latest,
    },
    update: final
      ? { attempts: { increment: 1 }, lastAttemptAt: gradedAt }
      : { quickChecks: { increment: 1 }, lastAttemptAt: gradedAt },
    select: { lastFinalId: true, firstSolvedAt: true },
  });
  if (!final) return;
  // an older first submission
  await tx.progress.updateMany({
    where: { ...task, OR: [{ firstAttemptAt: null }, { firstAttemptAt: { gt: a.createdAt } }] },
    data: { firstAttemptAt: a.createdAt },
  });
  // the latest verdict: only from a submission newer than the one shown
  if (row.lastFinalId !== a.id) {
    const shown = row.lastFinalId
      ? await tx.attempt.findUnique({ where: { id: row.lastFinalId }, select: { createdAt: true } })
      : null;
    if (!shown || shown.createdAt <= a.createdAt) {
      await tx.progress.updateMany({ where: task, data: latest });
    }
  }
  // the solve: the first passing submission, and how many counted attempts it took
  if (passed || row.firstSolvedAt !== null) {
    const firstPass = await tx.attempt.findFirst({
      where: { ...task, stage: 'final', status: 'passed' },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { createdAt: true },
    });
    if (firstPass && a.createdAt <= firstPass.createdAt) {
      const tries = await tx.attempt.count({
        where: {
          ...task,
          stage: 'final',
          status: { notIn: [...PENDING_ATTEMPT_STATUSES, 'sandbox_error'] },
          createdAt: { lte: firstPass.createdAt },
        },
      });
      await tx.progress.updateMany({
        where: task,
        data: {
          attemptsToSolve: tries,
          ...(row.firstSolvedAt === null ? { firstSolvedAt: gradedAt } : {}),
        },
      });
    }
  }
}

const ENGINE_RUN_SELECT = { id: true, status: true, results: true } as const;

/**
 * When a quick check and a final check of the same code (same user, task and codeHash) both
 * have a verdict, whichever comes second compares them (`engineDisagreement`) and stores a
 * disagreement, one per final attempt.
 */
async function noteEngineDisagreement(tx: DbOrTx, a: AttemptRow & { codeHash?: string | null }) {
  const codeHash = a.codeHash ?? codeHashOf(a.code);
  const other = await tx.attempt.findFirst({
    where: {
      userId: a.userId,
      courseId: a.courseId,
      taskId: a.taskId,
      codeHash,
      stage: a.stage === 'final' ? 'quick' : 'final',
      status: { notIn: [...PENDING_ATTEMPT_STATUSES, 'sandbox_error'] },
      id: { not: a.id },
    },
    orderBy: { createdAt: 'desc' },
    select: ENGINE_RUN_SELECT,
  });
  if (!other) return;
  const self = { id: a.id, status: a.status, results: a.results };
  const [quick, final] = a.stage === 'final' ? [other, self] : [self, other];
  const verdict = engineDisagreement(
    { status: quick.status, results: (quick.results as TestResult[] | null) ?? null },
    { status: final.status, results: (final.results as TestResult[] | null) ?? null },
  );
  if (!verdict.disagree) return;
  await tx.engineDisagreement.upsert({
    where: { finalAttemptId: final.id },
    create: {
      courseId: a.courseId,
      taskId: a.taskId,
      userId: a.userId,
      quickAttemptId: quick.id,
      finalAttemptId: final.id,
    },
    update: { quickAttemptId: quick.id },
  });
}

/**
 * running → queued: the grader was unreachable and the attempt waits for a retry, or (after a
 * restart) it is re-sent. Attempts with a verdict are left alone. Returns how many changed.
 */
export async function requeueAttempts(db: DbOrTx, attemptIds: string[]): Promise<number> {
  if (attemptIds.length === 0) return 0;
  const r = await db.attempt.updateMany({
    where: { id: { in: attemptIds }, status: 'running' },
    data: { status: 'queued' },
  });
  return r.count;
}

/** Browser quick check: store attempt and verdict in one go (the browser already graded it). */
export async function recordQuickCheck(
  db: Db,
  input: Omit<CreateAttemptInput, 'stage'> & { result: AttemptResultInput },
): Promise<{ attempt: AttemptView; recorded: boolean }> {
  const { attempt } = await createAttempt(db, { ...input, stage: 'quick' });
  return recordAttemptResult(db, { attemptId: attempt.id }, input.result);
}

/**
 * `recordQuickCheck` under a per-user rate limit, decided atomically with the insert
 * (`createAttemptWithinLimits`): refused calls store nothing.
 */
export async function recordQuickCheckWithinLimits(
  db: Db,
  input: Omit<CreateAttemptInput, 'stage' | 'idempotencyKey'> & { result: AttemptResultInput },
  limits: AttemptLimits,
): Promise<
  | { ok: true; attempt: AttemptView; recorded: boolean }
  | Extract<LimitedAttemptCreate, { ok: false }>
> {
  const { result, ...create } = input;
  const made = await createAttemptWithinLimits(db, { ...create, stage: 'quick' }, limits);
  if (!made.ok) return made;
  const stored = await recordAttemptResult(db, { attemptId: made.attempt.id }, result);
  return { ok: true, ...stored };
}

export async function getAttempt(db: DbOrTx, attemptId: string): Promise<AttemptView | null> {
  const a = await db.attempt.findUnique({ where: { id: attemptId }, select: attemptSelect });
  return a ? toView(a) : null;
}

/** A user's attempts at a task of a course, newest first. */
export async function listAttempts(
  db: DbOrTx,
  input: {
    userId: string;
    courseId: string;
    taskId: string;
    stage?: AttemptStage;
    limit?: number;
  },
): Promise<AttemptView[]> {
  const rows = await db.attempt.findMany({
    where: {
      userId: input.userId,
      courseId: input.courseId,
      taskId: input.taskId,
      ...(input.stage ? { stage: input.stage } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: Math.min(input.limit ?? 50, 500),
    select: attemptSelect,
  });
  return rows.map(toView);
}

/**
 * A user's final attempts created at or after `since`, counted up to `max` (a rate limit needs
 * no more), and when the oldest of those was created (null when there are none): the window
 * the web app's submit rate limit is decided on.
 */
export async function finalAttemptsSince(
  db: DbOrTx,
  input: { userId: string; since: Date; max: number },
): Promise<{ count: number; oldestAt: Date | null }> {
  const rows = await db.attempt.findMany({
    where: { userId: input.userId, stage: 'final', createdAt: { gte: input.since } },
    orderBy: { createdAt: 'asc' },
    select: { createdAt: true },
    take: Math.max(0, input.max),
  });
  return { count: rows.length, oldestAt: rows[0]?.createdAt ?? null };
}

/** Per-user caps on creating attempts of one stage (see `createAttemptWithinLimits`). */
export type AttemptLimits = {
  /** at most this many attempts of the stage created in any `windowMs` */
  perWindow: number;
  windowMs: number;
  /** at most this many of the user's attempts of the stage without a verdict (queued/running) */
  maxPending?: number;
  /**
   * a pending attempt older than this no longer counts against `maxPending`: one whose
   * dispatch was lost must not lock the student out (default 10 minutes, past any grading)
   */
  pendingStaleMs?: number;
  /** the clock (tests) */
  now?: Date;
};

/** What `createAttemptWithinLimits` decided: the attempt, or which limit refused it. */
export type LimitedAttemptCreate =
  | { ok: true; attempt: AttemptView }
  | {
      ok: false;
      limit: 'rate';
      /** attempts in the window (= `perWindow`) */
      count: number;
      /** when the oldest of them leaves the window: a new attempt is accepted from then on */
      retryAt: Date;
    }
  | { ok: false; limit: 'pending'; pending: number };

/**
 * Stores an attempt as `queued` unless the user is over a limit — decided atomically: the
 * check and the insert run in one transaction that first locks the user's row (a no-op
 * UPDATE), so concurrent calls for one user take turns and none sees a stale count.
 * PostgreSQL (READ COMMITTED): the row lock is held to commit and each later statement sees
 * what the previous holder committed. SQLite: the write takes the database's write lock at
 * once (the adapter opens `BEGIN` deferred, and the first statement is a write, so there is no
 * read-to-write upgrade); in-process transactions are serialised by the adapter's mutex too.
 * Other users are not held up on PostgreSQL (one row each). No idempotency key here: a unique
 * violation would abort the PostgreSQL transaction.
 */
export async function createAttemptWithinLimits(
  db: Db,
  input: Omit<CreateAttemptInput, 'idempotencyKey'>,
  limits: AttemptLimits,
): Promise<LimitedAttemptCreate> {
  validateCreate(input);
  const now = limits.now ?? new Date();
  return db.$transaction(async (tx) => {
    const locked =
      await tx.$executeRaw`UPDATE "user" SET "role" = "role" WHERE "id" = ${input.userId}`;
    if (locked !== 1) throw new DbError('NOT_FOUND', `no user ${input.userId}`);
    if (limits.maxPending !== undefined) {
      const pending = await tx.attempt.count({
        where: {
          userId: input.userId,
          stage: input.stage,
          status: { in: [...PENDING_ATTEMPT_STATUSES] },
          createdAt: { gte: new Date(now.getTime() - (limits.pendingStaleMs ?? 10 * 60_000)) },
        },
      });
      if (pending >= limits.maxPending) return { ok: false, limit: 'pending', pending };
    }
    const recent = await tx.attempt.findMany({
      where: {
        userId: input.userId,
        stage: input.stage,
        createdAt: { gte: new Date(now.getTime() - limits.windowMs) },
      },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
      take: Math.max(0, limits.perWindow),
    });
    if (recent.length >= limits.perWindow) {
      const oldest = recent[0]?.createdAt ?? now;
      return {
        ok: false,
        limit: 'rate',
        count: recent.length,
        retryAt: new Date(oldest.getTime() + limits.windowMs),
      };
    }
    const { attempt } = await createAttempt(tx, input);
    return { ok: true, attempt };
  }, TX_OPTIONS);
}

/** `createAttemptWithinLimits` for final checks (the submit limits). */
export const createFinalAttemptWithinLimits = (
  db: Db,
  input: Omit<CreateAttemptInput, 'idempotencyKey' | 'stage'>,
  limits: AttemptLimits,
) => createAttemptWithinLimits(db, { ...input, stage: 'final' }, limits);

/**
 * How many of the user's final attempts without a verdict (queued/running) were created
 * before `before`: an attempt's place in its owner's own line (the queue transport's fair
 * priority).
 */
export async function pendingFinalAttemptsBefore(
  db: DbOrTx,
  input: { userId: string; before: Date },
): Promise<number> {
  return db.attempt.count({
    where: {
      userId: input.userId,
      stage: 'final',
      status: { in: [...PENDING_ATTEMPT_STATUSES] },
      createdAt: { lt: input.before },
    },
  });
}

/**
 * Attempts without a verdict (queued or running), oldest first: after a restart, the web app
 * re-submits these to the grader. Default: final attempts only (quick checks are graded in the
 * browser and recorded at once).
 */
export async function listPendingAttempts(
  db: DbOrTx,
  options: { stage?: AttemptStage | 'any'; olderThan?: Date; limit?: number } = {},
): Promise<AttemptView[]> {
  const stage = options.stage ?? 'final';
  const rows = await db.attempt.findMany({
    where: {
      status: { in: [...PENDING_ATTEMPT_STATUSES] },
      ...(stage === 'any' ? {} : { stage }),
      ...(options.olderThan ? { createdAt: { lt: options.olderThan } } : {}),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: Math.min(options.limit ?? 1000, 10_000),
    select: attemptSelect,
  });
  return rows.map(toView);
}

/** A final attempt without a verdict, as the web's queue reconcile and waiting line read it. */
export type PendingFinalAttempt = {
  id: string;
  userId: string;
  status: 'queued' | 'running';
  createdAt: Date;
  startedAt: Date | null;
  /** set once by `claimAttemptResend` */
  resentAt: Date | null;
};

/**
 * Final attempts without a verdict, oldest first, with only what ordering and reconciling
 * need (no code, no results): `status` narrows to the waiting (`queued`) or the running ones.
 */
export async function listPendingFinalAttempts(
  db: DbOrTx,
  options: { status?: 'queued' | 'running'; olderThan?: Date; limit?: number } = {},
): Promise<PendingFinalAttempt[]> {
  const rows = await db.attempt.findMany({
    where: {
      stage: 'final',
      status: options.status ?? { in: [...PENDING_ATTEMPT_STATUSES] },
      ...(options.olderThan ? { createdAt: { lt: options.olderThan } } : {}),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: Math.min(options.limit ?? 1000, 10_000),
    select: {
      id: true,
      userId: true,
      status: true,
      createdAt: true,
      startedAt: true,
      resentAt: true,
    },
  });
  return rows as PendingFinalAttempt[];
}

/**
 * Claims the one re-send of a pending final attempt (its queue job was lost): sets `resentAt`
 * only if nobody has, in one guarded update. True for exactly one caller, however many web
 * instances race for it; false when it was claimed before or has a verdict meanwhile.
 */
export async function claimAttemptResend(
  db: DbOrTx,
  attemptId: string,
  at: Date = new Date(),
): Promise<boolean> {
  const r = await db.attempt.updateMany({
    where: {
      id: attemptId,
      stage: 'final',
      status: { in: [...PENDING_ATTEMPT_STATUSES] },
      resentAt: null,
    },
    data: { resentAt: at },
  });
  return r.count === 1;
}

/**
 * Gives a claim back (the re-send it was for did not happen: the dispatch failed), so a later
 * pass may re-send the attempt instead of taking it for lost twice. Only the claim made at
 * `at` is released: another instance's later claim is left alone.
 */
export async function releaseAttemptResend(
  db: DbOrTx,
  attemptId: string,
  at: Date,
): Promise<boolean> {
  const r = await db.attempt.updateMany({
    where: { id: attemptId, resentAt: at },
    data: { resentAt: null },
  });
  return r.count === 1;
}
