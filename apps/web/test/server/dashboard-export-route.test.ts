// The CSV download route (app/api/cohorts/[cohort]/export/[file]): who gets a file and who a
// plain-text refusal. The session comes from the request's cookie in production; here the
// auth module is replaced by one that reads a test header, and the app's database by a test one.
import { addMember, createCohort, type Db } from '@lms/db';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Session } from '../../src/server/context';
import { clearContentCache } from '../../src/server/services/content';
import { createTestDb, makeUser, publishTestCourse } from './helpers';

const sessions = new Map<string, Session>();
let db: Db;
vi.mock('@/server/auth', () => ({
  getSessionFromHeaders: async (h: Headers) => sessions.get(h.get('x-test-user') ?? '') ?? null,
}));
vi.mock('@/server/db', () => ({ getDb: () => db }));

const { GET } = await import('../../src/app/api/cohorts/[cohort]/export/[file]/route');

let t: Awaited<ReturnType<typeof createTestDb>>;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  await publishTestCourse(db);
  const a = await createCohort(db, { slug: 'exp-a', name: 'A', courseSlug: 'testcourse' });
  const b = await createCohort(db, { slug: 'exp-b', name: 'B', courseSlug: 'testcourse' });
  const teacher = await makeUser(db, 'instructor', 'exp-teacher@example.test');
  const other = await makeUser(db, 'instructor', 'exp-other@example.test');
  const student = await makeUser(db, 'student', 'exp-student@example.test');
  await addMember(db, { cohortId: a.id, userId: teacher.user.id, role: 'instructor' });
  await addMember(db, { cohortId: b.id, userId: other.user.id, role: 'instructor' });
  await addMember(db, { cohortId: a.id, userId: student.user.id, role: 'student' });
  sessions.set('teacher', teacher.session);
  sessions.set('other', other.session);
  sessions.set('student', student.session);
}, 60_000);

afterAll(async () => {
  await t?.cleanup();
});

const get = (who: string | null, cohort: string, file: string) =>
  GET(
    new Request(`http://localhost/api/cohorts/${cohort}/export/${file}`, {
      headers: who ? { 'x-test-user': who } : {},
    }),
    { params: Promise.resolve({ cohort, file }) },
  );

describe('CSV export route', () => {
  it("gives the cohort's instructor both files as CSV attachments", async () => {
    const matrix = await get('teacher', 'exp-a', 'matrix.csv');
    expect(matrix.status).toBe(200);
    expect(matrix.headers.get('content-type')).toContain('text/csv');
    expect(matrix.headers.get('content-disposition')).toContain('exp-a-matrix.csv');
    const rows = parse(await matrix.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.email)).toEqual(['exp-student@example.test']);
    const attempts = await get('teacher', 'exp-a', 'attempts.csv');
    expect(attempts.status).toBe(200);
    expect((await attempts.text()).split('\n')[0]).toContain('attempt_id,student,email,task');
  });

  it('refuses everyone else in plain words, and unknown files', async () => {
    const cases: Array<[string | null, string, string, number]> = [
      [null, 'exp-a', 'matrix.csv', 401],
      ['student', 'exp-a', 'matrix.csv', 403],
      ['other', 'exp-a', 'attempts.csv', 404],
      ['teacher', 'exp-a', 'secrets.csv', 404],
      ['teacher', 'no-such-cohort', 'matrix.csv', 404],
    ];
    for (const [who, cohort, file, status] of cases) {
      const res = await get(who, cohort, file);
      expect(res.status, `${who} ${cohort}/${file}`).toBe(status);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).not.toMatch(/at \w+ \(|Error:/);
    }
  });
});
