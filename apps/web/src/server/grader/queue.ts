import { gradeRequestFor } from '@lms/content/grading';
import {
  claimAttemptResend,
  getAttempt,
  listPendingFinalAttempts,
  type PendingFinalAttempt,
  pendingFinalAttemptsBefore,
  releaseAttemptResend,
} from '@lms/db';
import {
  GRADE_JOB_NAME,
  GRADE_QUEUE,
  type GradeJobData,
  type GradeResult,
  gradeResultSchema,
  redisAddress,
  redisConnection,
} from '@lms/grading';
import type {
  Job as BullJob,
  Queue as BullQueue,
  QueueEvents as BullQueueEvents,
  RedisOptions,
} from 'bullmq';
import type { Db } from '../db';
import { currentRequestId } from '../log';
import { webMetrics } from '../metrics';
import {
  applyGradeResult,
  failAttemptForService,
  gradedWithoutSandbox,
  gradeOutputTask,
  isTerminal,
  markRunning,
  taskOfAttempt,
} from '../services/attempts';
import { GraderError } from './http';
import { SERVICE_DOWN_MESSAGE } from './pipeline';
import type { GraderTransport } from './transport';

// The job contract (queue and job names, data, Redis options from the URL) is the grader's:
// @lms/grading (queue-contract.ts). The worker never touches the database: this process stores
// verdicts from the queue's events (any web instance may; storing is idempotent).
export { GRADE_QUEUE, type GradeJobData, redisConnection } from '@lms/grading';

/** BullMQ's lowest priority (2^21); 1 is the highest we use (0 would jump ahead of all). */
const MAX_JOB_PRIORITY = 2 ** 21;

export type QueueTransportOptions = {
  db: Db;
  redisUrl: string;
  /** default lms-grade (tests use their own) */
  queueName?: string;
  log?: (line: string) => void;
  /** how long one connection attempt (TCP, TLS, AUTH, ready check) may take; default 5 s */
  connectTimeoutMs?: number;
  /** how long one Redis command (enqueue, job look-up) may take once connected; default 5 s */
  commandTimeoutMs?: number;
  /** wait after a failed connection attempt: doubles per failure up to `max`; default 1 s → 30 s */
  reconnectBackoffMs?: { min: number; max: number };
  /**
   * waits before trying to enqueue an attempt again while Redis is unreachable; after the last
   * one the attempt is stored as `grader_unavailable` (like the HTTP transport's retries)
   */
  retryDelaysMs?: number[];
  /** after `start()`: how often to reconcile (`reconcile()`); default 15 s */
  sweepEveryMs?: number;
  /**
   * the reconcile judges a pending final attempt only this long after it was stored, started
   * or re-sent (a dispatch under way has not reached Redis yet); default 15 s
   */
  staleAfterMs?: number;
  /** the clock of the reconcile's judgements (tests move it instead of waiting); Date.now */
  now?: () => number;
};

/** What one `reconcile()` pass did (ids are attempt ids). */
export type ReconcileReport = {
  /** pending final attempts older than the grace, looked up in Redis */
  considered: number;
  /** their job was lost (Redis restarted, flushed): this instance won the claim and queued it again */
  resent: string[];
  /** lost, but another instance had claimed the re-send: left to it */
  claimedElsewhere: string[];
  /** their job had finished while no instance listened: its verdict stored now */
  stored: string[];
  /** active past its limits: claimed, given one more grading time before giving up */
  stuck: string[];
  /** re-sent once and lost or stuck again: stored as `sandbox_error` (grader_unavailable) */
  gaveUp: string[];
  /** waiting for a worker, or being graded within its limits */
  inLine: number;
};

export type QueueTransport = GraderTransport & {
  /** connected to Redis now (tests, health) */
  readonly connected: boolean;
  /** connects now if not connected; rejects with a GraderError saying why it cannot */
  ready(): Promise<void>;
  /**
   * The process's background work (index.ts, once per process): connects to Redis — the
   * events listener included, so verdicts of jobs any instance queued are stored here — in the
   * background, trying again after the back-off until it works, and reconciles once connected
   * and then every `sweepEveryMs`. Returns at once; never waits for Redis.
   */
  start(): void;
  /**
   * One reconcile pass (start() runs them; tests call it): every final attempt pending longer
   * than the grace is looked up in Redis. A job that finished unheard has its verdict stored; a
   * job lost is queued again, once, by the one instance whose guarded claim on the attempt
   * (`resentAt`, @lms/db `claimAttemptResend`) wins; an attempt re-sent once and lost again, or
   * active past its task's limits twice, is stored as `sandbox_error` (grader_unavailable).
   * A job still waiting for a worker is in line, however long the line: never given up.
   * Without a connection it does nothing.
   */
  reconcile(): Promise<ReconcileReport>;
  /** jobs waiting for a worker now (0 while not connected) */
  backlog(): Promise<number>;
  close(): Promise<void>;
};

/** The events stream's XREAD blocks this long (BullMQ's QueueEvents default). */
const EVENTS_BLOCK_MS = 10_000;

/**
 * ioredis options of the two connections this transport opens, from the URL (TLS for
 * `rediss://`, user, password, database: @lms/grading's `redisConnection`, as the grader's
 * worker reads it) plus their timeouts. Exported for tests.
 */
export function queueConnectionOptions(
  redisUrl: string,
  timeouts: { connectTimeoutMs: number; commandTimeoutMs: number },
): { commands: RedisOptions; events: RedisOptions } {
  const base = redisConnection(redisUrl);
  return {
    // enqueue and look-ups: fail fast while Redis is away (no offline queue, a bounded wait)
    // instead of holding the caller until a reconnect
    commands: {
      ...base,
      connectTimeout: timeouts.connectTimeoutMs,
      commandTimeout: timeouts.commandTimeoutMs,
      // a server that accepts the connection but never answers (the ready check included)
      socketTimeout: timeouts.commandTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    },
    // the events stream: a blocking XREAD, so no command timeout; silence longer than a block
    // means a dead connection (ioredis then reconnects)
    events: {
      ...base,
      connectTimeout: timeouts.connectTimeoutMs,
      socketTimeout: EVENTS_BLOCK_MS + Math.max(timeouts.commandTimeoutMs, 5_000),
    },
  };
}

/**
 * Reconnect delays of one ioredis client: 0.5 s doubling to 20 s once it has been connected;
 * before that, none once the connect deadline has passed or the attempt was given up (ioredis
 * then ends the client, and BullMQ's wait for it rejects instead of waiting forever).
 */
function retryStrategy(state: { ready: boolean; giveUp: boolean; deadline: number }) {
  return (times: number): number | null => {
    const delay = Math.min(500 * 2 ** Math.min(times - 1, 6), 20_000);
    if (state.ready) return delay;
    if (state.giveUp || Date.now() + delay >= state.deadline) return null;
    return delay;
  };
}

type Link = {
  queue: BullQueue<GradeJobData, GradeResult>;
  events: BullQueueEvents;
  Job: typeof BullJob;
};

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A wait that does not keep the process alive (background work). */
const idle = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/** `promise`, or an Error `${what} within ${ms} ms` when it has not settled by then. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Final checks over BullMQ. Creating the transport connects to nothing: `start()` (the
 * process's background work, index.ts) or the first dispatch does; pages and every other
 * procedure never wait for Redis. A connection attempt is bounded
 * (`connectTimeoutMs`); a failed one is retried no sooner than a back-off that doubles per
 * failure, never remembered for good; once connected, ioredis reconnects by itself and a
 * command meanwhile fails within `commandTimeoutMs`. A dispatch that cannot reach Redis is
 * tried again after `retryDelaysMs`, then its attempt is stored as `grader_unavailable` and the
 * dispatch rejects with a GraderError saying why.
 */
export async function createQueueTransport(
  options: QueueTransportOptions,
): Promise<QueueTransport> {
  const { db, redisUrl } = options;
  const log = options.log ?? ((line: string) => console.warn(`[grader-queue] ${line}`));
  const name = options.queueName ?? GRADE_QUEUE;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 5_000;
  const backoff = options.reconnectBackoffMs ?? { min: 1_000, max: 30_000 };
  const retryDelaysMs = options.retryDelaysMs ?? [2_000, 10_000, 30_000];
  const sweepEveryMs = options.sweepEveryMs ?? 15_000;
  const staleAfterMs = options.staleAfterMs ?? 15_000;
  const clock = options.now ?? Date.now;
  const where = redisAddress(redisUrl);
  // a bad URL is a configuration error: say so now, not at the first submission
  const connection = queueConnectionOptions(redisUrl, { connectTimeoutMs, commandTimeoutMs });

  let link: Link | null = null;
  let connecting: Promise<Link> | null = null;
  let failures = 0;
  let nextTryAt = 0;
  let lastFailedAt = 0;
  let lastProblem = '';
  let closed = false;
  let lastErrorLogged = 0;
  let lastLoggedAt = 0;
  let started = false;
  let sweeping: Promise<ReconcileReport> | null = null;
  let backlogRead: { at: number; value: Promise<number> } | null = null;
  /** dispatches under way, by attempt (placeOf waits for its own) */
  const enqueuing = new Map<string, Promise<void>>();
  let sweepTimer: NodeJS.Timeout | undefined;

  const unavailable = (why: string) =>
    new GraderError(`the grading queue (Redis at ${where}) is unavailable: ${why}`, true);

  function logRedisError(error: Error) {
    // before the first connection, connect() says it in one line for the whole outage
    if (!link) return;
    // ioredis repeats its error on every reconnect: one line per 10 s is enough
    if (Date.now() - lastErrorLogged < 10_000) return;
    lastErrorLogged = Date.now();
    log(`Redis at ${where}: ${error.message}`);
  }

  async function storeResult(attemptId: string, raw: unknown) {
    const result = parseResult(raw);
    if (!result) {
      log(`attempt ${attemptId}: the worker's return value is not a GradeResult`);
      await failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
      return;
    }
    // the worker hands the submitting request's id back beside the result (queue contract)
    const requestId = ((typeof raw === 'string' ? safeJson(raw) : raw) as { requestId?: unknown })
      ?.requestId;
    await applyGradeResult(db, attemptId, result, {
      requestId: typeof requestId === 'string' ? requestId : undefined,
    });
    webMetrics().verdictsStored.inc({ status: result.status });
  }

  function listen(events: BullQueueEvents) {
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
  }

  async function open(): Promise<Link> {
    const { Queue, QueueEvents, Job } = await import('bullmq');
    const state = { ready: false, giveUp: false, deadline: Date.now() + connectTimeoutMs };
    const queue = new Queue<GradeJobData, GradeResult>(name, {
      connection: { ...connection.commands, retryStrategy: retryStrategy(state) },
    });
    queue.on('error', logRedisError);
    let events: BullQueueEvents | undefined;
    try {
      await within(queue.waitUntilReady(), connectTimeoutMs, 'no connection');
      // the events stream is read from its present end, fixed before anything is enqueued: a
      // job that completes before the first XREAD is not missed (BullMQ's default '$' would)
      const client = await queue.client;
      const last = (await client.runCommand('xrevrange', [
        queue.keys.events,
        '+',
        '-',
        'COUNT',
        1,
      ])) as Array<[string, unknown]> | null;
      state.deadline = Date.now() + connectTimeoutMs;
      events = new QueueEvents(name, {
        connection: { ...connection.events, retryStrategy: retryStrategy(state) },
        blockingTimeout: EVENTS_BLOCK_MS,
        lastEventId: last?.[0]?.[0] ?? '0-0',
      });
      events.on('error', logRedisError);
      listen(events);
      await within(events.waitUntilReady(), connectTimeoutMs, 'no connection for events');
    } catch (error) {
      state.giveUp = true;
      // the retry strategy now says stop: each client ends at its next failure (bounded by the
      // connect and socket timeouts), or, connected late, is closed. Not closed mid-connect:
      // ioredis then leaves an unhandled rejection behind with TLS.
      for (const client of [queue, events]) {
        client
          ?.waitUntilReady()
          .then(
            () => client.close(),
            () => client.close(),
          )
          .catch(() => {});
      }
      throw error;
    }
    state.ready = true;
    return { queue, events, Job };
  }

  /** The connection, made now if there is none; a GraderError when Redis cannot be reached. */
  async function connect(soon = false): Promise<Link> {
    if (closed) throw unavailable('the transport is closed');
    if (link) return link;
    if (connecting) return connecting;
    // `soon` (a submission asking): the back-off's shortest wait only, so grading is there
    // again within a second of Redis, not after the back-off's longest
    const wait = (soon ? lastFailedAt + backoff.min : nextTryAt) - Date.now();
    if (wait > 0) {
      throw unavailable(`${lastProblem}; next connection attempt in ${Math.ceil(wait / 1000)} s`);
    }
    connecting = open().then(
      async (made) => {
        if (closed) {
          await Promise.allSettled([made.events.close(), made.queue.close()]);
          throw unavailable('the transport is closed');
        }
        if (failures > 0) log(`connected to Redis at ${where} again`);
        failures = 0;
        link = made;
        return made;
      },
      (error: Error) => {
        failures++;
        lastProblem = error.message;
        lastFailedAt = Date.now();
        nextTryAt = Date.now() + Math.min(backoff.min * 2 ** (failures - 1), backoff.max);
        // one clear line per outage, not one per try: a reminder every 10 minutes
        if (failures === 1) {
          log(
            `cannot connect to Redis at ${where} (GRADER_TRANSPORT=queue): ${error.message}. Pages are served; final checks are refused as "grading unavailable" until Redis is reachable (trying again in the background)`,
          );
          lastLoggedAt = Date.now();
        } else if (Date.now() - lastLoggedAt > 600_000) {
          log(`still cannot connect to Redis at ${where} (${failures} tries): ${error.message}`);
          lastLoggedAt = Date.now();
        }
        throw unavailable(error.message);
      },
    );
    try {
      return await connecting;
    } finally {
      connecting = null;
    }
  }

  /** A Redis command: its failure (Redis away, timed out) is the grader being unavailable. */
  async function redis<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw error instanceof GraderError ? error : unavailable((error as Error).message);
    }
  }

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

  async function dispatchOnce(attemptId: string): Promise<void> {
    const attempt = await getAttempt(db, attemptId);
    if (attempt?.stage !== 'final' || isTerminal(attempt.status)) return;
    const { task } = await taskOfAttempt(db, attempt);
    if (gradedWithoutSandbox(task)) {
      await markRunning(db, attemptId);
      return applyGradeResult(db, attemptId, gradeOutputTask(task, attempt.code));
    }
    const { queue, Job } = await connect();
    // a job that finished while no web instance was listening: store its verdict now
    const existing = await redis(() => Job.fromId<GradeJobData, GradeResult>(queue, attemptId));
    if (existing) {
      const state = await redis(() => existing.getState());
      if (state === 'completed') return storeResult(attemptId, existing.returnvalue);
      if (state === 'failed') return failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
      return; // still waiting or active
    }
    const requestId = currentRequestId();
    const data: GradeJobData = {
      attemptId,
      request: gradeRequestFor(task, attempt.code),
      ...(requestId ? { requestId } : {}),
    };
    const priority = await fairPriority(attempt);
    await redis(() =>
      queue.add(GRADE_JOB_NAME, data, {
        jobId: attemptId,
        priority,
        attempts: 3,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: { age: 86_400 },
        removeOnFail: { age: 7 * 86_400 },
      }),
    );
  }

  /**
   * An attempt that cannot be dispatched for a reason other than Redis (its task is gone, a
   * database error): stored as `grader_unavailable`, never left queued for every restart to
   * repeat.
   */
  async function giveUp(attemptId: string, error: unknown): Promise<void> {
    log(`attempt ${attemptId}: ${(error as Error).message}; given up`);
    await failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE).catch((e) =>
      log(`attempt ${attemptId}: cannot store grader_unavailable: ${(e as Error).message}`),
    );
  }

  /** Connects in the background until it works (each try after the back-off); then ioredis keeps it. */
  async function keepConnected(): Promise<void> {
    while (!closed && !link) {
      try {
        await connect();
      } catch {
        // logged by connect(); a dispatch meanwhile gets the same GraderError and its own retries
      }
      if (closed || link) return;
      await idle(Math.max(nextTryAt - Date.now(), backoff.min));
    }
  }

  /** The longest one grading of the attempt's task may take at a worker, plus a margin. */
  async function gradingBudgetMs(attemptId: string): Promise<number> {
    const attempt = await getAttempt(db, attemptId);
    if (!attempt) return 0;
    const { task } = await taskOfAttempt(db, attempt);
    const wall = task.limits.wallSeconds;
    // the program, the tests' run (the grader's own 30 s), mypy (60 s), a wrapper run
    const seconds =
      wall +
      30 +
      (task.flags.runStaticTypeChecker ? 60 : 0) +
      (task.checks.wrapperTest ? wall : 0) +
      30;
    return seconds * 1000;
  }

  /** Gives an attempt up: stored as sandbox_error (grader_unavailable), not counted. */
  async function giveUpStuck(attemptId: string, why: string): Promise<void> {
    log(`attempt ${attemptId}: ${why}; given up (grader_unavailable)`);
    await failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
  }

  async function reconcileOne(
    current: Link,
    attempt: PendingFinalAttempt,
    report: ReconcileReport,
  ): Promise<void> {
    const now = clock();
    const job = await redis(() =>
      current.Job.fromId<GradeJobData, GradeResult>(current.queue, attempt.id),
    );
    if (!job) {
      if (attempt.resentAt) {
        await giveUpStuck(attempt.id, 'its job was lost again after it was re-sent once');
        report.gaveUp.push(attempt.id);
      } else if (await claimAttemptResend(db, attempt.id, new Date(now))) {
        log(`attempt ${attempt.id}: its job was lost from Redis; queued again (once)`);
        try {
          await dispatchOnce(attempt.id);
        } catch (error) {
          // not re-sent after all: the claim goes back, so a later pass tries again instead
          // of taking the attempt for lost twice
          await releaseAttemptResend(db, attempt.id, new Date(now)).catch(() => {});
          throw error;
        }
        report.resent.push(attempt.id);
      } else {
        report.claimedElsewhere.push(attempt.id);
      }
      return;
    }
    const state = await redis(() => job.getState());
    if (state === 'completed') {
      await storeResult(attempt.id, job.returnvalue);
      report.stored.push(attempt.id);
    } else if (state === 'failed') {
      log(`attempt ${attempt.id}: job failed: ${job.failedReason}`);
      await failAttemptForService(db, attempt.id, SERVICE_DOWN_MESSAGE);
      report.stored.push(attempt.id);
    } else if (state === 'active') {
      const since = Math.max(job.processedOn ?? 0, attempt.resentAt?.getTime() ?? 0);
      if (now - since <= (await gradingBudgetMs(attempt.id))) {
        report.inLine++;
      } else if (attempt.resentAt) {
        await giveUpStuck(attempt.id, 'its job is still active past its limits');
        report.gaveUp.push(attempt.id);
      } else if (await claimAttemptResend(db, attempt.id, new Date(now))) {
        log(`attempt ${attempt.id}: its job is active past its task's limits; given one more`);
        report.stuck.push(attempt.id);
      } else {
        report.claimedElsewhere.push(attempt.id);
      }
    } else {
      report.inLine++; // waiting, prioritized, delayed: in line for a worker
    }
  }

  async function reconcilePass(): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      considered: 0,
      resent: [],
      claimedElsewhere: [],
      stored: [],
      stuck: [],
      gaveUp: [],
      inLine: 0,
    };
    const current = link;
    if (closed || !current) return report;
    const cutoff = clock() - staleAfterMs;
    try {
      const pending = await listPendingFinalAttempts(db, {
        olderThan: new Date(cutoff),
        limit: 1_000,
      });
      for (const attempt of pending) {
        if (closed || link !== current) break;
        // judged from its last sign of life: stored, taken by a worker, re-sent
        const since = Math.max(
          attempt.createdAt.getTime(),
          attempt.startedAt?.getTime() ?? 0,
          attempt.resentAt?.getTime() ?? 0,
        );
        if (since > cutoff) continue;
        report.considered++;
        try {
          await reconcileOne(current, attempt, report);
        } catch (error) {
          if (error instanceof GraderError) {
            log(`reconcile: ${error.message}; the rest waits for the next pass`);
            break;
          }
          await giveUp(attempt.id, error);
        }
      }
    } catch (error) {
      log(`reconcile: ${(error as Error).message}`);
    }
    return report;
  }

  /** One pass at a time per process: a second caller shares the pass under way. */
  function reconcile(): Promise<ReconcileReport> {
    sweeping ??= reconcilePass().finally(() => {
      sweeping = null;
    });
    return sweeping;
  }

  /**
   * Whether final checks can be queued: connected (connecting now if not, within the connect
   * timeout, or at once "no" during the back-off). A connection that worked and is being
   * re-made (Redis restarting) counts as there: a dispatch then waits out the outage with its
   * retries, as before.
   */
  async function available(): Promise<boolean> {
    try {
      await connect(true);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The attempt's place among the jobs waiting for a worker, in the order workers take them
   * (its rank in BullMQ's priority set: the fair priority above); null when none wait (not
   * saturated) or it is not waiting. A dispatch under way (submit) is awaited first, briefly.
   */
  async function placeOf(attemptId: string): Promise<number | null> {
    const current = link;
    if (!current || (await backlog()) === 0) return null;
    const enqueue = enqueuing.get(attemptId);
    if (enqueue) await within(enqueue, commandTimeoutMs, 'enqueue').catch(() => {});
    try {
      const client = await current.queue.client;
      const rank = await client.runCommand('zrank', [current.queue.keys.prioritized, attemptId]);
      return typeof rank === 'number' ? rank + 1 : null;
    } catch {
      return null;
    }
  }

  /** Jobs waiting for a worker (read at most every 500 ms: every open watch asks). */
  function backlog(): Promise<number> {
    const current = link;
    if (!current) return Promise.resolve(0);
    if (backlogRead && Date.now() - backlogRead.at < 500) return backlogRead.value;
    const value = current.queue
      .getJobCounts('waiting', 'prioritized')
      .then((c) => (c.waiting ?? 0) + (c.prioritized ?? 0))
      .catch(() => 0);
    backlogRead = { at: Date.now(), value };
    return value;
  }

  /** Enqueues, trying again while Redis is unreachable; then gives the attempt up. */
  async function dispatchWithRetries(attemptId: string): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        return await dispatchOnce(attemptId);
      } catch (error) {
        // shutting down: the attempt stays queued for the next start's recovery
        if (closed) throw error;
        if (!(error instanceof GraderError)) {
          // not Redis (its task is gone, a database error): trying again would not help
          await giveUp(attemptId, error);
          throw error;
        }
        const delay = retryDelaysMs[i];
        if (delay === undefined) {
          log(`attempt ${attemptId}: ${error.message}; given up`);
          await failAttemptForService(db, attemptId, SERVICE_DOWN_MESSAGE);
          throw error;
        }
        log(`attempt ${attemptId}: ${error.message}; trying again in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  return {
    kind: 'queue',
    get connected() {
      return link !== null;
    },
    async ready() {
      await connect();
    },
    available,
    backlog,
    placeOf,
    reconcile,
    start() {
      if (started || closed) return;
      started = true;
      // the first pass as soon as connected (a restart's leftovers), then every sweepEveryMs
      void keepConnected().then(() => reconcile());
      sweepTimer = setInterval(() => void reconcile(), sweepEveryMs);
      sweepTimer.unref();
    },
    dispatch(attemptId: string) {
      const p = dispatchWithRetries(attemptId);
      enqueuing.set(attemptId, p);
      void p.then(
        () => enqueuing.delete(attemptId),
        () => enqueuing.delete(attemptId),
      );
      return p;
    },
    async close() {
      closed = true;
      clearInterval(sweepTimer);
      await connecting?.catch(() => {});
      const current = link;
      link = null;
      if (current) await Promise.allSettled([current.events.close(), current.queue.close()]);
    },
  };
}
