// Issue 11, finding 7: task ids are unique only within a course. Two courses publishing the
// same task ids (a copy of a course under another slug) must not share drafts, progress or
// attempts, and a task is looked up in its own course's release. Also: the migration that
// added the course to existing rows (20261202130755_course_scoped_work) keeps every row.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/client.ts';
import { createDb } from '../src/client.ts';
import type { DbTarget } from '../src/env.ts';
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
import { migrate } from '../src/migrate.ts';
import { migrationsDir } from '../src/schema-files.ts';
import { fixtureCourse, freshTarget, migratedDb, PROVIDERS_UNDER_TEST } from './helpers.ts';

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

const NEW_MIGRATION = '20261202130755_course_scoped_work';

describe.each(PROVIDERS_UNDER_TEST)(`migration ${NEW_MIGRATION} (%s)`, (provider) => {
  it("keeps every draft, progress and attempt row, each in its task's first published course", async () => {
    const { target, drop } = await freshTarget(provider);
    const dir = mkdtempSync(join(tmpdir(), 'lms-db-before-scope-'));
    let db: Db | null = null;
    try {
      // the database as it was before the migration
      cpSync(migrationsDir(provider), dir, { recursive: true });
      rmSync(join(dir, NEW_MIGRATION), { recursive: true });
      await migrate(target, { migrationsDir: dir });
      const at = (d: string) => `'2026-0${d}T00:00:00.000+00:00'`;
      const release = (id: string, course: string, v: number, status: string, pub: string) =>
        `INSERT INTO "content_release" ("id", "courseId", "version", "status", "compiled", "source", "contentHash", "publishedAt", "createdAt") VALUES ('${id}', '${course}', ${v}, '${status}', '{}', '{}', 'h-${id}', ${pub}, ${at('1-01')})`;
      const task = (release: string, taskId: string, n: number) =>
        `INSERT INTO "release_task" ("id", "releaseId", "taskId", "chapterId", "position") VALUES ('${release}-${taskId}', '${release}', '${taskId}', 'ch', ${n})`;
      const attempt = (id: string, user: string, taskId: string, release: string | null) =>
        `INSERT INTO "attempt" ("id", "userId", "taskId", "releaseId", "stage", "status", "code", "createdAt") VALUES ('${id}', '${user}', '${taskId}', ${release ? `'${release}'` : 'NULL'}, 'final', 'passed', 'print(1)', ${at('4-01')})`;
      const draft = (id: string, user: string, taskId: string) =>
        `INSERT INTO "draft" ("id", "userId", "taskId", "code", "createdAt", "updatedAt") VALUES ('${id}', '${user}', '${taskId}', 'x = 1', ${at('4-01')}, ${at('4-01')})`;
      const progress = (id: string, user: string, taskId: string) =>
        `INSERT INTO "progress" ("id", "userId", "taskId", "attempts", "updatedAt") VALUES ('${id}', '${user}', '${taskId}', 2, ${at('4-01')})`;
      await rawExec(target, [
        `INSERT INTO "user" ("id", "name", "email", "createdAt", "updatedAt") VALUES ('u1', 'U1', 'u1@x', ${at('1-01')}, ${at('1-01')}), ('u2', 'U2', 'u2@x', ${at('1-01')}, ${at('1-01')})`,
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
        attempt('a1', 'u1', 'early_in_a', 'rB1'),
        attempt('a2', 'u1', 'early_in_b', 'rA2'),
        attempt('a3', 'u2', 'early_in_b', 'rB1'),
        attempt('a4', 'u1', 'ghost', 'rA2'), // task in no release: the course of its release
        attempt('a5', 'u1', 'ghost', null), // nothing says which course
        draft('d1', 'u1', 'early_in_a'),
        draft('d2', 'u1', 'early_in_b'),
        draft('d3', 'u1', 'draft_only'),
        draft('d4', 'u2', 'ghost'),
        progress('p1', 'u1', 'early_in_a'),
        progress('p2', 'u1', 'early_in_b'),
        progress('p3', 'u2', 'early_in_b'),
      ]);

      expect((await migrate(target)).applied).toEqual([NEW_MIGRATION]);
      db = createDb({ url: target.url });
      const orphan = await db.course.findUnique({ where: { slug: '_orphaned-work' } });
      expect(orphan).not.toBeNull();
      const courseOf = async (rows: Promise<Array<{ id: string; course: { slug: string } }>>) =>
        Object.fromEntries((await rows).map((r) => [r.id, r.course.slug]));
      const select = { id: true, course: { select: { slug: true } } } as const;
      expect(await courseOf(db.attempt.findMany({ select }))).toEqual({
        a1: 'python',
        a2: 'python-copy',
        a3: 'python-copy',
        a4: 'python',
        a5: '_orphaned-work',
      });
      expect(await courseOf(db.draft.findMany({ select }))).toEqual({
        d1: 'python',
        d2: 'python-copy',
        d3: 'python-copy',
        d4: '_orphaned-work',
      });
      expect(await courseOf(db.progress.findMany({ select }))).toEqual({
        p1: 'python',
        p2: 'python-copy',
        p3: 'python-copy',
      });
      // nothing else changed, and the repository reads the rows under their course
      expect(
        await getTaskProgress(db, { userId: 'u1', courseId: 'cB', taskId: 'early_in_b' }),
      ).toMatchObject({ attempts: 2 });
      expect(
        (await getDraft(db, { userId: 'u1', courseId: 'cA', taskId: 'early_in_a' }))?.code,
      ).toBe('x = 1');
      expect(
        (await listAttempts(db, { userId: 'u1', courseId: 'cB', taskId: 'early_in_b' })).map(
          (x) => [x.id, x.status, x.releaseId],
        ),
      ).toEqual([['a2', 'passed', 'rA2']]);
      // the helper table is gone; the orphan course has no release (never shown)
      expect(await db.contentRelease.count({ where: { courseId: orphan!.id } })).toBe(0);
      await expect(db.$queryRawUnsafe('SELECT * FROM "_course_of_task"')).rejects.toThrow();
    } finally {
      await db?.$disconnect();
      rmSync(dir, { recursive: true, force: true });
      await drop();
    }
  }, 90_000);

  it('adds no course when every row has one', async () => {
    const { target, drop } = await freshTarget(provider);
    try {
      await migrate(target);
      const db = createDb({ url: target.url });
      try {
        expect(await db.course.count()).toBe(0);
      } finally {
        await db.$disconnect();
      }
    } finally {
      await drop();
    }
  }, 60_000);
});
