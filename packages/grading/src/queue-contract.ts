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
  /**
   * the id of the web request that submitted the attempt (absent for re-sent attempts): the
   * worker logs it with the job and returns it beside the result (`requestId` next to the
   * GradeResult's fields), so the verdict's log line on the web carries it too
   */
  requestId?: string;
}

/**
 * ioredis connection options from `redis://[user[:password]@]host[:port][/db]` or `rediss://…`
 * (TLS), as BullMQ wants them: both sides (the web's queue transport, the grader's worker) take
 * them from here, so a URL means the same on each. `rediss://` sets `tls` (the server's
 * certificate is verified against the host name, Node's default); user name and password are
 * percent-decoded; `/db` is the database number. Anything else is refused with a message that
 * never repeats the password.
 */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  /** present for `rediss://`: Node's tls.connect options (none needed beyond the host) */
  tls?: Record<string, never>;
  /** a worker blocks on Redis: BullMQ requires unlimited retries per request */
  maxRetriesPerRequest: null;
}

export function redisConnection(url: string): RedisConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`REDIS_URL is not a URL (redis://host:port or rediss://host:port)`);
  }
  const shown = `${u.protocol}//${u.host}${u.pathname}`; // no credentials in messages
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis:// or rediss:// (TLS); got ${u.protocol}//…`);
  }
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d{1,5}$/.test(dbText || '0') || !Number.isSafeInteger(db)) {
    throw new Error(`REDIS_URL: the path must be a database number (/0, /1, …); got ${shown}`);
  }
  const port = u.port ? Number(u.port) : 6379;
  const options: RedisConnectionOptions = {
    // WHATWG URL keeps IPv6 brackets ([::1]); sockets want the bare address
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port,
    db,
    maxRetriesPerRequest: null,
  };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') options.tls = {};
  return options;
}

/** `host:port/db` of a URL, for messages (never the password). */
export function redisAddress(url: string): string {
  try {
    const o = redisConnection(url);
    return `${o.tls ? 'rediss' : 'redis'}://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}/${o.db}`;
  } catch {
    return '(bad REDIS_URL)';
  }
}
