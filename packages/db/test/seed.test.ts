import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/client.ts';
import {
  courseProgress,
  getPublishedRelease,
  listMembers,
  listPublishedTasks,
  verifyPassword,
} from '../src/index.ts';
import {
  compileCourse,
  DEMO_ACCOUNTS,
  DEMO_COHORT,
  readCourseSource,
  seed,
  usableDemoAccounts,
} from '../src/seed.ts';
import { fixtureCourse, migratedDb, PROVIDERS_UNDER_TEST } from './helpers.ts';

describe.each(PROVIDERS_UNDER_TEST)('seed (%s)', (provider) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await migratedDb(provider));
  }, 60_000);
  afterAll(async () => close?.());

  it('creates the demo accounts, the cohort and publishes the course; a rerun changes nothing', async () => {
    const first = await seed(db, {
      compiled: fixtureCourse(),
      source: { 'description.md': '# Python' },
    });
    expect(first.accounts.every((a) => a.created)).toBe(true);
    expect(first.course).toEqual({ slug: 'python', version: 1, published: true });
    expect(first.cohort.created).toBe(true);

    const counts = async () => ({
      users: await db.user.count(),
      accounts: await db.account.count(),
      releases: await db.contentRelease.count(),
      memberships: await db.membership.count(),
      cohorts: await db.cohort.count(),
    });
    const before = await counts();
    expect(before).toEqual({ users: 4, accounts: 4, releases: 1, memberships: 3, cohorts: 1 });

    const second = await seed(db, { compiled: fixtureCourse(), source: {} });
    expect(second.accounts.some((a) => a.created)).toBe(false);
    expect(second.course).toEqual({ slug: 'python', version: 1, published: false });
    expect(await counts()).toEqual(before);

    const roles = DEMO_ACCOUNTS.map((a) => a.role);
    expect(roles.sort()).toEqual(['admin', 'instructor', 'student', 'student']);
    for (const acc of DEMO_ACCOUNTS) {
      const row = await db.account.findFirstOrThrow({
        where: { user: { email: acc.email } },
        select: { password: true },
      });
      expect(await verifyPassword({ hash: row.password!, password: acc.password })).toBe(true);
    }
    expect((await usableDemoAccounts(db)).length).toBe(4);

    const cohort = await db.cohort.findUniqueOrThrow({
      where: { slug: DEMO_COHORT.slug },
      select: { id: true, course: { select: { slug: true } } },
    });
    expect(cohort.course?.slug).toBe('python');
    const members = await listMembers(db, cohort.id);
    expect(members.map((m) => m.role).sort()).toEqual(['instructor', 'student', 'student']);

    const release = await getPublishedRelease(db, 'python');
    expect(release?.publishedBy?.email).toBe('admin@lms.local');
    const student = members.find((m) => m.role === 'student')!;
    expect(
      (await courseProgress(db, { userId: student.userId, courseSlug: 'python' })).totalTasks,
    ).toBe(3);
  }, 60_000);

  it.runIf(provider === 'sqlite')(
    'publishes the shipped course compiled by packages/content (subprocess)',
    async () => {
      const compiled = compileCourse();
      const r = await seed(db, { compiled, source: readCourseSource() });
      expect(r.course?.published).toBe(true);
      const tasks = await listPublishedTasks(db, 'python');
      expect(tasks.length).toBeGreaterThan(0);
      expect(tasks.every((t) => t.taskId.startsWith(t.chapterId))).toBe(true);
    },
    60_000,
  );

  it('reads the shipped course directory as the release source', () => {
    const source = readCourseSource();
    expect(Object.keys(source)).toContain('description.md');
    expect(Object.keys(source).some((k) => k.endsWith('/text.md'))).toBe(true);
  });
});
