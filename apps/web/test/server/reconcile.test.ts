import { claimAttemptResend, createDb, type Db, markAttemptRunning } from '@lms/db';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createQueueTransport,
  type GradeJobData,
  type QueueTransport,
  type ReconcileReport,
  redisConnection,
} from '../../src/server/grader/queue';
import { clearContentCache } from '../../src/server/services/content';
import {
  callerFor,
  createPgTestDb,
  createTestDb,
  gradeResult,
  makeUser,
  PG_URL_BASE,
  publishTestCourse,
  tcpReachable,
} from './helpers';

// Issue 14: after a Redis restart, attempts whose jobs were lost stayed `running` until a web
// restart. Queue mode reconciles continuously: a lost job is queued again once, by exactly one
// of the web instances (a guarded update of Attempt.resentAt decides), and an attempt re-sent
// once and lost again gets a clear sandbox_error (grader_unavailable) instead of hanging.
// Two transports over two database clients are two web instances; their passes are called
// directly (the clock is moved, nothing sleeps).
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const reachable = await tcpReachable(REDIS_URL, 6379);
if (!reachable) {
  if (process.env.CI === 'true')
    throw new Error(`reconcile test needs Redis at ${REDIS_URL} (CI=true)`);
  console.warn(`reconcile test skipped: no Redis at ${REDIS_URL}`);
}
const pgReachable = await tcpReachable(PG_URL_BASE, 5432);
if (!pgReachable) {
  if (process.env.CI === 'true')
    throw new Error(`reconcile test needs PostgreSQL at ${PG_URL_BASE} (CI=true)`);
  console.warn(`reconcile test: the PostgreSQL race skipped, no PostgreSQL at ${PG_URL_BASE}`);
}

const COURSE = 'testcourse';

/** Two clients of one database (two web instances) race for the claim of each attempt. */
async function raceForClaims(first: Db, second: Db) {
  await publishTestCourse(first);
  const release = await first.contentRelease.findFirstOrThrow({ where: { status: 'published' } });
  const ids: string[] = [];
  const users = [(await makeUser(first, 'student')).user, (await makeUser(first, 'student')).user];
  for (let i = 0; i < 10; i++) {
    const attempt = await first.attempt.create({
      data: {
        userId: (users[i % 2] as { id: string }).id,
        courseId: release.courseId,
        releaseId: release.id,
        taskId: 't1',
        stage: 'final',
        status: i % 2 ? 'running' : 'queued',
        code: 'x',
      },
    });
    ids.push(attempt.id);
  }
  const wins = await Promise.all(
    ids.flatMap((id) => [claimAttemptResend(first, id), claimAttemptResend(second, id)]),
  );
  // per attempt, exactly one of the two claims won
  for (let i = 0; i < ids.length; i++) {
    expect([wins[2 * i], wins[2 * i + 1]].filter(Boolean)).toHaveLength(1);
  }
  // and a later claim never wins again; a graded attempt is never claimed
  expect(await claimAttemptResend(second, ids[0] as string)).toBe(false);
}

describe('the re-send claim (one guarded update)', () => {
  it('SQLite: two clients racing over 10 attempts, one winner each', async () => {
    const t = await createTestDb();
    const other = createDb({ url: t.url });
    try {
      await raceForClaims(t.db, other);
    } finally {
      await other.$disconnect();
      await t.cleanup();
    }
  });

  it.skipIf(!pgReachable)('PostgreSQL: the same race', async () => {
    const t = await createPgTestDb();
    const other = createDb({ url: t.url, poolSize: 4 });
    try {
      await raceForClaims(t.db, other);
    } finally {
      await other.$disconnect();
      await t.cleanup();
    }
  });
});

describe.skipIf(!reachable)('queue mode: continuous reconcile by two web instances', () => {
  let t: Awaited<ReturnType<typeof createTestDb>>;
  let db: Db;
  let db2: Db;
  let queue: Queue;
  let worker: Worker<GradeJobData> | null = null;
  const transports: QueueTransport[] = [];
  const queueName = `lms-grade-reconcile-${process.pid}-${Date.now()}`;
  /** the reconcilers' clock: moved forward instead of waiting */
  let clock = Date.now();

  async function instance(on: Db): Promise<QueueTransport> {
    const made = await createQueueTransport({
      db: on,
      redisUrl: REDIS_URL,
      queueName,
      log: () => {},
      now: () => clock,
    });
    transports.push(made);
    await made.ready();
    return made;
  }

  /** `count` students submit once each through `via`; resolves when every job is in Redis. */
  async function submissions(via: QueueTransport, count: number) {
    const made: Array<{ id: string; userId: string }> = [];
    for (let i = 0; i < count; i++) {
      const { session } = await makeUser(db, 'student');
      const api = callerFor(db, session, { grader: via });
      const { id } = await api.attempt.submit({ courseSlug: COURSE, taskId: 't1', code: 'ok()' });
      made.push({ id, userId: session.user.id });
    }
    await expect
      .poll(async () => {
        const found = await Promise.all(made.map((a) => queue.getJob(a.id)));
        return found.every(Boolean);
      })
      .toBe(true);
    return made;
  }

  /** Redis restarted without its data: every key of the queue is gone. */
  async function redisLosesEverything() {
    await queue.obliterate({ force: true });
  }

  const union = (reports: ReconcileReport[], key: 'resent' | 'gaveUp' | 'stored') =>
    reports.flatMap((r) => r[key]).sort();

  const statusOf = async (ids: string[]) =>
    (
      await db.attempt.findMany({
        where: { id: { in: ids } },
        select: { status: true },
      })
    ).map((a) => a.status);

  beforeAll(async () => {
    t = await createTestDb();
    db = t.db;
    db2 = createDb({ url: t.url });
    clearContentCache();
    await publishTestCourse(db);
    queue = new Queue(queueName, { connection: redisConnection(REDIS_URL) });
  });
  afterAll(async () => {
    await worker?.close();
    await Promise.all(transports.map((x) => x.close()));
    await queue?.obliterate({ force: true });
    await queue?.close();
    await db2?.$disconnect();
    await t?.cleanup();
  });

  it('lost jobs: each re-sent by exactly one instance, once, then graded and counted once', async () => {
    const a = await instance(db);
    const b = await instance(db2);
    const made = await submissions(a, 8);
    const ids = made.map((m) => m.id);
    // three were being graded when Redis went away
    for (const id of ids.slice(0, 3)) await markAttemptRunning(db, id);
    await redisLosesEverything();

    // younger than the grace (a dispatch may still be on its way): not judged yet
    const early = await Promise.all([a.reconcile(), b.reconcile()]);
    expect(early.map((r) => r.considered)).toEqual([0, 0]);

    clock = Date.now() + 60_000;
    const reports = await Promise.all([a.reconcile(), b.reconcile()]);
    expect(reports.map((r) => r.considered)).toEqual([8, 8]);
    expect(union(reports, 'resent')).toEqual([...ids].sort()); // every one, none twice
    expect(union(reports, 'gaveUp')).toEqual([]);
    const marked = await db.attempt.findMany({
      where: { id: { in: ids } },
      select: { resentAt: true },
    });
    expect(marked.every((m) => m.resentAt !== null)).toBe(true);
    const counts = await queue.getJobCounts('waiting', 'prioritized');
    expect((counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(8);

    // just re-sent: not judged again until the grace has passed since
    const soon = await Promise.all([a.reconcile(), b.reconcile()]);
    expect(soon.map((r) => r.considered)).toEqual([0, 0]);
    // later, both find them in line: nothing re-sent twice, nothing given up
    clock += 60_000;
    const next = await Promise.all([a.reconcile(), b.reconcile()]);
    expect(union(next, 'resent')).toEqual([]);
    expect(union(next, 'gaveUp')).toEqual([]);
    expect(next.map((r) => r.inLine)).toEqual([8, 8]);

    // a grader worker comes back: both instances hear every verdict, each is stored once
    worker = new Worker<GradeJobData>(queueName, async () => gradeResult('passed'), {
      connection: redisConnection(REDIS_URL),
    });
    await expect.poll(() => statusOf(ids), { timeout: 20_000 }).toEqual(ids.map(() => 'passed'));
    const progress = await db.progress.findMany({
      where: { userId: { in: made.map((m) => m.userId) } },
      select: { attempts: true },
    });
    expect(progress.map((p) => p.attempts)).toEqual(made.map(() => 1));
    await worker.close();
    worker = null;
  }, 60_000);

  it('re-sent once and lost again: a clear sandbox_error (grader_unavailable); a waiting job is never given up', async () => {
    const a = await instance(db);
    const b = await instance(db2);
    const lost = (await submissions(a, 2)).map((m) => m.id);
    await redisLosesEverything();
    clock = Date.now() + 60_000;
    expect(union(await Promise.all([a.reconcile(), b.reconcile()]), 'resent')).toEqual(
      [...lost].sort(),
    );
    // lost again before any worker took them
    await redisLosesEverything();
    const waiting = (await submissions(b, 1)).map((m) => m.id);
    clock = Date.now() + 24 * 3_600_000; // a day later: long past any limit
    const reports = await Promise.all([a.reconcile(), b.reconcile()]);
    expect(new Set(union(reports, 'gaveUp'))).toEqual(new Set(lost));
    expect(reports.map((r) => r.inLine)).toEqual([1, 1]); // the job still waiting for a worker
    const stored = await db.attempt.findMany({
      where: { id: { in: lost } },
      select: { status: true, messageCode: true, userId: true },
    });
    for (const s of stored) {
      expect(s.status).toBe('sandbox_error');
      expect(s.messageCode).toEqual({ code: 'grader_unavailable', params: {} });
    }
    // our failure is not counted against the student
    const counted = await db.progress.findMany({
      where: { userId: { in: stored.map((s) => s.userId) } },
      select: { attempts: true },
    });
    expect(counted.every((p) => p.attempts === 0)).toBe(true);
    expect(await statusOf(waiting)).toEqual(['queued']);
    await queue.obliterate({ force: true }); // the waiting one is not the next test's
  }, 60_000);

  it('a job active past its limits: claimed once, then given up at the next pass past them', async () => {
    const a = await instance(db);
    const b = await instance(db2);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const taken = new Promise<void>((resolve) => {
      worker = new Worker<GradeJobData>(
        queueName,
        async () => {
          resolve();
          await held; // a worker that never finishes (its lock kept alive)
          return gradeResult('passed');
        },
        { connection: redisConnection(REDIS_URL) },
      );
    });
    const [stuck] = (await submissions(a, 1)).map((m) => m.id);
    await taken;
    await expect.poll(() => statusOf([stuck as string])).toEqual(['running']);
    clock = Date.now() + 3_600_000; // past the task's limits (5 s wall: ~70 s)
    const first = await Promise.all([a.reconcile(), b.reconcile()]);
    expect(first.flatMap((r) => r.stuck)).toEqual([stuck]);
    expect(union(first, 'gaveUp')).toEqual([]);
    clock += 3_600_000;
    const second = await Promise.all([a.reconcile(), b.reconcile()]);
    expect(new Set(union(second, 'gaveUp'))).toEqual(new Set([stuck]));
    expect(await statusOf([stuck as string])).toEqual(['sandbox_error']);
    // its late verdict changes nothing
    release();
    await worker?.close();
    worker = null;
    expect(await statusOf([stuck as string])).toEqual(['sandbox_error']);
  }, 60_000);
});
