// The admins' cohort procedures (admin.cohorts.*): create, attach a course, assign an instructor,
// enrol by pasted e-mails and by CSV with a reason per rejected line, and unknown e-mails with
// sign-up closed (rejected) and open (invited accounts with a set-password link).
import { type Db, SIGNUP_ENABLED, setSetting } from '@lms/db';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestDb, makeUser, publishTestCourse } from './helpers';

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let admin: ReturnType<typeof callerFor>;
let cohortId: string;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  await publishTestCourse(db);
  admin = callerFor(db, (await makeUser(db, 'admin')).session);
  for (const name of ['ann', 'bob', 'cid']) await makeUser(db, 'student', `${name}@example.test`);
  await makeUser(db, 'instructor', 'teacher@example.test');
}, 60_000);
afterAll(() => t?.cleanup());

const signup = (enabled: boolean) =>
  setSetting(db, { key: SIGNUP_ENABLED, value: String(enabled), actorId: null });

describe('admin.cohorts', () => {
  it('creates a cohort, attaches the course, assigns an instructor (a student is refused)', async () => {
    const cohort = await admin.admin.cohorts.create({ slug: 'spring', name: 'Spring' });
    cohortId = cohort.id;
    expect(cohort.course).toBeNull();
    const attached = await admin.admin.cohorts.setCourse({ cohortId, courseSlug: 'testcourse' });
    expect(attached.course?.slug).toBe('testcourse');
    await admin.admin.cohorts.addInstructor({ cohortId, email: 'Teacher@Example.test' });
    await expect(
      admin.admin.cohorts.addInstructor({ cohortId, email: 'ann@example.test' }),
    ).rejects.toThrow(/instructor role/);
    const list = await admin.admin.cohorts.list();
    expect(list.cohorts.find((c) => c.id === cohortId)).toMatchObject({
      instructors: 1,
      students: 0,
    });
    const actions = (await admin.admin.audit({ action: 'cohort.' })).entries.map((e) => e.action);
    expect(actions.sort()).toEqual(['cohort.course', 'cohort.create', 'cohort.instructor']);
  });

  it('enrols pasted e-mails and reports each rejected line with its reason (sign-up closed)', async () => {
    await signup(false);
    const r = await admin.admin.cohorts.enrol({
      cohortId,
      format: 'lines',
      text: 'ann@example.test, bob@example.test\nnot-an-email\nstranger@example.test\n\nANN@example.test\nteacher@example.test',
    });
    expect(r.enrolled).toEqual([
      { line: 1, email: 'ann@example.test' },
      { line: 1, email: 'bob@example.test' },
    ]);
    expect(r.invited).toEqual([]);
    expect(r.rejected.map((x) => [x.line, x.reason])).toEqual([
      [2, 'bad_email'],
      [3, 'unknown_user'],
      [5, 'duplicate'],
      [6, 'already_enrolled'],
    ]);
    expect(await db.user.count({ where: { email: 'stranger@example.test' } })).toBe(0);
    // again: both are enrolled already
    const again = await admin.admin.cohorts.enrol({
      cohortId,
      format: 'lines',
      text: 'bob@example.test',
    });
    expect(again.rejected).toMatchObject([{ line: 1, reason: 'already_enrolled' }]);
  });

  it('enrols a CSV with a header (name, email); sign-up open: unknown e-mails become invited accounts', async () => {
    await signup(true);
    const csv =
      'Name,E-mail\n"Cid, the third",cid@example.test\nNew Person,new@example.test\nBroken,bad@\n';
    const r = await admin.admin.cohorts.enrol({ cohortId, format: 'csv', text: csv });
    expect(r.enrolled).toEqual([{ line: 2, email: 'cid@example.test' }]);
    expect(r.invited).toMatchObject([{ line: 3, email: 'new@example.test' }]);
    expect(r.invited[0]!.path).toMatch(/^\/reset-password\?token=/);
    expect(r.rejected).toMatchObject([{ line: 4, reason: 'bad_email' }]);
    const made = await db.user.findUniqueOrThrow({
      where: { email: 'new@example.test' },
      select: { name: true, role: true, accounts: { select: { password: true } } },
    });
    expect(made).toEqual({ name: 'New Person', role: 'student', accounts: [] });
    const members = await admin.admin.cohorts.get({ cohortId });
    expect(
      members.members
        .filter((m) => m.role === 'student')
        .map((m) => m.email)
        .sort(),
    ).toEqual(['ann@example.test', 'bob@example.test', 'cid@example.test', 'new@example.test']);
  });

  it('a malformed CSV is refused with its line; removing a member', async () => {
    const bad = admin.admin.cohorts.enrol({
      cohortId,
      format: 'csv',
      text: 'email\nann@example.test\n"unclosed@example.test\n',
    });
    await expect(bad).rejects.toBeInstanceOf(TRPCError);
    await expect(bad).rejects.toThrow(/CSV: .*line/i);
    const ann = await db.user.findUniqueOrThrow({ where: { email: 'ann@example.test' } });
    expect(await admin.admin.cohorts.removeMember({ cohortId, userId: ann.id })).toEqual({
      removed: true,
    });
    await expect(admin.admin.cohorts.removeMember({ cohortId, userId: ann.id })).rejects.toThrow();
  });
});
