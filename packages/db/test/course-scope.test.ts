// Issue 11, finding 7: task ids are unique only within a course. Two courses publishing the
// same task ids (a copy of a course under another slug) must not share drafts, progress or
// attempts, and a task is looked up in its own course's release. Also: the migration that
// added the course to existing rows (20261202130755_course_scoped_work) keeps every row.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/client.ts';
import { createDb } from '../src/client.ts';
import type { DbTarget } from '../src/env.ts';
import { DbError } from '../src/errors.ts';
import {
  addMember,
  cohortProgress,
  courseProgress,
  createAttempt,
  createCohort,
  createUser,
  findPublishedTask,
  getCourse,
  getDraft,
  getTaskProgress,
  listAttempts,
  listDrafts,
  listTaskProgress,
  publishCompiledCourse,
  recordAnswerRevealed,
  recordAttemptResult,
  recordHintOpened,
  recordQuickCheck,
  upsertDraft,
} from '../src/index.ts';
import { migrate, migrationStatus, resolveMigration } from '../src/migrate.ts';
import { migrationsDir } from '../src/schema-files.ts';
import {
  fixtureCourse,
  freshTarget,
  migratedDb,
  PROVIDERS_UNDER_TEST,
  type Provider,
} from './helpers.ts';

const T1 = 'python_chapter_0010_task_0010';
const T2 = 'python_chapter_0010_task_0020';

/** The fixture course under another slug, same chapter and task ids, other checks. */
function copiedCourse(slug: string): Record<string, unknown> {
  const course = fixtureCourse() as {
    id: string;
    hash: string;
    chapters: Array<{ tasks: Array<Record<string, unknown>> }>;
  };
  return {
    ...course,
    id: slug,
    hash: `${course.hash}-${slug}`,
    chapters: course.chapters.map((ch) => ({
      ...ch,
      tasks: ch.tasks.map((t) => ({ ...t, checks: { hidden: `# HIDDEN OF ${slug}\n` } })),
    })),
  };
}

describe.each(PROVIDERS_UNDER_TEST)('task ids are scoped by course (%s)', (provider) => {
  let db: Db;
  let close: () => Promise<void>;
  let student: { id: string };
  let a: { id: string; releaseId: string };
  let b: { id: string; releaseId: string };

  beforeAll(async () => {
    ({ db, close } = await migratedDb(provider));
    student = await createUser(db, { email: 'scoped@example.org', name: 'S' });
    const pa = await publishCompiledCourse(db, {
      compiled: fixtureCourse(),
      source: {},
      publishedById: null,
    });
    const pb = await publishCompiledCourse(db, {
      compiled: copiedCourse('python-copy'),
      source: {},
      publishedById: null,
    });
    a = { id: pa.release.course.id, releaseId: pa.release.id };
    b = { id: pb.release.course.id, releaseId: pb.release.id };
  }, 60_000);
  afterAll(async () => close?.());

  it('the published task is found in its own course, by id or by slug', async () => {
    expect(a.id).not.toBe(b.id);
    expect(await findPublishedTask(db, { courseSlug: 'python', taskId: T1 })).toMatchObject({
      releaseId: a.releaseId,
      courseId: a.id,
    });
    expect(await findPublishedTask(db, { courseSlug: 'python-copy', taskId: T1 })).toMatchObject({
      releaseId: b.releaseId,
      courseId: b.id,
      courseSlug: 'python-copy',
    });
    expect(await findPublishedTask(db, { courseId: b.id, taskId: T1 })).toMatchObject({
      releaseId: b.releaseId,
    });
    expect(await getCourse(db, 'python-copy')).toMatchObject({ id: b.id, slug: 'python-copy' });
    expect(await getCourse(db, 'nope')).toBeNull();
  });

  it('a draft, progress and attempts in course A do not show in course B (same task id)', async () => {
    const inA = { userId: student.id, courseId: a.id, taskId: T1 };
    const inB = { userId: student.id, courseId: b.id, taskId: T1 };
    await upsertDraft(db, { ...inA, code: 'a = "A"' });
    expect(await getDraft(db, inB)).toBeNull();
    expect(await listDrafts(db, { userId: student.id, courseId: b.id, taskIds: [T1] })).toEqual([]);
    await upsertDraft(db, { ...inB, code: 'b = "B"' });
    expect((await getDraft(db, inA))?.code).toBe('a = "A"');
    expect((await getDraft(db, inB))?.code).toBe('b = "B"');

    const { attempt } = await createAttempt(db, {
      ...inA,
      stage: 'final',
      code: 'print("A")',
      releaseId: a.releaseId,
    });
    expect(attempt.courseId).toBe(a.id);
    await recordAttemptResult(db, { attemptId: attempt.id }, { status: 'passed' });
    await recordHintOpened(db, inA);
    await recordAnswerRevealed(db, { ...inA, taskId: T2 });
    expect(await getTaskProgress(db, inA)).toMatchObject({
      attempts: 1,
      firstSolvedAt: expect.any(Date),
    });
    expect(await getTaskProgress(db, inB)).toMatchObject({
      attempts: 0,
      firstSolvedAt: null,
      hintOpenedAt: null,
    });
    expect(
      await listTaskProgress(db, { userId: student.id, courseId: b.id, taskIds: [T1, T2] }),
    ).toEqual([]);
    expect(await listAttempts(db, inB)).toEqual([]);
    expect((await listAttempts(db, inA)).map((x) => x.id)).toEqual([attempt.id]);
    expect(
      await courseProgress(db, { userId: student.id, courseSlug: 'python-copy' }),
    ).toMatchObject({ solved: 0, attempted: 0, assisted: 0 });
    expect(await courseProgress(db, { userId: student.id, courseSlug: 'python' })).toMatchObject({
      solved: 1,
      attempted: 1,
    });

    // a quick check in B counts in B only
    await recordQuickCheck(db, { ...inB, code: 'x', result: { status: 'failed' } });
    expect((await getTaskProgress(db, inB)).quickChecks).toBe(1);
    expect((await getTaskProgress(db, inA)).quickChecks).toBe(0);
  });

  it('an idempotency key is not reused across courses', async () => {
    const inA = { userId: student.id, courseId: a.id, taskId: T2, stage: 'final' as const };
    await createAttempt(db, { ...inA, code: 'x', idempotencyKey: 'scoped-key' });
    await expect(
      createAttempt(db, { ...inA, courseId: b.id, code: 'x', idempotencyKey: 'scoped-key' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      createAttempt(db, { ...inA, courseId: 'no-such-course', code: 'x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      upsertDraft(db, { userId: student.id, courseId: 'no-such-course', taskId: T1, code: '' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("a cohort of course B sees its students' work in B only", async () => {
    const cohort = await createCohort(db, {
      slug: 'copy-cohort',
      name: 'Copy',
      courseSlug: 'python-copy',
    });
    await addMember(db, { cohortId: cohort.id, userId: student.id, role: 'student' });
    const cp = await cohortProgress(db, { cohortId: cohort.id });
    expect(cp.students.map((s) => [s.solved, s.attempted, s.quickChecks])).toEqual([[0, 0, 1]]);
  });
});

/** Runs SQL statements on a database with its raw driver (the old schema: no Prisma client fits). */
async function rawExec(target: DbTarget, statements: string[]): Promise<void> {
  if (target.provider === 'sqlite') {
    const raw = new Database(target.file);
    try {
      for (const s of statements) raw.exec(s);
    } finally {
      raw.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

/** The rows of one query, with the raw driver. */
async function rawQuery(target: DbTarget, sql: string): Promise<Array<Record<string, unknown>>> {
  if (target.provider === 'sqlite') {
    const raw = new Database(target.file);
    try {
      return raw.prepare(sql).all() as Array<Record<string, unknown>>;
    } finally {
      raw.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The names of a table's columns (old or new schema). */
async function columnsOf(target: DbTarget, table: string): Promise<string[]> {
  const rows = await rawQuery(
    target,
    target.provider === 'sqlite'
      ? `SELECT name FROM pragma_table_info('${table}')`
      : `SELECT column_name AS name FROM information_schema.columns WHERE table_name = '${table}'`,
  );
  return rows.map((r) => String(r.name));
}

const NEW_MIGRATION = '20261202130755_course_scoped_work';

/** NEW_MIGRATION and the migrations after it, in order: what migrating the old database applies. */
const fromScope = (provider: Provider) =>
  readdirSync(migrationsDir(provider))
    .filter((name) => /^\d{14}_/.test(name) && name >= NEW_MIGRATION)
    .sort();

/** A fresh database migrated up to just before NEW_MIGRATION; `cleanup()` removes it. */
async function beforeScope(
  provider: Provider,
): Promise<{ target: DbTarget; cleanup: () => Promise<void> }> {
  const { target, drop } = await freshTarget(provider);
  const dir = mkdtempSync(join(tmpdir(), 'lms-db-before-scope-'));
  const cleanup = async () => {
    rmSync(dir, { recursive: true, force: true });
    await drop();
  };
  try {
    cpSync(migrationsDir(provider), dir, { recursive: true });
    // NEW_MIGRATION and every later one: the database as it was before it
    for (const name of fromScope(provider)) rmSync(join(dir, name), { recursive: true });
    await migrate(target, { migrationsDir: dir });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { target, cleanup };
}

// rows in the schema before NEW_MIGRATION (no courseId on attempt, draft, progress)
const at = (d: string) => `'2026-0${d}T00:00:00.000+00:00'`;
const release = (id: string, course: string, v: number, status: string, pub: string) =>
  `INSERT INTO "content_release" ("id", "courseId", "version", "status", "compiled", "source", "contentHash", "publishedAt", "createdAt") VALUES ('${id}', '${course}', ${v}, '${status}', '{}', '{}', 'h-${id}', ${pub}, ${at('1-01')})`;
const task = (release: string, taskId: string, n: number) =>
  `INSERT INTO "release_task" ("id", "releaseId", "taskId", "chapterId", "position") VALUES ('${release}-${taskId}', '${release}', '${taskId}', 'ch', ${n})`;
const attempt = (id: string, user: string, taskId: string, release: string | null, day = '4-01') =>
  `INSERT INTO "attempt" ("id", "userId", "taskId", "releaseId", "stage", "status", "code", "createdAt") VALUES ('${id}', '${user}', '${taskId}', ${release ? `'${release}'` : 'NULL'}, 'final', 'passed', 'print(1)', ${at(day)})`;
const draft = (id: string, user: string, taskId: string) =>
  `INSERT INTO "draft" ("id", "userId", "taskId", "code", "createdAt", "updatedAt") VALUES ('${id}', '${user}', '${taskId}', 'x = 1', ${at('4-01')}, ${at('4-01')})`;
const progress = (id: string, user: string, taskId: string) =>
  `INSERT INTO "progress" ("id", "userId", "taskId", "attempts", "updatedAt") VALUES ('${id}', '${user}', '${taskId}', 2, ${at('4-01')})`;
const USERS = `INSERT INTO "user" ("id", "name", "email", "createdAt", "updatedAt") VALUES ('u1', 'U1', 'u1@x', ${at('1-01')}, ${at('1-01')}), ('u2', 'U2', 'u2@x', ${at('1-01')}, ${at('1-01')})`;

/** Two courses sharing task ids, and work on them of every kind NEW_MIGRATION has to place. */
const SHARED_TASKS = [
  USERS,
  `INSERT INTO "course" ("id", "slug", "title", "createdAt") VALUES ('cA', 'python', 'A', ${at('1-01')}), ('cB', 'python-copy', 'B', ${at('1-01')})`,
  release('rA1', 'cA', 1, 'archived', at('1-10')),
  release('rB1', 'cB', 1, 'published', at('2-10')),
  release('rA2', 'cA', 2, 'published', at('3-10')),
  release('rB2', 'cB', 2, 'draft', 'NULL'),
  // "first": published in A (Jan) before B (Feb)
  task('rA1', 'early_in_a', 0),
  task('rB1', 'early_in_a', 0),
  task('rA2', 'early_in_a', 0),
  // published in B (Feb) before A took it in (Mar)
  task('rB1', 'early_in_b', 1),
  task('rA2', 'early_in_b', 1),
  // only in a draft of B
  task('rB2', 'draft_only', 2),
  // an attempt goes to the course of its own release, whichever published the task first
  attempt('a6', 'u1', 'early_in_a', 'rA2', '3-15'),
  attempt('a1', 'u1', 'early_in_a', 'rB1'), // u1's latest on early_in_a
  attempt('a2', 'u1', 'early_in_b', 'rA2'),
  attempt('a3', 'u2', 'early_in_b', 'rB1'),
  attempt('a4', 'u1', 'ghost', 'rA2'), // task in no release: the course of its release
  attempt('a5', 'u1', 'ghost', null, '3-20'), // nothing says which course
  // a draft or progress row: the course of the user's latest attempt on the task
  draft('d1', 'u1', 'early_in_a'), // a1
  draft('d2', 'u1', 'early_in_b'), // a2
  draft('d3', 'u1', 'draft_only'), // no attempt: the task's first (here only) release
  draft('d4', 'u2', 'ghost'), // no attempt, no release
  draft('d5', 'u1', 'ghost'), // a4 (a5 is older)
  progress('p1', 'u1', 'early_in_a'), // a1
  progress('p2', 'u1', 'early_in_b'), // a2
  progress('p3', 'u2', 'early_in_b'), // a3
  progress('p4', 'u2', 'early_in_a'), // no attempt: the task's first published release
];

/** Checks where NEW_MIGRATION put the rows of SHARED_TASKS, and that it kept them all. */
async function expectSharedTasksPlaced(target: DbTarget): Promise<void> {
  const db = createDb({ url: target.url });
  try {
    const orphan = await db.course.findUnique({ where: { slug: '_orphaned-work' } });
    expect(orphan).not.toBeNull();
    const courseOf = async (rows: Promise<Array<{ id: string; course: { slug: string } }>>) =>
      Object.fromEntries((await rows).map((r) => [r.id, r.course.slug]));
    const select = { id: true, course: { select: { slug: true } } } as const;
    expect(await courseOf(db.attempt.findMany({ select }))).toEqual({
      a1: 'python-copy',
      a2: 'python',
      a3: 'python-copy',
      a4: 'python',
      a5: '_orphaned-work',
      a6: 'python',
    });
    expect(await courseOf(db.draft.findMany({ select }))).toEqual({
      d1: 'python-copy',
      d2: 'python',
      d3: 'python-copy',
      d4: '_orphaned-work',
      d5: 'python',
    });
    expect(await courseOf(db.progress.findMany({ select }))).toEqual({
      p1: 'python-copy',
      p2: 'python',
      p3: 'python-copy',
      p4: 'python',
    });
    // nothing else changed, and the repository reads the rows under their course
    expect(
      await getTaskProgress(db, { userId: 'u1', courseId: 'cA', taskId: 'early_in_b' }),
    ).toMatchObject({ attempts: 2 });
    expect((await getDraft(db, { userId: 'u1', courseId: 'cB', taskId: 'early_in_a' }))?.code).toBe(
      'x = 1',
    );
    expect(
      (await listAttempts(db, { userId: 'u1', courseId: 'cA', taskId: 'early_in_b' })).map((x) => [
        x.id,
        x.status,
        x.releaseId,
      ]),
    ).toEqual([['a2', 'passed', 'rA2']]);
    expect(
      (await listAttempts(db, { userId: 'u1', courseId: 'cB', taskId: 'early_in_b' })).map(
        (x) => x.id,
      ),
    ).toEqual([]);
    // the helper table is gone; the orphan course has no release (never shown)
    expect(await db.contentRelease.count({ where: { courseId: orphan!.id } })).toBe(0);
    expect(await db.course.count()).toBe(3);
    await expect(db.$queryRawUnsafe('SELECT * FROM "_course_of_task"')).rejects.toThrow();
  } finally {
    await db.$disconnect();
  }
}

describe.each(PROVIDERS_UNDER_TEST)(`migration ${NEW_MIGRATION} (%s)`, (provider) => {
  it('keeps every draft, progress and attempt row, each in the course it was made in', async () => {
    const { target, cleanup } = await beforeScope(provider);
    try {
      await rawExec(target, SHARED_TASKS);
      expect((await migrate(target)).applied).toEqual(fromScope(provider));
      await expectSharedTasksPlaced(target);
    } finally {
      await cleanup();
    }
  }, 90_000);

  it('adds no course when every row has one', async () => {
    const { target, cleanup } = await beforeScope(provider);
    try {
      await rawExec(target, [
        USERS,
        `INSERT INTO "course" ("id", "slug", "title", "createdAt") VALUES ('cA', 'python', 'A', ${at('1-01')})`,
        release('rA1', 'cA', 1, 'published', at('1-10')),
        task('rA1', 't1', 0),
        task('rA1', 't2', 1),
        attempt('a1', 'u1', 't1', 'rA1'),
        attempt('a2', 'u1', 'ghost', 'rA1'), // task in no release, but its release says
        draft('d1', 'u1', 't1'),
        draft('d2', 'u2', 't2'),
        draft('d3', 'u1', 'ghost'), // the course of u1's attempt on it
        progress('p1', 'u1', 't1'),
        progress('p2', 'u2', 't2'),
      ]);
      expect((await migrate(target)).applied).toEqual(fromScope(provider));
      const db = createDb({ url: target.url });
      try {
        expect((await db.course.findMany({ select: { id: true } })).map((c) => c.id)).toEqual([
          'cA',
        ]);
        const courses = async (rows: Promise<Array<{ courseId: string }>>) =>
          new Set((await rows).map((r) => r.courseId));
        const select = { courseId: true } as const;
        expect(await courses(db.attempt.findMany({ select }))).toEqual(new Set(['cA']));
        expect(await courses(db.draft.findMany({ select }))).toEqual(new Set(['cA']));
        expect(await courses(db.progress.findMany({ select }))).toEqual(new Set(['cA']));
        expect(await db.attempt.count()).toBe(2);
        expect(await db.draft.count()).toBe(3);
        expect(await db.progress.count()).toBe(2);
      } finally {
        await db.$disconnect();
      }
    } finally {
      await cleanup();
    }
  }, 60_000);

  it('can be re-run after failing midway (rolled back by hand) and keeps every row', async () => {
    const { target, cleanup } = await beforeScope(provider);
    try {
      await rawExec(target, SHARED_TASKS);
      // a statement well into the script fails: SQLite cannot drop a view with DROP TABLE
      // (the rebuild of "progress"), PostgreSQL's backfill of "progress" hits a trigger
      const cause =
        provider === 'sqlite'
          ? {
              make: ['CREATE VIEW "new_progress" AS SELECT 1 AS "x"'],
              undo: ['DROP VIEW "new_progress"'],
            }
          : {
              make: [
                `CREATE FUNCTION "fail_on_progress"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'made to fail'; END $$`,
                'CREATE TRIGGER "fail_on_progress" BEFORE UPDATE ON "progress" FOR EACH ROW EXECUTE FUNCTION "fail_on_progress"()',
              ],
              undo: [
                'DROP TRIGGER "fail_on_progress" ON "progress"',
                'DROP FUNCTION "fail_on_progress"()',
              ],
            };
      await rawExec(target, cause.make);
      const failed = await migrate(target).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(DbError);
      expect((failed as DbError).message).toContain(`migration ${NEW_MIGRATION} failed`);
      expect((await migrationStatus(target)).failed).toEqual([NEW_MIGRATION]);
      if (provider === 'sqlite') {
        // one transaction: nothing of it stayed
        expect(await columnsOf(target, 'attempt')).not.toContain('courseId');
        expect(await columnsOf(target, '_course_of_task')).toEqual([]);
      } else {
        // statement by statement: half-migrated (columns added, helper table left behind)
        expect(await columnsOf(target, 'attempt')).toContain('courseId');
        expect(await columnsOf(target, '_course_of_task')).not.toEqual([]);
      }

      await rawExec(target, cause.undo);
      await resolveMigration(target, NEW_MIGRATION, 'rolled-back');
      expect((await migrate(target)).applied).toEqual(fromScope(provider));
      expect(await migrationStatus(target)).toMatchObject({ failed: [], pending: [] });
      await expectSharedTasksPlaced(target);
    } finally {
      await cleanup();
    }
  }, 90_000);
});
