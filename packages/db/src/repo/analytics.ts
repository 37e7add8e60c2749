/**
 * The instructors' analytics: reads over one cohort's students in the cohort's course. The
 * matrix and per-task figures come from Progress (kept up to date by the verdict transaction,
 * src/repo/attempts.ts), the groups of wrong answers from the Attempt keys set there (failKey,
 * shapeHash), engine disagreements from their table. Who may read a cohort is the caller's
 * business (apps/web services/dashboard.ts); everything here is scoped to the cohort's students.
 */
import type { Prisma } from '../generated/sqlite/client.ts';
import type { AttemptStatus, TestResult } from '../types.ts';
import { codeHashOf, failureOf } from './analytics-keys.ts';
import type { DbOrTx } from './audit.ts';

export * from './analytics-keys.ts';

export type CohortScope = { cohortId: string; courseId: string };

/** A where clause on a user relation: a student member of the cohort. */
const studentOf = (cohortId: string) => ({
  memberships: { some: { cohortId, role: 'student' } },
});

export type CohortStudent = {
  id: string;
  name: string;
  email: string;
  joinedAt: Date;
};

export async function cohortStudents(db: DbOrTx, cohortId: string): Promise<CohortStudent[]> {
  const rows = await db.membership.findMany({
    where: { cohortId, role: 'student' },
    select: { createdAt: true, user: { select: { id: true, name: true, email: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((r) => ({ ...r.user, joinedAt: r.createdAt }));
}

export const progressCellSelect = {
  userId: true,
  taskId: true,
  attempts: true,
  quickChecks: true,
  firstSolvedAt: true,
  attemptsToSolve: true,
  assisted: true,
  lastStatus: true,
  lastAttemptAt: true,
  hintOpenedAt: true,
  answerRevealedAt: true,
  firstAttemptAt: true,
  lastFinalId: true,
} satisfies Prisma.ProgressSelect;
export type ProgressCell = Prisma.ProgressGetPayload<{ select: typeof progressCellSelect }>;

/** Progress rows of the cohort's students in the course (optionally one task). */
export async function cohortProgressRows(
  db: DbOrTx,
  scope: CohortScope & { taskId?: string },
): Promise<ProgressCell[]> {
  return db.progress.findMany({
    where: {
      courseId: scope.courseId,
      ...(scope.taskId ? { taskId: scope.taskId } : {}),
      user: studentOf(scope.cohortId),
    },
    select: progressCellSelect,
  });
}

/** A progress row as the overview's matrix needs it (no dates: `solved` says firstSolvedAt is set). */
export type OverviewProgressCell = {
  taskId: string;
  attempts: number;
  quickChecks: number;
  solved: boolean;
  attemptsToSolve: number | null;
  assisted: boolean;
  lastStatus: string | null;
};

export type OverviewStudentRow = {
  userId: string;
  /** the latest lastAttemptAt, hintOpenedAt and answerRevealedAt of the student's rows */
  lastAttemptAt: Date | null;
  hintOpenedAt: Date | null;
  answerRevealedAt: Date | null;
  cells: OverviewProgressCell[];
};

const COMMA = 44;
const ZERO = 48;

/**
 * Unpacks cohortOverviewRows' cells with a cursor over the string (`attempts,quickChecks,
 * solved,attemptsToSolve,assisted,lastStatus,taskId`, a line break between cells; the task id
 * runs to the line break, so a comma in it stays in it). String.split would allocate seven
 * strings and an array per cell: for 100,000 cells that is most of the overview's time.
 */
function unpackCells(packed: string): OverviewProgressCell[] {
  const out: OverviewProgressCell[] = [];
  const n = packed.length;
  let i = 0;
  /** the digits up to the next comma (none: null), and past it */
  const int = (): number | null => {
    let v: number | null = null;
    for (let c = packed.charCodeAt(i); i < n && c !== COMMA; c = packed.charCodeAt(++i)) {
      v = (v ?? 0) * 10 + c - ZERO;
    }
    i++;
    return v;
  };
  while (i < n) {
    const attempts = int() ?? 0;
    const quickChecks = int() ?? 0;
    const solved = int() === 1;
    const attemptsToSolve = int();
    const assisted = int() === 1;
    const statusEnd = packed.indexOf(',', i);
    if (statusEnd < 0) throw new Error(`overview: a malformed packed cell at ${i}`);
    const end = packed.indexOf('\n', statusEnd + 1);
    const taskEnd = end < 0 ? n : end;
    out.push({
      taskId: packed.slice(statusEnd + 1, taskEnd),
      attempts,
      quickChecks,
      solved,
      attemptsToSolve,
      assisted,
      lastStatus: statusEnd > i ? packed.slice(i, statusEnd) : null,
    });
    i = taskEnd + 1;
  }
  return out;
}

/**
 * A date read by $queryRaw: a Date (PostgreSQL) or the stored text (SQLite: Prisma writes
 * ISO 8601 with an offset; a column default, CURRENT_TIMESTAMP, has none and is UTC).
 */
function rawDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v));
  const text = String(v);
  return new Date(/(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/**
 * The overview's progress rows of the cohort's students in the course, one row per student:
 * the database packs each student's rows into one string (`string_agg`: SQLite ≥ 3.44 and
 * PostgreSQL) and computes the latest activity. Read as Prisma objects, the 100,000 rows of
 * 500 students × 200 tasks cost over a second of row mapping on the bench's 2-core machine;
 * packed, the query costs SQLite some 75 ms and unpacking them (unpackCells) some 20 ms
 * (bench/dashboard). A packed cell: `attempts,quickChecks,solved,attemptsToSolve,assisted,
 * lastStatus,taskId` (the task id last, so a comma in it is harmless); cells are separated by
 * the line break written inside the SQL's quotes.
 */
export async function cohortOverviewRows(
  db: DbOrTx,
  scope: CohortScope,
): Promise<OverviewStudentRow[]> {
  const rows = await db.$queryRaw<
    Array<{
      userId: string;
      lastAttemptAt: unknown;
      hintOpenedAt: unknown;
      answerRevealedAt: unknown;
      cells: string | null;
    }>
  >`SELECT "userId",
      MAX("lastAttemptAt") AS "lastAttemptAt",
      MAX("hintOpenedAt") AS "hintOpenedAt",
      MAX("answerRevealedAt") AS "answerRevealedAt",
      string_agg(
        CAST("attempts" AS TEXT) || ',' || CAST("quickChecks" AS TEXT) || ',' ||
        CASE WHEN "firstSolvedAt" IS NULL THEN '0' ELSE '1' END || ',' ||
        COALESCE(CAST("attemptsToSolve" AS TEXT), '') || ',' ||
        CASE WHEN "assisted" THEN '1' ELSE '0' END || ',' ||
        COALESCE("lastStatus", '') || ',' || "taskId",
        '\n') AS "cells"
    FROM "progress"
    WHERE "courseId" = ${scope.courseId}
      AND "userId" IN (SELECT "userId" FROM "membership"
                       WHERE "cohortId" = ${scope.cohortId} AND "role" = 'student')
    GROUP BY "userId"`;
  return rows.map((r) => ({
    userId: r.userId,
    lastAttemptAt: rawDate(r.lastAttemptAt),
    hintOpenedAt: rawDate(r.hintOpenedAt),
    answerRevealedAt: rawDate(r.answerRevealedAt),
    cells: r.cells ? unpackCells(r.cells) : [],
  }));
}

/**
 * A version of what the cohort's dashboards show: it changes when a verdict of one of its
 * students is recorded (Progress.updatedAt), a hint or answer opened, a note written, a
 * member added.
 * Cheap (indexed maxima and counts): the pages poll it and refetch when it changes.
 */
export async function cohortPulse(db: DbOrTx, scope: CohortScope): Promise<string> {
  const members = await db.membership.findMany({
    where: { cohortId: scope.cohortId },
    select: { userId: true, role: true },
  });
  const students = members.filter((m) => m.role === 'student').map((m) => m.userId);
  const [progress, notes] = await Promise.all([
    // the cohort's students only: another cohort's activity is not this one's business (and
    // would refresh every open dashboard of the course)
    db.progress.aggregate({
      where: { courseId: scope.courseId, userId: { in: students } },
      _max: { updatedAt: true },
      _count: { _all: true },
    }),
    db.failureGroupNote.aggregate({
      where: { cohortId: scope.cohortId },
      _max: { updatedAt: true },
      _count: { _all: true },
    }),
  ]);
  return [
    progress._max.updatedAt?.getTime() ?? 0,
    progress._count._all,
    notes._max.updatedAt?.getTime() ?? 0,
    notes._count._all,
    members.length,
  ].join('.');
}

/** The latest final attempts' per-test results (by attempt id). */
export async function attemptResults(
  db: DbOrTx,
  attemptIds: string[],
): Promise<Array<{ id: string; results: TestResult[] | null }>> {
  if (attemptIds.length === 0) return [];
  const rows = await db.attempt.findMany({
    where: { id: { in: attemptIds } },
    select: { id: true, results: true },
  });
  return rows.map((r) => ({ id: r.id, results: (r.results as TestResult[] | null) ?? null }));
}

const WRONG_FINAL = { stage: 'final', failKey: { not: null } } as const;

export type GroupRow = {
  failKey: string;
  shapeHash: string | null;
  userId: string;
  attempts: number;
  firstAt: Date;
  /** one attempt of the (group, shape, user): the representative */
  anyAttemptId: string;
};

/**
 * The task's wrong final answers of the cohort's students, counted per (failKey, shapeHash,
 * student): one indexed GROUP BY (attempt_courseId_taskId_stage_failKey_idx). Raw SQL: the
 * students as `IN (membership)` rather than Prisma's join to user with a correlated EXISTS,
 * and without Prisma's row mapping of ~7,000 groups (10,000 wrong answers of 500 students).
 */
export async function taskFailureRows(
  db: DbOrTx,
  scope: CohortScope & { taskId: string },
): Promise<GroupRow[]> {
  const rows = await db.$queryRaw<
    Array<{
      failKey: string;
      shapeHash: string | null;
      userId: string;
      attempts: bigint | number;
      firstAt: unknown;
      anyAttemptId: string;
    }>
  >`SELECT "failKey", "shapeHash", "userId", COUNT(*) AS "attempts",
      MIN("createdAt") AS "firstAt", MAX("id") AS "anyAttemptId"
    FROM "attempt"
    WHERE "courseId" = ${scope.courseId} AND "taskId" = ${scope.taskId}
      AND "stage" = 'final' AND "failKey" IS NOT NULL
      AND "userId" IN (SELECT "userId" FROM "membership"
                       WHERE "cohortId" = ${scope.cohortId} AND "role" = 'student')
    GROUP BY "failKey", "shapeHash", "userId"`;
  return rows.map((r) => ({
    failKey: r.failKey,
    shapeHash: r.shapeHash,
    userId: r.userId,
    attempts: Number(r.attempts),
    firstAt: rawDate(r.firstAt) as Date,
    anyAttemptId: r.anyAttemptId,
  }));
}

export type RepresentativeAttempt = {
  id: string;
  userId: string;
  code: string;
  status: AttemptStatus;
  failMessage: string | null;
  results: TestResult[] | null;
  createdAt: Date;
};

export async function representativeAttempts(
  db: DbOrTx,
  ids: string[],
): Promise<RepresentativeAttempt[]> {
  if (ids.length === 0) return [];
  const rows = await db.attempt.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      userId: true,
      code: true,
      status: true,
      failMessage: true,
      results: true,
      createdAt: true,
    },
  });
  return rows.map((r) => ({
    ...r,
    status: r.status as AttemptStatus,
    results: (r.results as TestResult[] | null) ?? null,
  }));
}

/** Every attempt of a group (optionally one shape), newest first, at most `limit`. */
export async function groupAttemptRows(
  db: DbOrTx,
  scope: CohortScope & {
    taskId: string;
    failKey: string;
    shapeHash?: string | null;
    limit: number;
  },
) {
  const rows = await db.attempt.findMany({
    where: {
      courseId: scope.courseId,
      taskId: scope.taskId,
      stage: 'final',
      failKey: scope.failKey,
      ...(scope.shapeHash !== undefined ? { shapeHash: scope.shapeHash } : {}),
      user: studentOf(scope.cohortId),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: scope.limit,
    select: {
      id: true,
      userId: true,
      shapeHash: true,
      status: true,
      testsPassed: true,
      testsTotal: true,
      code: true,
      createdAt: true,
      user: { select: { name: true } },
    },
  });
  return rows.map((r) => ({ ...r, status: r.status as AttemptStatus }));
}

export type GroupNoteRow = {
  taskId: string;
  failKey: string;
  body: string;
  updatedAt: Date;
  authorName: string | null;
};

export async function groupNotes(
  db: DbOrTx,
  scope: { cohortId: string; courseId: string; taskId?: string },
): Promise<GroupNoteRow[]> {
  const rows = await db.failureGroupNote.findMany({
    where: {
      cohortId: scope.cohortId,
      courseId: scope.courseId,
      ...(scope.taskId ? { taskId: scope.taskId } : {}),
    },
    select: {
      taskId: true,
      failKey: true,
      body: true,
      updatedAt: true,
      author: { select: { name: true } },
    },
  });
  return rows.map(({ author, ...r }) => ({ ...r, authorName: author?.name ?? null }));
}

/** Writes (or, with an empty body, removes) the cohort's note on a group. */
export async function setGroupNote(
  db: DbOrTx,
  input: CohortScope & { taskId: string; failKey: string; body: string; authorId: string },
): Promise<GroupNoteRow | null> {
  const key = {
    cohortId_courseId_taskId_failKey: {
      cohortId: input.cohortId,
      courseId: input.courseId,
      taskId: input.taskId,
      failKey: input.failKey,
    },
  };
  if (input.body.trim() === '') {
    await db.failureGroupNote.deleteMany({ where: key.cohortId_courseId_taskId_failKey });
    return null;
  }
  const row = await db.failureGroupNote.upsert({
    where: key,
    create: { ...key.cohortId_courseId_taskId_failKey, body: input.body, authorId: input.authorId },
    update: { body: input.body, authorId: input.authorId },
    select: {
      taskId: true,
      failKey: true,
      body: true,
      updatedAt: true,
      author: { select: { name: true } },
    },
  });
  const { author, ...rest } = row;
  return { ...rest, authorName: author?.name ?? null };
}

/**
 * The notes a student sees in a course: for each task, the note of a cohort they study in on
 * the group of their latest wrong answer (Progress.lastFailKey).
 */
export async function notesForStudent(
  db: DbOrTx,
  input: { userId: string; courseId: string },
): Promise<Map<string, { body: string; updatedAt: Date }>> {
  const progress = await db.progress.findMany({
    where: { userId: input.userId, courseId: input.courseId, lastFailKey: { not: null } },
    select: { taskId: true, lastFailKey: true },
  });
  const out = new Map<string, { body: string; updatedAt: Date }>();
  if (progress.length === 0) return out;
  const notes = await db.failureGroupNote.findMany({
    where: {
      courseId: input.courseId,
      cohort: { memberships: { some: { userId: input.userId, role: 'student' } } },
      OR: progress.map((p) => ({ taskId: p.taskId, failKey: p.lastFailKey as string })),
    },
    orderBy: { updatedAt: 'asc' },
    select: { taskId: true, body: true, updatedAt: true },
  });
  for (const n of notes) out.set(n.taskId, { body: n.body, updatedAt: n.updatedAt });
  return out;
}

/** The cohort's students' wrong final answers in the course since `since`. */
const recentWrongAnswers = (scope: CohortScope & { since: Date }) => ({
  courseId: scope.courseId,
  ...WRONG_FINAL,
  createdAt: { gte: scope.since },
  user: studentOf(scope.cohortId),
});

/** Students with ≥ `min` wrong final attempts on one task since `since` (solved or not). */
export async function recentFailures(
  db: DbOrTx,
  scope: CohortScope & { since: Date; min: number },
): Promise<Array<{ userId: string; taskId: string; failed: number; lastAt: Date }>> {
  const rows = await db.attempt.groupBy({
    by: ['userId', 'taskId'],
    where: recentWrongAnswers(scope),
    _count: { _all: true },
    _max: { createdAt: true },
    having: { userId: { _count: { gte: scope.min } } },
  });
  return rows.map((r) => ({
    userId: r.userId,
    taskId: r.taskId,
    failed: r._count._all,
    lastAt: r._max.createdAt as Date,
  }));
}

/**
 * Groups (task, failKey) that gained students since `since`: students whose first wrong
 * answer in the group is that recent, per group.
 */
export async function growingGroups(
  db: DbOrTx,
  scope: CohortScope & { since: Date },
): Promise<Array<{ taskId: string; failKey: string; newStudents: number; message: string }>> {
  const active = await db.attempt.groupBy({
    by: ['taskId', 'failKey'],
    where: recentWrongAnswers(scope),
    _max: { id: true },
  });
  if (active.length === 0) return [];
  const perUser = await db.attempt.groupBy({
    by: ['taskId', 'failKey', 'userId'],
    where: {
      courseId: scope.courseId,
      stage: 'final',
      OR: active.map((g) => ({ taskId: g.taskId, failKey: g.failKey as string })),
      user: studentOf(scope.cohortId),
    },
    _min: { createdAt: true },
  });
  const counts = new Map<string, number>();
  for (const r of perUser) {
    if ((r._min.createdAt as Date) < scope.since) continue;
    const k = `${r.taskId}\u0000${r.failKey}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const messages = new Map(
    (
      await db.attempt.findMany({
        where: { id: { in: active.map((g) => g._max.id as string) } },
        select: { taskId: true, failKey: true, failMessage: true },
      })
    ).map((a) => [`${a.taskId}\u0000${a.failKey}`, a.failMessage ?? '']),
  );
  return [...counts].map(([k, newStudents]) => {
    const [taskId = '', failKey = ''] = k.split('\u0000');
    return { taskId, failKey, newStudents, message: messages.get(k) ?? '' };
  });
}

/** The engine disagreements of the cohort's students in the course, newest first. */
export async function cohortDisagreements(db: DbOrTx, scope: CohortScope & { limit: number }) {
  const where = {
    courseId: scope.courseId,
    userId: {
      in: (
        await db.membership.findMany({
          where: { cohortId: scope.cohortId, role: 'student' },
          select: { userId: true },
        })
      ).map((m) => m.userId),
    },
  };
  const [perTask, latest] = await Promise.all([
    db.engineDisagreement.groupBy({ by: ['taskId'], where, _count: { _all: true } }),
    db.engineDisagreement.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      take: scope.limit,
      select: { taskId: true, userId: true, quickAttemptId: true, finalAttemptId: true },
    }),
  ]);
  const ids = latest.flatMap((d) => [d.quickAttemptId, d.finalAttemptId]);
  const attempts = new Map(
    (
      await db.attempt.findMany({
        where: { id: { in: ids } },
        select: {
          id: true,
          status: true,
          results: true,
          engine: true,
          pythonImpl: true,
          pythonVersion: true,
          gradedAt: true,
          createdAt: true,
          code: true,
          user: { select: { name: true } },
        },
      })
    ).map((a) => [a.id, a]),
  );
  return {
    perTask: perTask.map((t) => ({ taskId: t.taskId, programs: t._count._all })),
    latest: latest.flatMap((d) => {
      const quick = attempts.get(d.quickAttemptId);
      const final = attempts.get(d.finalAttemptId);
      return quick && final ? [{ ...d, quick, final }] : [];
    }),
  };
}

/** A student's attempts in the course (newest first, at most `limit`), with what a timeline shows. */
export async function studentAttempts(
  db: DbOrTx,
  input: { userId: string; courseId: string; limit: number },
) {
  const rows = await db.attempt.findMany({
    where: { userId: input.userId, courseId: input.courseId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit,
    select: {
      id: true,
      taskId: true,
      stage: true,
      status: true,
      testsPassed: true,
      testsTotal: true,
      message: true,
      results: true,
      engine: true,
      pythonVersion: true,
      code: true,
      createdAt: true,
      gradedAt: true,
    },
  });
  return rows.map((r) => ({
    ...r,
    stage: r.stage as 'quick' | 'final',
    status: r.status as AttemptStatus,
    results: (r.results as TestResult[] | null) ?? null,
  }));
}

/** The cohort's attention thresholds as stored (null: defaults). */
export async function cohortAttention(db: DbOrTx, cohortId: string): Promise<unknown> {
  const c = await db.cohort.findUnique({ where: { id: cohortId }, select: { attention: true } });
  return c?.attention ?? null;
}

export async function setCohortAttention(
  db: DbOrTx,
  cohortId: string,
  value: Record<string, number>,
): Promise<void> {
  await db.cohort.update({ where: { id: cohortId }, data: { attention: value } });
}

/**
 * Every attempt of the cohort's students in the course, oldest first, a page at a time (for
 * the CSV export): `after` is the last row's id of the previous page.
 */
export async function cohortAttemptsPage(
  db: DbOrTx,
  scope: CohortScope & { after: string | null; take: number },
) {
  return db.attempt.findMany({
    where: { courseId: scope.courseId, user: studentOf(scope.cohortId) },
    orderBy: { id: 'asc' },
    ...(scope.after ? { cursor: { id: scope.after }, skip: 1 } : {}),
    take: scope.take,
    select: {
      id: true,
      taskId: true,
      stage: true,
      status: true,
      testsPassed: true,
      testsTotal: true,
      durationMs: true,
      engine: true,
      pythonVersion: true,
      createdAt: true,
      gradedAt: true,
      user: { select: { name: true, email: true } },
      release: { select: { version: true } },
    },
  });
}

/**
 * Fills the analytics columns of rows stored before they existed (re-runnable: only rows
 * still without them): attempts' codeHash and failKey, progress's first attempt, attempts to
 * solve and latest verdict. `shapeOf` computes a code shape (`@lms/content/shape`).
 */
export async function backfillAnalytics(
  db: DbOrTx,
  shapeOf: (code: string) => string,
): Promise<{ attempts: number; progress: number }> {
  let attempts = 0;
  for (;;) {
    const rows = await db.attempt.findMany({
      where: { codeHash: null },
      take: 500,
      select: { id: true, code: true, stage: true, status: true, results: true, message: true },
    });
    if (rows.length === 0) break;
    for (const r of rows) {
      const failure = failureOf({
        status: r.status,
        results: (r.results as TestResult[] | null) ?? null,
        message: r.message,
      });
      await db.attempt.update({
        where: { id: r.id },
        data: {
          codeHash: codeHashOf(r.code),
          shapeHash: r.stage === 'final' ? shapeOf(r.code) : null,
          failKey: failure?.failKey ?? null,
          failMessage: failure?.failMessage ?? null,
        },
      });
    }
    attempts += rows.length;
  }
  const stale = await db.progress.findMany({
    where: { attempts: { gt: 0 }, firstAttemptAt: null },
    select: { id: true, userId: true, courseId: true, taskId: true, firstSolvedAt: true },
  });
  for (const p of stale) {
    const finals = await db.attempt.findMany({
      where: {
        userId: p.userId,
        courseId: p.courseId,
        taskId: p.taskId,
        stage: 'final',
        status: { notIn: ['queued', 'running', 'sandbox_error'] },
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, status: true, gradedAt: true, createdAt: true, failKey: true },
    });
    const first = finals[0];
    const last = finals.at(-1);
    if (!first || !last) continue;
    const solvedAt = finals.findIndex((f) => f.status === 'passed');
    const lastWrong = [...finals].reverse().find((f) => f.failKey);
    await db.progress.update({
      where: { id: p.id },
      data: {
        firstAttemptAt: first.createdAt,
        attemptsToSolve: p.firstSolvedAt && solvedAt >= 0 ? solvedAt + 1 : null,
        lastFinalId: last.id,
        lastStatus: last.status,
        lastFailKey: lastWrong?.failKey ?? null,
      },
    });
  }
  return { attempts, progress: stale.length };
}
