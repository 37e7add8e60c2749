import type { Db } from '@lms/db';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createQueueTransport,
  type GradeJobData,
  redisConnection,
} from '../../src/server/grader/queue';
import { clearContentCache } from '../../src/server/services/content';
import { createTestDb, gradeResult, makeUser, publishTestCourse, tcpReachable } from './helpers';

// Issue 11: with GRADER_TRANSPORT=queue, one user's burst must not delay others. BullMQ OSS
// has no groups, so each job's priority is its place in its owner's own line.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const reachable = await tcpReachable(REDIS_URL, 6379);
if (!reachable) {
  if (process.env.CI === 'true')
    throw new Error(`queue fairness test needs Redis at ${REDIS_URL} (CI=true)`);
  console.warn(`queue fairness test skipped: no Redis at ${REDIS_URL}`);
}

describe.skipIf(!reachable)('queue transport: fair order by user', () => {
  let t: Awaited<ReturnType<typeof createTestDb>>;
  let db: Db;
  const queueName = `lms-grade-fair-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    t = await createTestDb();
    db = t.db;
    clearContentCache();
    await publishTestCourse(db);
  });
  afterAll(async () => {
    const q = new Queue(queueName, { connection: redisConnection(REDIS_URL) });
    await q.obliterate({ force: true });
    await q.close();
    await t?.cleanup();
  });

  it("user A enqueues 5, then user B 1: B's is graded before A's 3rd", async () => {
    const a = await makeUser(db, 'student');
    const b = await makeUser(db, 'student');
    const release = await db.contentRelease.findFirstOrThrow({ where: { status: 'published' } });
    const transport = await createQueueTransport({
      db,
      redisUrl: REDIS_URL,
      queueName,
      log: () => {},
    });
    const order: string[] = [];
    let worker: Worker<GradeJobData> | null = null;
    try {
      const ids: string[] = [];
      const enqueue = async (userId: string, code: string) => {
        const attempt = await db.attempt.create({
          data: {
            userId,
            taskId: 't1',
            courseId: release.courseId,
            releaseId: release.id,
            stage: 'final',
            code,
          },
        });
        ids.push(attempt.id);
        await transport.dispatch(attempt.id);
      };
      // more than the in-flight cap, as after a restart: straight in the database
      for (let n = 1; n <= 5; n++) await enqueue(a.user.id, `A${n}`);
      await enqueue(b.user.id, 'B1');
      // the grader starts only now, one job at a time: the order is the queue's
      worker = new Worker<GradeJobData>(
        queueName,
        async (job) => {
          order.push(job.data.request.code);
          return gradeResult('passed');
        },
        { connection: redisConnection(REDIS_URL), concurrency: 1 },
      );
      await expect
        .poll(() => db.attempt.count({ where: { id: { in: ids }, status: 'passed' } }), {
          timeout: 20_000,
        })
        .toBe(6);
      expect(order).toHaveLength(6);
      expect(order.indexOf('B1')).toBeLessThan(order.indexOf('A3'));
    } finally {
      await worker?.close();
      await transport.close();
    }
  }, 30_000);
});
