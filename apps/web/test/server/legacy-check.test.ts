/**
 * Issue 11, finding 12: a task checked by a legacy wrapper_test alone is marked for staff
 * (`legacyCheck`: the student's code runs inside the check and can tamper with it); students
 * never get the flag.
 */
import type { Db } from '@lms/db';
import { publishCompiledCourse } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, makeUser, testCourse } from './helpers';

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  const compiled = testCourse();
  const [t1, t2] = compiled.chapters[0]!.tasks;
  // t2: a wrapper_test alone, as a release compiled before the flag existed (no field): derived
  compiled.chapters[0]!.tasks = [
    t1!,
    { ...t2!, checks: { public: null, hidden: null, wrapperTest: '#INJECT-b585472fa\n' } },
  ];
  // t3 (an output task): the compiler's flag, as sent
  const t3 = compiled.chapters[1]!.tasks[0]!;
  compiled.chapters[1]!.tasks = [{ ...t3, legacyCheck: true }];
  await publishCompiledCourse(db, { compiled, source: {}, publishedById: null });
});
afterAll(() => t?.cleanup());

const flags = async (session: Awaited<ReturnType<typeof makeUser>>['session'] | null) => {
  const api = callerFor(db, session);
  const pages = await Promise.all(
    ['c1', 'c2'].map((chapter) => api.chapter.get({ course: 'testcourse', chapter })),
  );
  return Object.fromEntries(
    pages.flatMap((p) => p.chapter.tasks).map((task) => [task.id, task.legacyCheck]),
  );
};

describe('chapter.get: the legacy check flag', () => {
  it('staff (instructor, admin) see which tasks have a legacy wrapper_test check', async () => {
    for (const role of ['instructor', 'admin'] as const) {
      const { session } = await makeUser(db, role);
      expect(await flags(session)).toEqual({ t1: false, t2: true, t3: true });
    }
  });

  it('students and visitors never get it', async () => {
    const { session } = await makeUser(db, 'student');
    for (const s of [session, null]) {
      expect(await flags(s)).toEqual({ t1: false, t2: false, t3: false });
      const out = await callerFor(db, s).chapter.get({ course: 'testcourse', chapter: 'c1' });
      // nor the wrapper itself
      expect(JSON.stringify(out)).not.toContain('INJECT');
    }
  });
});
