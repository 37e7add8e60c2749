import { gradeRequestFor } from '@lms/content/grading';
import { getAttempt, pendingFinalAttemptsBefore } from '@lms/db';
import {
  GRADE_JOB_NAME,
  GRADE_QUEUE,
  type GradeJobData,
  type GradeResult,
  gradeResultSchema,
  redisConnection,
} from '@lms/grading';
import type { Db } from '../db';
import {
  applyGradeResult,
  failAttemptForService,
  gradedWithoutSandbox,
  gradeOutputTask,
  isTerminal,
  markRunning,
  taskOfAttempt,
} from '../services/attempts';
import { SERVICE_DOWN_MESSAGE } from './pipeline';
import type { GraderTransport } from './transport';

// The job contract (queue and job names, data, Redis options) is the grader's:
// @lms/grading (queue-contract.ts). The worker never touches the database: this process stores
// verdicts from the queue's events (any web instance may; storing is idempotent).
export { GRADE_QUEUE, type GradeJobData, redisConnection } from '@lms/grading';

/** BullMQ's lowest priority (2^21); 1 is the highest we use (0 would jump ahead of all). */
const MAX_JOB_PRIORITY = 2 ** 21;

function parseResult(raw: unknown): GradeResult | null {
  const value = typeof raw === 'string' ? safeJson(raw) : raw;
  const parsed = gradeResultSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export async function createQueueTransport(options: {
  db: Db;
  redisUrl: string;
  /** default lms-grade (tests use their own) */
  queueName?: string;
  log?: (line: string) => void;
}): Promise<GraderTransport & { close(): Promise<void> }> {
  const { db } = options;
  const log = options.log ?? ((line: string) => console.warn(`[grader-queue] ${line}`));
  const { Queue, QueueEvents, Job } = await import('bullmq');
  const connection = redisConnection(options.redisUrl);
  const name = options.queueName ?? GRADE_QUEUE;
  const queue = new Queue<GradeJobData, GradeResult>(name, { connection });
  const events = new QueueEvents(name, { connection });
  await events.waitUntilReady();

  async function storeResult(attemptId: string, raw: unknown) {
    const result = parseResult(raw);
    if (!result) {
      log(`attempt ${attemptId}: the worker's return value is not a GradeResult`);
      await failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
      return;
    }
    await applyGradeResult(db, attemptId, result);
  }

  events.on('active', ({ jobId }) => {
    void markRunning(db, jobId).catch((e) => log(`attempt ${jobId}: ${(e as Error).message}`));
  });
  events.on('completed', ({ jobId, returnvalue }) => {
    void storeResult(jobId, returnvalue).catch((e) =>
      log(`attempt ${jobId}: ${(e as Error).message}`),
    );
  });
  events.on('failed', ({ jobId, failedReason }) => {
    log(`attempt ${jobId}: job failed: ${failedReason}`);
    void failAttemptForService(db, jobId, SERVICE_DOWN_MESSAGE).catch(() => {});
  });

  /**
   * Fair order across users (BullMQ OSS has no groups; those are BullMQ Pro): a job's priority
   * is its place in its owner's own line — 1 for a user's oldest waiting attempt, 2 for the
   * next… Lower runs first and equal priorities run in the order added, so the queue serves
   * every user's first attempt before anyone's second: one user's burst cannot hold others up.
   */
  async function fairPriority(attempt: { userId: string; createdAt: Date }): Promise<number> {
    const ahead = await pendingFinalAttemptsBefore(db, {
      userId: attempt.userId,
      before: attempt.createdAt,
    });
    return Math.min(1 + ahead, MAX_JOB_PRIORITY);
  }

  return {
    kind: 'queue',
    async dispatch(attemptId: string) {
      const attempt = await getAttempt(db, attemptId);
      if (attempt?.stage !== 'final' || isTerminal(attempt.status)) return;
      // a job that finished while no web instance was listening: store its verdict now
      const existing = await Job.fromId<GradeJobData, GradeResult>(queue, attemptId);
      if (existing) {
        const state = await existing.getState();
        if (state === 'completed') return storeResult(attemptId, existing.returnvalue);
        if (state === 'failed') return failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
        return; // still waiting or active
      }
      const { task } = await taskOfAttempt(db, attempt);
      if (gradedWithoutSandbox(task)) {
        await markRunning(db, attemptId);
        return applyGradeResult(db, attemptId, gradeOutputTask(task, attempt.code));
      }
      await queue.add(
        GRADE_JOB_NAME,
        { attemptId, request: gradeRequestFor(task, attempt.code) },
        {
          jobId: attemptId,
          priority: await fairPriority(attempt),
          attempts: 3,
          backoff: { type: 'exponential', delay: 2_000 },
          removeOnComplete: { age: 86_400 },
          removeOnFail: { age: 7 * 86_400 },
        },
      );
    },
    async close() {
      await events.close();
      await queue.close();
    },
  };
}
