/**
 * The BullMQ job contract between a caller (the web app) and the grader's worker mode:
 * queue `lms-grade`, job name `grade`, job id = the Attempt id (so re-adding a job after a
 * restart is a no-op), data `{ attemptId, request }`, return value a GradeResult. No bullmq
 * import here, so both sides share it without pulling in the grader's server code.
 */
import type { GradeRequestInput } from './protocol.ts';

export const GRADE_QUEUE = 'lms-grade';
export const GRADE_JOB_NAME = 'grade';

export interface GradeJobData {
  attemptId: string;
  request: GradeRequestInput;
}

/** ioredis connection options from a `redis://user:pass@host:port/db` URL, as BullMQ wants them. */
export function redisConnection(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    // BullMQ workers block on Redis; it requires unlimited retries per request
    maxRetriesPerRequest: null,
  };
}
