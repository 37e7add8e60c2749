import type { Db } from '@lms/db';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextInner } from '../../src/server/context';
import { appRouter } from '../../src/server/root';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, makeUser, publishTestCourse } from './helpers';

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let releaseId: string;
let courseId: string;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  const { release } = await publishTestCourse(db);
  releaseId = release.id;
  courseId = release.course.id;
});
afterAll(() => t?.cleanup());

const SECRET = /ANSWER-OF-|HIDDEN-TESTS-|HINT-OF-/;

async function finalAttempt(userId: string, taskId: string, status: string) {
  await db.attempt.create({
    data: {
      userId,
      courseId,
      taskId,
      releaseId,
      stage: 'final',
      status,
      code: 'x',
      gradedAt: new Date(),
    },
  });
  if (status === 'passed') {
    await db.progress.upsert({
      where: { userId_courseId_taskId: { userId, courseId, taskId } },
      create: { userId, courseId, taskId, attempts: 1, firstSolvedAt: new Date() },
      update: { firstSolvedAt: new Date() },
    });
  }
}

describe('chapter.get for a student', () => {
  it('never contains the answer, hidden tests or hint before they are earned/opened', async () => {
    const { session } = await makeUser(db, 'student');
    for (const s of [session, null]) {
      const out = await callerFor(db, s).chapter.get({ course: 'testcourse', chapter: 'c1' });
      const json = JSON.stringify(out);
      expect(json).not.toMatch(SECRET);
      expect(json).toContain('PUBLIC-TESTS-t1'); // public tests do ship, for the quick check
      const t1 = out.chapter.tasks[0]!;
      expect(t1).toMatchObject({ answer: null, hint: null, hasHint: true, hasHiddenChecks: true });
      expect(t1).not.toHaveProperty('checks');
    }
  });

  it('renders code blocks with shiki HTML, examples, toc and prev/next', async () => {
    const out = await callerFor(db, null).chapter.get({ course: 'testcourse', chapter: 'c1' });
    const code = out.chapter.blocks.find((b) => b.kind === 'code');
    expect(code).toMatchObject({
      kind: 'code',
      html: expect.stringContaining('class="shiki github-light"'),
    });
    expect(out.chapter.examples[0]).toMatchObject({ id: 'c1_example_01', expectedOutput: '42' });
    expect(out.chapter.toc).toEqual([{ id: 'one', level: 1, text: 'Chapter one' }]);
    expect(out.prev).toBeNull();
    expect(out.next).toMatchObject({ id: 'c2', title: 'Chapter two' });
    await expect(
      callerFor(db, null).chapter.get({ course: 'testcourse', chapter: 'missing' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the hint is recorded when opened and then part of the chapter', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    const { hint } = await api.progress.openHint({ courseSlug: 'testcourse', taskId: 't1' });
    expect(JSON.stringify(hint)).toContain('HINT-OF-t1');
    const p = await db.progress.findUnique({
      where: { userId_courseId_taskId: { userId: session.user.id, courseId, taskId: 't1' } },
    });
    expect(p?.hintOpenedAt).toBeInstanceOf(Date);
    const out = await api.chapter.get({ course: 'testcourse', chapter: 'c1' });
    expect(JSON.stringify(out.chapter.tasks[0]!.hint)).toContain('HINT-OF-t1');
    expect(JSON.stringify(out)).not.toMatch(/ANSWER-OF-|HIDDEN-TESTS-/);
  });

  it('the answer opens only after a passed final check (not a quick one)', async () => {
    const { user, session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    await api.attempt.recordQuick({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'x',
      result: { status: 'passed', tests: [] },
    });
    await expect(
      api.progress.revealAnswer({ courseSlug: 'testcourse', taskId: 't1' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('after 3 failed final checks (you have 0)'),
    });
    expect(
      JSON.stringify(await api.chapter.get({ course: 'testcourse', chapter: 'c1' })),
    ).not.toMatch(/ANSWER-OF-/);
    await finalAttempt(user.id, 't1', 'passed');
    const before = await api.chapter.get({ course: 'testcourse', chapter: 'c1' });
    expect(before.chapter.tasks[0]!.answerState).toMatchObject({
      available: true,
      revealed: false,
    });
    expect(JSON.stringify(before)).not.toMatch(/ANSWER-OF-/); // available, not yet sent
    const revealed = await api.progress.revealAnswer({ courseSlug: 'testcourse', taskId: 't1' });
    expect(revealed).toEqual({ taskId: 't1', answer: 'ANSWER-OF-t1 = 1\n', assisted: false });
    const after = await api.chapter.get({ course: 'testcourse', chapter: 'c1' });
    expect(after.chapter.tasks[0]!.answer).toBe('ANSWER-OF-t1 = 1\n');
    expect(after.chapter.tasks[1]!.answer).toBeNull();
    expect(JSON.stringify(after)).not.toMatch(/HIDDEN-TESTS-/);
  });

  it('the answer opens after N failed final checks (per-course setting), marked assisted', async () => {
    const admin = await makeUser(db, 'admin');
    await callerFor(db, admin.session).settings.setAnswerAfterFailedAttempts({
      course: 'testcourse',
      attempts: 2,
    });
    const { user, session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    await finalAttempt(user.id, 't2', 'failed');
    await finalAttempt(user.id, 't2', 'sandbox_error'); // grader trouble does not count
    await expect(
      api.progress.revealAnswer({ courseSlug: 'testcourse', taskId: 't2' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('after 2 failed final checks (you have 1)'),
    });
    await finalAttempt(user.id, 't2', 'timeout');
    const r = await api.progress.revealAnswer({ courseSlug: 'testcourse', taskId: 't2' });
    expect(r).toMatchObject({ answer: 'ANSWER-OF-t2 = 1\n', assisted: true });
    const p = await db.progress.findUnique({
      where: { userId_courseId_taskId: { userId: user.id, courseId, taskId: 't2' } },
    });
    expect(p).toMatchObject({ assisted: true, firstSolvedAt: null });
    expect(p?.answerRevealedAt).toBeInstanceOf(Date);
  });
});

describe('drafts', () => {
  it('saves and returns the draft; refuses code over 64 KiB with its size', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    expect(await api.draft.get({ courseSlug: 'testcourse', taskId: 't1' })).toBeNull();
    await api.draft.save({ courseSlug: 'testcourse', taskId: 't1', code: 'print("draft")' });
    const exactly = 'é'.repeat(32 * 1024); // 64 KiB in UTF-8
    await api.draft.save({ courseSlug: 'testcourse', taskId: 't2', code: exactly });
    await expect(
      api.draft.save({ courseSlug: 'testcourse', taskId: 't2', code: `${exactly}x` }),
    ).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The code is 65 KiB; the limit is 64 KiB.',
    });
    expect((await api.draft.get({ courseSlug: 'testcourse', taskId: 't1' }))?.code).toBe(
      'print("draft")',
    );
    expect((await api.draft.get({ courseSlug: 'testcourse', taskId: 't2' }))?.code).toBe(exactly);
    const chapter = await api.chapter.get({ course: 'testcourse', chapter: 'c1' });
    expect(chapter.chapter.tasks[0]!.draft?.code).toBe('print("draft")');
    await expect(
      api.draft.save({ courseSlug: 'testcourse', taskId: 'bad id!', code: '' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('continue-where-you-left-off follows the latest draft', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    expect(await api.course.continue({ course: 'testcourse' })).toMatchObject({
      chapterId: 'c1',
      taskId: null,
    });
    await api.draft.save({ courseSlug: 'testcourse', taskId: 't3', code: '1' });
    expect(await api.course.continue({ course: 'testcourse' })).toMatchObject({
      chapterId: 'c2',
      taskId: 't3',
    });
    const list = await api.course.list();
    expect(list).toEqual([
      expect.objectContaining({
        slug: 'testcourse',
        chapterCount: 2,
        taskCount: 3,
        progress: { solved: 0, total: 3, done: false },
      }),
    ]);
  });
});

describe('procedures by role', () => {
  it('signed-out callers get UNAUTHORIZED, students FORBIDDEN on admin procedures', async () => {
    await expect(
      callerFor(db, null).draft.get({ courseSlug: 'testcourse', taskId: 't1' }),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    const student = await makeUser(db, 'student');
    const instructor = await makeUser(db, 'instructor');
    for (const who of [student, instructor]) {
      await expect(
        callerFor(db, who.session).settings.setSignup({ enabled: false }),
      ).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(callerFor(db, who.session).settings.get()).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    expect(await db.setting.findUnique({ where: { key: 'signup.enabled' } })).toBeNull();
  });

  it('an admin closes sign-up; the change is audited', async () => {
    const admin = await makeUser(db, 'admin');
    const api = callerFor(db, admin.session);
    await api.settings.setSignup({ enabled: false });
    expect(await callerFor(db, null).settings.signup()).toEqual({ enabled: false });
    expect((await api.settings.get()).signupEnabled).toBe(false);
    const log = await db.auditLog.findFirst({
      where: { action: 'settings.signup' },
      orderBy: { at: 'desc' },
    });
    expect(log).toMatchObject({ actorId: admin.user.id, target: 'signup.enabled' });
    await api.settings.setSignup({ enabled: true });
  });

  it('errors on the wire carry an appCode and no stack trace', async () => {
    const student = await makeUser(db, 'student');
    const res = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req: new Request('http://localhost/api/trpc/settings.setSignup', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ json: { enabled: false } }),
      }),
      router: appRouter,
      createContext: () => createContextInner({ db, session: student.session }),
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as {
      error: { json: { message: string; data: Record<string, unknown> } };
    };
    expect(body.error.json.message).toBe('This needs the admin role.');
    expect(body.error.json.data).toMatchObject({ appCode: 'FORBIDDEN', code: 'FORBIDDEN' });
    expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts:/);
  });

  it('bad input says what and where; unexpected failures are not described to the client', async () => {
    const student = await makeUser(db, 'student');
    const call = async (path: string, input: unknown, ctxDb: Db = db) => {
      const res = await fetchRequestHandler({
        endpoint: '/api/trpc',
        req: new Request(`http://localhost/api/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ json: input }),
        }),
        router: appRouter,
        createContext: () => createContextInner({ db: ctxDb, session: student.session }),
        onError: () => {},
      });
      return {
        status: res.status,
        body: (await res.json()) as { error: { json: { message: string } } },
      };
    };
    const bad = await call('draft.save', {
      courseSlug: 'testcourse',
      taskId: 'no spaces allowed',
      code: 42,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.json.message).toMatch(/^taskId: only letters.*; code: /);

    const broken = new Proxy({} as Db, {
      get: () => {
        throw new Error('SQLITE_CANTOPEN: /secret/path/lms.db');
      },
    });
    const failed = await call(
      'draft.save',
      { courseSlug: 'testcourse', taskId: 't1', code: 'x' },
      broken,
    );
    expect(failed.status).toBe(500);
    expect(failed.body.error.json.message).toBe(
      'Something went wrong on the server. Please try again.',
    );
    expect(JSON.stringify(failed.body)).not.toContain('/secret/path');
  });
});
