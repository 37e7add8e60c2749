// "This task was updated": a student whose draft of a task predates a release that changed the
// task's starter gets the old starter on chapter.get (the page shows the diff); nobody else does.
import { type Db, publishCompiledCourse, upsertDraft } from '@lms/db';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clearContentCache } from '../../src/server/services/content';
import {
  callerFor,
  courseIdOf,
  createTestDb,
  makeUser,
  publishTestCourse,
  testCourse,
} from './helpers';

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
}, 60_000);

afterAll(async () => {
  await t?.cleanup();
});

/** Waits for the clock to pass `at` (a release published "after" a draft must be later). */
async function after(at: Date): Promise<void> {
  await expect.poll(() => Date.now() > at.getTime()).toBe(true);
}

it('shows the old starter to a reader whose draft predates the change, until they save again', async () => {
  await publishTestCourse(db);
  const courseId = await courseIdOf(db);
  const { user, session } = await makeUser(db, 'student', 'starter-update@example.test');
  const other = await makeUser(db, 'student', 'no-draft@example.test');
  const draft = await upsertDraft(db, { userId: user.id, courseId, taskId: 't1', code: 'mine' });
  await upsertDraft(db, { userId: user.id, courseId, taskId: 't2', code: 'mine too' });
  await after(draft.updatedAt);

  const v1 = testCourse();
  const oldStarter = v1.chapters[0]?.tasks[0]?.starter ?? '';
  const v2 = {
    ...v1,
    hash: `${v1.hash}-v2`,
    chapters: v1.chapters.map((ch) => ({
      ...ch,
      tasks: ch.tasks.map((x) =>
        x.id === 't1' ? { ...x, starter: 'def solve():\n    ...\n' } : x,
      ),
    })),
  };
  const published = await publishCompiledCourse(db, {
    compiled: v2,
    source: {},
    publishedById: null,
  });
  expect(published.created).toBe(true);

  const tasks = async (caller: ReturnType<typeof callerFor>) =>
    (await caller.chapter.get({ course: 'testcourse', chapter: 'c1' })).chapter.tasks;
  const mine = await tasks(callerFor(db, session));
  expect(mine.find((x) => x.id === 't1')?.starterUpdate).toMatchObject({
    previousStarter: oldStarter,
  });
  expect(mine.find((x) => x.id === 't1')?.starter).toBe('def solve():\n    ...\n');
  // t2's starter did not change; a reader without a draft has nothing to compare
  expect(mine.find((x) => x.id === 't2')?.starterUpdate).toBeNull();
  const theirs = await tasks(callerFor(db, other.session));
  expect(theirs.every((x) => x.starterUpdate === null)).toBe(true);

  // saving the draft under the new release ends the notice
  await after(published.release.publishedAt ?? new Date());
  await upsertDraft(db, { userId: user.id, courseId, taskId: 't1', code: 'mine, again' });
  expect(
    (await tasks(callerFor(db, session))).find((x) => x.id === 't1')?.starterUpdate,
  ).toBeNull();
});
