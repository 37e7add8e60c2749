import { addMember, createCohort, createFinalAttemptWithinLimits, type Db } from '@lms/db';
import type { GradeResult } from '@lms/grading';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAttemptWaits } from '../../src/server/attempt-events';
import { createContextInner } from '../../src/server/context';
import { gradeOverHttp } from '../../src/server/grader/http';
import { createInProcessTransport, recoverPendingAttempts } from '../../src/server/grader/pipeline';
import { currentRequestId, withRequestId } from '../../src/server/log';
import { watchAttempt } from '../../src/server/services/attempts';
import { clearContentCache } from '../../src/server/services/content';
import {
  callerFor,
  courseIdOf,
  createTestDb,
  type FakeGrader,
  gradeResult,
  makeUser,
  publishTestCourse,
  startFakeGrader,
} from './helpers';

let t: Awaited<ReturnType<typeof createTestDb>>;
let grader: FakeGrader;
let db: Db;

function transportFor(
  fake: FakeGrader,
  extra: { retryDelaysMs?: number[]; concurrency?: number } = {},
) {
  return createInProcessTransport({
    db,
    ...(extra.concurrency ? { concurrency: extra.concurrency } : {}),
    grade: (request) =>
      gradeOverHttp(request, {
        url: fake.url,
        secret: fake.secret,
        // as grader/index.ts does: the submitting request's id, read where the grading starts
        requestId: currentRequestId(),
        // no test here is about the HTTP timeout: a gated answer must not run into it
        timeoutMs: 60_000,
        retries: 3,
        backoffMs: 10,
      }),
    retryDelaysMs: extra.retryDelaysMs ?? [20],
    log: () => {},
  });
}

/** The fake grader holds every answer until `release()` is called, then answers `status`. */
function holdAnswers(status: GradeResult['status']): () => void {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  grader.respond = async () => {
    await gate;
    return { status: 200, json: gradeResult(status) };
  };
  return release;
}

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  await publishTestCourse(db);
});
afterAll(async () => {
  await t?.cleanup();
});
beforeEach(async () => {
  grader = await startFakeGrader();
});
afterEach(async () => {
  await grader.close();
});

describe('attempt.submit (final check)', () => {
  it('stores the attempt as queued BEFORE the grader sees it, then running, then the verdict', async () => {
    const { session } = await makeUser(db, 'student');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const statusesSeenByGrader: string[] = [];
    grader.respond = async () => {
      const rows = await db.attempt.findMany({
        where: { userId: session.user.id },
        select: { status: true },
      });
      statusesSeenByGrader.push(...rows.map((r) => r.status));
      await gate;
      return { status: 200, json: gradeResult('passed') };
    };
    const transport = transportFor(grader);
    const api = callerFor(db, session, { grader: transport });

    const submitted = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'print("mine")',
    });
    expect(submitted.status).toBe('queued');
    // while the grader holds the request, the row exists and is running
    await expect.poll(() => statusesSeenByGrader.length).toBe(1);
    expect(statusesSeenByGrader).toEqual(['running']);
    expect((await api.attempt.get({ courseSlug: 'testcourse', id: submitted.id })).status).toBe(
      'running',
    );
    release();
    await transport.idle();

    const graded = await api.attempt.get({ courseSlug: 'testcourse', id: submitted.id });
    expect(graded.status).toBe('passed');
    expect(graded.done).toBe(true);
    expect(graded.results.map((r) => [r.name, r.status, r.hidden])).toEqual([
      ['public test', 'passed', false],
      ['hidden test', 'passed', true],
    ]);
    expect(graded.pythonVersion).toBe('3.11.2');
    expect(graded.engine).toBe('cpython-bwrap');
    expect(graded).not.toHaveProperty('userId');

    // the grade request carried ALL checks of the published task, with its limits, stage final
    const sent = grader.requests[0]!;
    expect(sent.auth).toBe(`Bearer ${grader.secret}`);
    expect(sent.body).toMatchObject({
      code: 'print("mine")',
      taskId: 't1',
      stage: 'final',
      checks: { public: '# PUBLIC-TESTS-t1\n', hidden: '# HIDDEN-TESTS-t1\n', wrapperTest: null },
      limits: { wallSeconds: 5, cpuSeconds: 2, memoryMb: 128 },
      flags: { runStaticTypeChecker: false },
    });
    const progress = await db.progress.findUnique({
      where: {
        userId_courseId_taskId: {
          userId: session.user.id,
          courseId: await courseIdOf(db),
          taskId: 't1',
        },
      },
    });
    expect(progress?.attempts).toBe(1);
    expect(progress?.firstSolvedAt).toBeInstanceOf(Date);
  });

  it("sends the submitting request's id to the grader, also after waiting in the fair line", async () => {
    const { session: a } = await makeUser(db, 'student');
    const { session: b } = await makeUser(db, 'student');
    const release = holdAnswers('passed');
    // one slot: b's check waits in the line and is woken by a's end, outside b's request
    const transport = transportFor(grader, { concurrency: 1 });
    const submit = (session: typeof a, id: string) =>
      withRequestId(id, () =>
        callerFor(db, session, { grader: transport }).attempt.submit({
          courseSlug: 'testcourse',
          taskId: 't1',
          code: `print("${id}")`,
        }),
      );
    await submit(a, 'req-a');
    await submit(b, 'req-b');
    await expect.poll(() => grader.requests.length).toBe(1);
    release();
    await transport.idle();
    expect(grader.requests.map((r) => [r.body.code, r.requestId])).toEqual([
      ['print("req-a")', 'req-a'],
      ['print("req-b")', 'req-b'],
    ]);
  });

  it('watch streams queued/running → verdict and ends', async () => {
    const { session } = await makeUser(db, 'student');
    const release = holdAnswers('failed');
    const transport = transportFor(grader);
    const api = callerFor(db, session, { grader: transport });
    const { id } = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'print(2)',
    });
    const seen: string[] = [];
    const stream = await api.attempt.watch({ courseSlug: 'testcourse', id });
    const consumed = (async () => {
      for await (const a of stream) {
        seen.push(a.status);
        if (a.status === 'running') release();
      }
    })();
    await consumed;
    await transport.idle();
    expect(seen[0]).toMatch(/queued|running/);
    expect(seen).toContain('running');
    expect(seen.at(-1)).toBe('failed');
  });

  it('a watch is woken by the change itself, not by its next regular read', async () => {
    const { session } = await makeUser(db, 'student');
    const release = holdAnswers('passed');
    const transport = transportFor(grader);
    const ctx = { ...createContextInner({ db, session, grader: transport }), session };
    const api = callerFor(db, session, { grader: transport });
    const { id } = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'x = 1',
    });
    // regular reads an hour apart: only the wake-ups can move this watch along
    const hour = 60 * 60_000;
    const seen: string[] = [];
    for await (const a of watchAttempt(ctx, { id, courseSlug: 'testcourse' }, undefined, {
      recheckMs: hour,
      placeRecheckMs: hour,
    })) {
      seen.push(a.status);
      if (a.status === 'running') release();
    }
    await transport.idle();
    expect(seen.at(-1)).toBe('passed');
    expect(seen).toContain('running');
    expect(openAttemptWaits()).toBe(0);
  });

  it('a watch whose client goes away (abort, or return as tRPC does) leaves no wait behind', async () => {
    const { session } = await makeUser(db, 'student');
    const ctx = { ...createContextInner({ db, session }), session };
    const made = await createFinalAttemptWithinLimits(
      db,
      {
        userId: session.user.id,
        courseId: await courseIdOf(db),
        taskId: 't1',
        code: 'x = 2',
        releaseId: null,
        shapeHash: null,
      },
      { perWindow: 100, windowMs: 60_000, maxPending: 10 },
    );
    if (!made.ok) throw new Error('not stored');
    // regular reads an hour apart: only the abort can end the wait within the test's time
    const hour = { recheckMs: 60 * 60_000, placeRecheckMs: 60 * 60_000 };
    const input = { id: made.attempt.id, courseSlug: 'testcourse' };

    const gone = new AbortController();
    const aborted = watchAttempt(ctx, input, gone.signal, hour);
    expect((await aborted.next()).value?.status).toBe('queued');
    const waiting = aborted.next();
    await expect.poll(() => openAttemptWaits()).toBe(1);
    gone.abort();
    expect((await waiting).done).toBe(true);
    expect(openAttemptWaits()).toBe(0);

    // tRPC ends a subscription whose client left with return() while it holds a value
    const returned = watchAttempt(ctx, input, undefined, hour);
    expect((await returned.next()).value?.status).toBe('queued');
    expect(openAttemptWaits()).toBe(1);
    expect((await returned.return(undefined)).done).toBe(true);
    expect(openAttemptWaits()).toBe(0);
  });

  it('retries while the grader answers 503 busy, then stores the verdict', async () => {
    const { session } = await makeUser(db, 'student');
    grader.respond = (_body, n) =>
      n < 3
        ? { status: 503, json: { error: 'busy' } }
        : { status: 200, json: gradeResult('failed') };
    const transport = transportFor(grader);
    const api = callerFor(db, session, { grader: transport });
    const { id } = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'print(0)',
    });
    await transport.idle();
    const a = await api.attempt.get({ courseSlug: 'testcourse', id });
    expect(grader.requests).toHaveLength(3);
    expect(a.status).toBe('failed');
    expect(a.message).toBe('Some tests failed');
  });

  it('a grader incident: the student sees its id only, their instructor sees its details', async () => {
    const { session, user } = await makeUser(db, 'student');
    const { session: staff, user: teacher } = await makeUser(db, 'instructor');
    // instructors read the work of the students they teach: one cohort of the course
    const cohort = await createCohort(db, {
      slug: `incident-${Date.now()}`,
      name: 'incident',
      courseSlug: 'testcourse',
    });
    await addMember(db, { cohortId: cohort.id, userId: user.id, role: 'student' });
    await addMember(db, { cohortId: cohort.id, userId: teacher.id, role: 'instructor' });
    const incident = {
      id: 'a1b2c3d4e5f6',
      detail: 'bwrap: /run/lms-grader/slot-3: Permission denied',
    };
    grader.respond = () => ({
      status: 200,
      json: gradeResult('sandbox_error', {
        message: 'Сбой сервера проверки (инцидент a1b2c3d4e5f6).',
        messageCode: { code: 'grader_incident', params: { incident: incident.id } },
        tests: [],
        incident,
      }),
    });
    const transport = transportFor(grader);
    const api = callerFor(db, session, { grader: transport });
    const { id } = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'print(0)',
    });
    await transport.idle();
    const mine = await api.attempt.get({ courseSlug: 'testcourse', id });
    expect(mine.status).toBe('sandbox_error');
    expect(mine.incident).toBeNull();
    expect(JSON.stringify(mine)).not.toMatch(/slot-3|Permission/);
    expect(
      JSON.stringify(await api.attempt.list({ courseSlug: 'testcourse', taskId: 't1', limit: 10 })),
    ).not.toMatch(/slot-3|Permission/);
    const seen = await callerFor(db, staff).attempt.get({ courseSlug: 'testcourse', id });
    expect(seen.incident).toEqual(incident);
  });

  it('a grader that stays down ends in sandbox_error, not counted against the student', async () => {
    const { session } = await makeUser(db, 'student');
    grader.respond = () => ({ status: 503, json: { error: 'busy' } });
    const transport = transportFor(grader, { retryDelaysMs: [10] });
    const api = callerFor(db, session, { grader: transport });
    const { id } = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'print(0)',
    });
    await transport.idle();
    const a = await api.attempt.get({ courseSlug: 'testcourse', id });
    expect(a.status).toBe('sandbox_error');
    expect(a.messageCode).toEqual({ code: 'grader_unavailable', params: {} });
    expect(a.message).toMatch(/недоступен/);
    const progress = await db.progress.findUnique({
      where: {
        userId_courseId_taskId: {
          userId: session.user.id,
          courseId: await courseIdOf(db),
          taskId: 't1',
        },
      },
    });
    expect(progress?.attempts ?? 0).toBe(0);
  });

  it('concurrent verdicts for one task are all stored and counted once each', async () => {
    const { session } = await makeUser(db, 'student');
    const transport = transportFor(grader);
    const api = callerFor(db, session, { grader: transport });
    // two at once: the in-flight cap (limits.test.ts)
    const ids = await Promise.all(
      [1, 2].map((i) =>
        api.attempt.submit({ courseSlug: 'testcourse', taskId: 't2', code: `print(${i})` }),
      ),
    );
    await transport.idle();
    const statuses = await Promise.all(
      ids.map(async ({ id }) => (await api.attempt.get({ courseSlug: 'testcourse', id })).status),
    );
    expect(statuses).toEqual(['passed', 'passed']);
    const progress = await db.progress.findUnique({
      where: {
        userId_courseId_taskId: {
          userId: session.user.id,
          courseId: await courseIdOf(db),
          taskId: 't2',
        },
      },
    });
    expect(progress?.attempts).toBe(2);
  });

  it('pending attempts left by a crash are picked up again on start', async () => {
    const { user, session } = await makeUser(db, 'student');
    const release = await db.contentRelease.findFirst({
      where: { status: 'published' },
      select: { id: true, courseId: true },
    });
    // as if the server died after storing (queued) and while grading (running)
    const queued = await db.attempt.create({
      data: {
        userId: user.id,
        taskId: 't1',
        courseId: release!.courseId,
        releaseId: release!.id,
        stage: 'final',
        status: 'queued',
        code: 'a=1',
      },
    });
    const running = await db.attempt.create({
      data: {
        userId: user.id,
        taskId: 't2',
        courseId: release!.courseId,
        releaseId: release!.id,
        stage: 'final',
        status: 'running',
        code: 'b=2',
        startedAt: new Date(),
      },
    });
    const transport = transportFor(grader);
    const { recovered } = await recoverPendingAttempts(db, transport);
    expect(recovered).toBeGreaterThanOrEqual(2);
    await transport.idle();
    const api = callerFor(db, session, { grader: transport });
    expect((await api.attempt.get({ courseSlug: 'testcourse', id: queued.id })).status).toBe(
      'passed',
    );
    expect((await api.attempt.get({ courseSlug: 'testcourse', id: running.id })).status).toBe(
      'passed',
    );
    expect(grader.requests.map((r) => r.body.code).sort()).toEqual(
      expect.arrayContaining(['a=1', 'b=2']),
    );
  });

  it('is rate limited per user with a clear message', async () => {
    const { session } = await makeUser(db, 'student');
    const transport = transportFor(grader);
    const api = callerFor(db, session, { grader: transport, submitsPerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      await api.attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code: `print(${i})` });
      await transport.idle(); // graded: at most 2 final checks may wait at once
    }
    await expect(
      api.attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code: 'print(9)' }),
    ).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: expect.stringMatching(/at most 3 per minute\. Try again in \d+ s\./),
    });
    // another student is not affected
    const other = callerFor(db, (await makeUser(db, 'student')).session, {
      grader: transport,
      submitsPerMinute: 3,
    });
    await expect(
      other.attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code: 'x' }),
    ).resolves.toMatchObject({
      status: 'queued',
    });
    await transport.idle();
  });

  it('refuses code over 64 KiB and unknown tasks with clear errors', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session, { grader: transportFor(grader) });
    await expect(
      api.attempt.submit({
        courseSlug: 'testcourse',
        taskId: 't1',
        code: 'x'.repeat(64 * 1024 + 1),
      }),
    ).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('limit is 64 KiB'),
    });
    await expect(
      api.attempt.submit({ courseSlug: 'testcourse', taskId: 'nope', code: 'x' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await db.attempt.count({ where: { userId: session.user.id } })).toBe(0);
  });

  it('an output task is graded by comparing the typed output', async () => {
    const { session } = await makeUser(db, 'student');
    const transport = transportFor(grader);
    const api = callerFor(db, session, { grader: transport });
    const good = await api.attempt.submit({
      courseSlug: 'testcourse',
      taskId: 't3',
      code: '1  \n2\n\n',
    });
    const bad = await api.attempt.submit({ courseSlug: 'testcourse', taskId: 't3', code: '1\n3' });
    await transport.idle();
    expect((await api.attempt.get({ courseSlug: 'testcourse', id: good.id })).status).toBe(
      'passed',
    );
    expect((await api.attempt.get({ courseSlug: 'testcourse', id: bad.id })).status).toBe('failed');
    expect(grader.requests).toHaveLength(0);
  });
});

describe('quick checks and progress', () => {
  it('stores quick results marked quick, without counting the task as solved', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    const q = await api.attempt.recordQuick({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'print(1)',
      result: {
        status: 'passed',
        tests: [{ name: 'public test', status: 'passed', message: null, durationMs: 2 }],
        stdout: '1\n',
        pythonVersion: '3.14.0',
      },
    });
    const list = await api.attempt.list({ courseSlug: 'testcourse', taskId: 't1' });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: q.id,
      stage: 'quick',
      status: 'passed',
      engine: 'pyodide',
    });
    const chapter = await api.chapter.get({ course: 'testcourse', chapter: 'c1' });
    const t1 = chapter.chapter.tasks.find((x) => x.id === 't1')!;
    expect(t1.progress).toMatchObject({ solved: false, quickChecks: 1, attempts: 0 });
    expect(chapter.progress).toEqual({ solved: 0, total: 2, done: false });
  });

  it('quick checks go through @lms/db: timed, output capped, a browser sandbox failure stored but not counted, owner hidden', async () => {
    const { session, user } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    const long = await api.attempt.recordQuick({
      courseSlug: 'testcourse',
      taskId: 't2',
      code: 'print("x" * 100000)',
      result: {
        status: 'failed',
        tests: [{ name: 'public test', status: 'failed', message: 'no', durationMs: 1 }],
        // over the stored cap (64 Ki), within what the browser may send (64 KiB + its marker)
        stdout: 'x'.repeat(66_000),
      },
    });
    const broken = await api.attempt.recordQuick({
      courseSlug: 'testcourse',
      taskId: 't2',
      code: 'print(1)',
      result: { status: 'sandbox_error', message: 'Pyodide did not load', tests: [] },
    });
    expect(broken.status).toBe('sandbox_error');
    const seen = await api.attempt.get({ courseSlug: 'testcourse', id: long.id });
    expect(seen.startedAt).toBeInstanceOf(Date);
    expect(seen.gradedAt).toBeInstanceOf(Date);
    expect(seen.stdout!.length).toBeLessThan(66_000);
    expect(seen.stdout!.startsWith('x'.repeat(64 * 1024))).toBe(true);
    expect(seen).not.toHaveProperty('userId');
    expect(seen).not.toHaveProperty('releaseId');
    const progress = await db.progress.findUnique({
      where: {
        userId_courseId_taskId: { userId: user.id, courseId: await courseIdOf(db), taskId: 't2' },
      },
    });
    expect(progress).toMatchObject({ quickChecks: 1, attempts: 0, firstSolvedAt: null });
    expect(progress!.lastAttemptAt).toBeInstanceOf(Date);
  });

  it('a chapter is done when all its tasks are solved by final checks', async () => {
    const { session } = await makeUser(db, 'student');
    const transport = transportFor(grader);
    const api = callerFor(db, session, { grader: transport });
    await api.attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code: 'ok' });
    await transport.idle();
    let chapter = await api.chapter.get({ course: 'testcourse', chapter: 'c1' });
    expect(chapter.progress).toEqual({ solved: 1, total: 2, done: false });
    await api.attempt.submit({ courseSlug: 'testcourse', taskId: 't2', code: 'ok' });
    await transport.idle();
    chapter = await api.chapter.get({ course: 'testcourse', chapter: 'c1' });
    expect(chapter.progress).toEqual({ solved: 2, total: 2, done: true });
    const course = await api.course.get({ course: 'testcourse' });
    expect(course.chapters.map((c) => c.progress?.done)).toEqual([true, false]);
  });

  it('attempts of another student are not visible', async () => {
    const a = await makeUser(db, 'student');
    const b = await makeUser(db, 'student');
    const q = await callerFor(db, a.session).attempt.recordQuick({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'secret',
      result: { status: 'failed', tests: [] },
    });
    await expect(
      callerFor(db, b.session).attempt.get({ courseSlug: 'testcourse', id: q.id }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      await callerFor(db, b.session).attempt.list({ courseSlug: 'testcourse', taskId: 't1' }),
    ).toEqual([]);
  });
});
