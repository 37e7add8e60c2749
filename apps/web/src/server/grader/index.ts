import { env } from '../../env';
import { getDb } from '../db';
import { gradeOverHttp } from './http';
import { createInProcessTransport } from './pipeline';
import type { GraderTransport } from './transport';

export type { GraderTransport } from './transport';

const g = globalThis as unknown as { __lmsGrader?: Promise<GraderTransport> };

/** The process's way to the grader: HTTP (embedded default) or the BullMQ queue. */
export function getGraderTransport(): Promise<GraderTransport> {
  g.__lmsGrader ??= (async () => {
    const e = env();
    const db = getDb();
    if (e.GRADER_TRANSPORT === 'queue') {
      const { createQueueTransport } = await import('./queue');
      return createQueueTransport({ db, redisUrl: e.REDIS_URL });
    }
    return createInProcessTransport({
      db,
      grade: (request) =>
        gradeOverHttp(request, {
          url: e.GRADER_URL,
          secret: e.GRADER_SECRET,
          // never shorter than the task's own wall limit (twice, plus the grader's queueing)
          timeoutMs: Math.max(
            e.GRADER_TIMEOUT_MS,
            ((request.limits?.wallSeconds ?? 10) * 2 + 15) * 1000,
          ),
        }),
    });
  })();
  return g.__lmsGrader;
}
