// Issue 11, finding 7: task ids are unique only within a course. A copy of a course published
// under another slug has the same chapter and task ids; its students' drafts, progress and
// attempts must stay in it, and its attempts must be graded with its own checks.
import type { CompiledCourse } from '@lms/content/schema';
import { type Db, publishCompiledCourse } from '@lms/db';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gradeOverHttp } from '../../src/server/grader/http';
import { createInProcessTransport } from '../../src/server/grader/pipeline';
import { clearContentCache } from '../../src/server/services/content';
import {
  callerFor,
  createTestDb,
  type FakeGrader,
  gradeResult,
  makeUser,
  startFakeGrader,
  testCourse,
} from './helpers';

const A = 'testcourse';
const B = 'testcourse-copy';

/** The test course under another slug: same chapters and task ids, its own checks. */
function copyOf(course: CompiledCourse, slug: string): CompiledCourse {
  return {
    ...course,
    id: slug,
    title: `Copy of ${course.title}`,
    hash: `${course.hash}-${slug}`,
    chapters: course.chapters.map((ch) => ({
      ...ch,
      courseId: slug,
      tasks: ch.tasks.map((t) => ({
        ...t,
        answer: t.kind === 'output' ? t.answer : `ANSWER-OF-${slug}-${t.id}\n`,
        checks: t.checks.hidden
          ? { ...t.checks, hidden: `# HIDDEN-TESTS-${slug}-${t.id}\n` }
          : t.checks,
      })),
    })),
  };
}

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let grader: FakeGrader;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  const a = testCourse();
  // course A at version 2: a lookup by task id alone (the bug) found A's newer release first
  await publishCompiledCourse(db, { compiled: a, source: {}, publishedById: null });
  await publishCompiledCourse(db, {
    compiled: { ...a, hash: `${a.hash}-v2` },
    source: {},
    publishedById: null,
  });
  await publishCompiledCourse(db, { compiled: copyOf(a, B), source: {}, publishedById: null });
});
afterAll(async () => {
  await t?.cleanup();
});
beforeEach(async () => {
  grader = await startFakeGrader();
  grader.respond = () => ({ status: 200, json: gradeResult('passed') });
});
afterEach(async () => {
  await grader.close();
});

function transportFor(fake: FakeGrader) {
  return createInProcessTransport({
    db,
    grade: (request) =>
      gradeOverHttp(request, { url: fake.url, secret: fake.secret, retries: 1, backoffMs: 10 }),
    retryDelaysMs: [20],
    log: () => {},
  });
}

const taskOf = async (api: ReturnType<typeof callerFor>, course: string, id: string) => {
  const page = await api.chapter.get({ course, chapter: 'c1' });
  return page.chapter.tasks.find((x) => x.id === id)!;
};

describe('two courses with the same task ids', () => {
  it("an attempt in course B is graded with B's checks, and counts in B only", async () => {
    const { session } = await makeUser(db, 'student');
    const transport = transportFor(grader);
    const api = callerFor(db, session, { grader: transport });

    const inB = await api.attempt.submit({ courseSlug: B, taskId: 't1', code: 'print("B")' });
    await transport.idle();
    expect(grader.requests.map((r) => r.body.checks.hidden)).toEqual([`# HIDDEN-TESTS-${B}-t1\n`]);
    expect((await api.attempt.get({ courseSlug: B, id: inB.id })).status).toBe('passed');
    // read on a page of the other course, the attempt does not exist
    await expect(api.attempt.get({ courseSlug: A, id: inB.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await api.attempt.list({ courseSlug: B, taskId: 't1' })).map((x) => x.id)).toEqual([
      inB.id,
    ]);
    expect(await api.attempt.list({ courseSlug: A, taskId: 't1' })).toEqual([]);

    // solved in B, not in A: chapter pages, course pages and the catalog
    expect((await taskOf(api, B, 't1')).progress).toMatchObject({ solved: true, attempts: 1 });
    expect((await taskOf(api, A, 't1')).progress).toBeNull();
    expect((await api.course.get({ course: B })).chapters[0]!.progress).toMatchObject({
      solved: 1,
    });
    expect((await api.course.get({ course: A })).chapters[0]!.progress).toMatchObject({
      solved: 0,
    });
    const catalog = Object.fromEntries(
      (await api.course.list()).map((c) => [c.slug, c.progress?.solved]),
    );
    expect(catalog).toEqual({ [A]: 0, [B]: 1 });
    // where to continue: B's chapter of the attempt; A has no work yet
    expect(await api.course.continue({ course: B })).toMatchObject({ taskId: 't1' });
    expect(await api.course.continue({ course: A })).toMatchObject({ taskId: null });

    // the same task in A is graded with A's checks
    await api.attempt.submit({ courseSlug: A, taskId: 't1', code: 'print("A")' });
    await transport.idle();
    expect(grader.requests[1]!.body.checks.hidden).toBe('# HIDDEN-TESTS-t1\n');
  });

  it('a draft, a quick check, the hint and the answer in course A do not show in course B', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session);

    await api.draft.save({ courseSlug: A, taskId: 't1', code: 'print("draft in A")' });
    expect((await api.draft.get({ courseSlug: A, taskId: 't1' }))?.code).toBe(
      'print("draft in A")',
    );
    expect(await api.draft.get({ courseSlug: B, taskId: 't1' })).toBeNull();
    expect((await taskOf(api, A, 't1')).draft?.code).toBe('print("draft in A")');
    expect((await taskOf(api, B, 't1')).draft).toBeNull();
    await api.draft.save({ courseSlug: B, taskId: 't1', code: 'print("draft in B")' });
    expect((await taskOf(api, A, 't1')).draft?.code).toBe('print("draft in A")');
    expect((await taskOf(api, B, 't1')).draft?.code).toBe('print("draft in B")');

    await api.attempt.recordQuick({
      courseSlug: A,
      taskId: 't2',
      code: 'q',
      result: { status: 'passed', tests: [] },
    });
    expect(await api.attempt.list({ courseSlug: B, taskId: 't2' })).toEqual([]);
    expect((await taskOf(api, A, 't2')).progress).toMatchObject({ quickChecks: 1 });
    expect((await taskOf(api, B, 't2')).progress).toBeNull();

    await api.progress.openHint({ courseSlug: A, taskId: 't2' });
    expect((await taskOf(api, A, 't2')).hint).not.toBeNull();
    expect((await taskOf(api, B, 't2')).hint).toBeNull();

    // the answer is B's own; revealing it in B does not mark A's task
    await db.setting.create({
      data: { key: `course.${B}.answerAfterFailedAttempts`, value: '0' },
    });
    expect(await api.progress.revealAnswer({ courseSlug: B, taskId: 't2' })).toMatchObject({
      answer: `ANSWER-OF-${B}-t2\n`,
      assisted: true,
    });
    expect((await taskOf(api, B, 't2')).answer).toBe(`ANSWER-OF-${B}-t2\n`);
    expect((await taskOf(api, A, 't2')).answer).toBeNull();
    expect((await taskOf(api, A, 't2')).progress).toMatchObject({ assisted: false });
  });

  it('a course the page names must exist; its task ids are its own', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session, { grader: transportFor(grader) });
    await expect(
      api.attempt.submit({ courseSlug: 'no-such-course', taskId: 't1', code: 'x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      api.draft.get({ courseSlug: 'no-such-course', taskId: 't1' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      api.draft.save({ courseSlug: B, taskId: 'not-in-b', code: 'x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(grader.requests).toEqual([]);
  });
});
