import type { Db } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeOverHttp } from '../../src/server/grader/http';
import { createInProcessTransport } from '../../src/server/grader/pipeline';
import { clearContentCache } from '../../src/server/services/content';
import {
  callerFor,
  createPgTestDb,
  type FakeGrader,
  gradeResult,
  makeUser,
  PG_URL_BASE,
  publishTestCourse,
  startFakeGrader,
  tcpReachable,
} from './helpers';

// The same routers on PostgreSQL (the at-scale database): transactions, groupBy, upserts.
const reachable = await tcpReachable(PG_URL_BASE, 5432);
if (!reachable) {
  if (process.env.CI === 'true')
    throw new Error(`postgres test needs PostgreSQL at ${PG_URL_BASE} (CI=true)`);
  console.warn(`postgres test skipped: no PostgreSQL at ${PG_URL_BASE}`);
}

describe.skipIf(!reachable)('routers on PostgreSQL', () => {
  let t: Awaited<ReturnType<typeof createPgTestDb>>;
  let db: Db;
  let grader: FakeGrader;

  beforeAll(async () => {
    t = await createPgTestDb();
    db = t.db;
    clearContentCache();
    await publishTestCourse(db);
    grader = await startFakeGrader();
  }, 120_000);
  afterAll(async () => {
    await grader?.close();
    await t?.cleanup();
  });

  it('submit → verdict → progress; failed attempts unlock the answer; nothing leaks', async () => {
    const { session } = await makeUser(db, 'student');
    grader.respond = (body) => ({
      status: 200,
      json: gradeResult(body.code.includes('good') ? 'passed' : 'failed'),
    });
    const transport = createInProcessTransport({
      db,
      grade: (r) =>
        gradeOverHttp(r, { url: grader.url, secret: grader.secret, retries: 1, backoffMs: 10 }),
      log: () => {},
    });
    const api = callerFor(db, session, { grader: transport });

    await api.draft.save({ courseSlug: 'testcourse', taskId: 't1', code: 'draft' });
    await api.attempt.recordQuick({
      courseSlug: 'testcourse',
      taskId: 't1',
      code: 'q',
      result: { status: 'passed', tests: [] },
    });
    for (let i = 0; i < 3; i++) {
      await api.attempt.submit({ courseSlug: 'testcourse', taskId: 't2', code: `bad ${i}` });
      await transport.idle(); // at most 2 final checks may wait at once
    }
    await api.attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code: 'good' });
    await transport.idle();

    const chapter = await api.chapter.get({ course: 'testcourse', chapter: 'c1' });
    expect(JSON.stringify(chapter)).not.toMatch(/ANSWER-OF-|HIDDEN-TESTS-/);
    const [t1, t2] = chapter.chapter.tasks;
    expect(t1).toMatchObject({
      draft: { code: 'draft' },
      progress: { solved: true, quickChecks: 1, attempts: 1 },
    });
    expect(t2).toMatchObject({
      answerState: { failedAttempts: 3, needed: 3, available: true },
      answer: null,
    });
    expect(chapter.progress).toEqual({ solved: 1, total: 2, done: false });
    expect(
      await api.progress.revealAnswer({ courseSlug: 'testcourse', taskId: 't2' }),
    ).toMatchObject({ assisted: true });
    expect(
      (await api.attempt.list({ courseSlug: 'testcourse', taskId: 't2', stage: 'final' })).map(
        (a) => a.status,
      ),
    ).toEqual(['failed', 'failed', 'failed']);
  });

  it('30 concurrent submits: 2 accepted (the in-flight cap), the rest refused (issue 11)', async () => {
    const { session } = await makeUser(db, 'student');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const transport = createInProcessTransport({
      db,
      grade: async () => {
        await gate;
        return gradeResult('timeout');
      },
      log: () => {},
    });
    const api = callerFor(db, session, { grader: transport, submitsPerMinute: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        api.attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code: 'while True: pass' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(await db.attempt.count({ where: { userId: session.user.id } })).toBe(2);
    release();
    await transport.idle();
  });
});
