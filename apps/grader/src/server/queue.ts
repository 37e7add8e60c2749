import {
  GRADE_QUEUE,
  type GradeJobData,
  type GradeResult,
  parseGradeRequest,
  redisConnection,
} from '@lms/grading';
import { type Job, type RedisOptions, UnrecoverableError, Worker } from 'bullmq';
import { log as jsonLog } from './log.ts';
import type { WorkerObservability } from './observe.ts';
import type { GradeService } from './service.ts';

/**
 * Worker mode: any number of grader processes on any number of machines take jobs from one
 * BullMQ queue; the job contract is @lms/grading's `queue-contract.ts`, shared with the web
 * app (the Redis options from REDIS_URL too: `rediss://` is TLS, user/password/db honoured).
 * The caller stores the result from the queue's `completed` event, idempotently by attempt id.
 * A worker killed with -9 stops renewing its job lock; another worker's stalled-job check
 * puts the job back and grades it (the dead one never completed it, so it completes once).
 */
export { GRADE_QUEUE, type GradeJobData, redisConnection } from '@lms/grading';

export interface WorkerOptions {
  redisUrl: string;
  queueName?: string;
  concurrency: number;
  /** how long a job's lock lives without renewal: a dead worker's job is retried after this */
  lockDurationMs?: number;
  /** how often workers look for stalled jobs */
  stalledIntervalMs?: number;
  log?: (line: string) => void;
  /** metrics hooks around each job (observe.ts) */
  observe?: Pick<WorkerObservability, 'jobStarted' | 'jobFinished'>;
}

/**
 * The worker's ioredis options: REDIS_URL read by @lms/grading's `redisConnection`, as the web
 * reads it, plus a bounded connect. A worker waits for Redis however long it is away: it keeps
 * reconnecting (BullMQ's back-off, 1 s growing to 20 s) and its blocking commands never give up.
 */
export function workerConnection(redisUrl: string): RedisOptions {
  return { ...redisConnection(redisUrl), connectTimeout: 10_000 };
}

export function startGradeWorker(
  service: GradeService,
  options: WorkerOptions,
): Worker<GradeJobData, GradeResult> {
  const log = options.log ?? ((line: string) => jsonLog.warn(line, { queue: options.queueName }));
  const observe = options.observe;
  const worker = new Worker<GradeJobData, GradeResult>(
    options.queueName ?? GRADE_QUEUE,
    async (job: Job<GradeJobData, GradeResult>) => {
      // the submitting web request's id (queue contract): in this job's log line and handed
      // back beside the result, for the verdict's log line on the web
      const requestId =
        typeof job.data?.requestId === 'string' ? job.data.requestId.slice(0, 80) : undefined;
      observe?.jobStarted(job);
      let outcome: 'completed' | 'retried' | 'failed' = 'failed';
      try {
        const parsed = parseGradeRequest(job.data?.request);
        if (!parsed.ok)
          throw new UnrecoverableError(`invalid grade request in job ${job.id}: ${parsed.error}`);
        const result = await service.grade(parsed.request);
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        // the grader failed, not the program: let another attempt (maybe another worker) try
        if (result.status === 'sandbox_error' && !lastAttempt) {
          outcome = 'retried';
          throw new Error(result.message ?? 'sandbox error');
        }
        outcome = 'completed';
        jsonLog.info('job graded', {
          jobId: job.id,
          requestId,
          status: result.status,
          ms: Math.round(result.durations.totalMs),
          waitedMs: job.processedOn && job.timestamp ? job.processedOn - job.timestamp : undefined,
          attempt: job.attemptsMade + 1,
        });
        const answer: GradeResult & { requestId?: string } = requestId
          ? { ...result, requestId }
          : result;
        return answer;
      } finally {
        observe?.jobFinished(outcome);
      }
    },
    {
      connection: workerConnection(options.redisUrl),
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 15_000,
      stalledInterval: options.stalledIntervalMs ?? 5_000,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (error) => log(`error: ${error.message}`));
  worker.on('failed', (job, error) =>
    jsonLog.warn('job failed', {
      jobId: job?.id,
      requestId: job?.data?.requestId,
      error: error.message,
      attempt: job?.attemptsMade,
    }),
  );
  return worker;
}
