import { env } from '../../env';
import { getDb } from '../db';
import { currentRequestId } from '../log';
import { failAttemptForService } from '../services/attempts';
import { GraderError, gradeOverHttp } from './http';
import { createInProcessTransport, SERVICE_DOWN_MESSAGE } from './pipeline';
import type { GraderTransport } from './transport';

export type { GraderTransport } from './transport';

const g = globalThis as unknown as { __lmsGrader?: Promise<GraderTransport> };

/**
 * The process's way to the grader: HTTP (embedded default) or the BullMQ queue. Every request
 * context asks for it, so it never waits for the grader. The queue transport is made once per
 * process (at start-up: startBackgroundWork asks for it first) and started there: it connects
 * to Redis and listens for verdicts in the background, retrying with its back-off, and sweeps
 * attempts left pending (queue.ts `start`); nothing here waits for that.
 */
export function getGraderTransport(): Promise<GraderTransport> {
  g.__lmsGrader ??= makeTransport().catch((error) => {
    g.__lmsGrader = undefined; // a failure is never kept: the next request tries again
    throw error;
  });
  return g.__lmsGrader;
}

async function makeTransport(): Promise<GraderTransport> {
  const e = env();
  const db = getDb();
  if (e.GRADER_TRANSPORT === 'queue') {
    const { createQueueTransport } = await import('./queue');
    try {
      const transport = await createQueueTransport({ db, redisUrl: e.REDIS_URL });
      transport.start();
      return transport;
    } catch (error) {
      // a bad REDIS_URL: pages still work; each final check says the grader is unavailable
      const why = `GRADER_TRANSPORT=queue: ${(error as Error).message}`;
      console.error(`[grader] ${why}`);
      return {
        kind: 'queue',
        async available() {
          return false;
        },
        async dispatch(attemptId) {
          await failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
          throw new GraderError(why, false);
        },
      };
    }
  }
  return createInProcessTransport({
    db,
    grade: (request) =>
      gradeOverHttp(request, {
        url: e.GRADER_URL,
        secret: e.GRADER_SECRET,
        // the submitting request's (AsyncLocalStorage follows the dispatch through the fair
        // line's awaits); none for attempts recovered at start
        requestId: currentRequestId(),
        // never shorter than the task's own wall limit (twice, plus the grader's queueing)
        timeoutMs: Math.max(
          e.GRADER_TIMEOUT_MS,
          ((request.limits?.wallSeconds ?? 10) * 2 + 15) * 1000,
        ),
      }),
  });
}
