import { GRADE_QUEUE, redisAddress } from '@lms/grading';
import type { Queue as BullQueue } from 'bullmq';
import { env } from '../env';
import { getDb } from './db';
import { getGraderTransport } from './grader';
import { queueConnectionOptions } from './grader/queue';
import { log } from './log';
import { installHttpObserver, setKnownProcedures, setMetricSources } from './metrics';

/**
 * The web process's life around its requests: observability at start-up (metrics sources,
 * the HTTP observer server.mjs calls), readiness (`GET /api/readyz`) and the drain on SIGTERM
 * (server.mjs calls `__lmsDrain` after it stopped accepting connections).
 */

const g = globalThis as unknown as {
  /** set by server.mjs on SIGTERM/SIGINT: readiness answers 503 from then on */
  __lmsDraining?: boolean;
  /** called by server.mjs once its listener is closed; resolves when the work is handed on */
  __lmsDrain?: (graceMs: number) => Promise<void>;
  __lmsQueueProbe?: Promise<BullQueue> | null;
};

export function isDraining(): boolean {
  return g.__lmsDraining === true;
}

/**
 * A read-only handle on the grading queue, for readiness and metrics (counts, workers): its
 * own connection with the transport's timeouts, so a probe never waits on a dispatch.
 */
function queueProbe(): Promise<BullQueue> {
  g.__lmsQueueProbe ??= (async () => {
    const { Queue } = await import('bullmq');
    const { commands } = queueConnectionOptions(env().REDIS_URL, {
      connectTimeoutMs: 2_000,
      commandTimeoutMs: 2_000,
    });
    const queue = new Queue(GRADE_QUEUE, { connection: commands });
    queue.on('error', () => {}); // each probe reports its own failure
    return queue;
  })().catch((error) => {
    g.__lmsQueueProbe = null;
    throw error;
  });
  return g.__lmsQueueProbe;
}

/** Job counts of the grading queue by state (queue mode), null otherwise or when unreachable. */
async function queueCounts(): Promise<Record<string, number> | null> {
  if (env().GRADER_TRANSPORT !== 'queue' || isDraining()) return null;
  const queue = await queueProbe();
  return within(
    queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
    2_000,
    'job counts',
  );
}

/** Once per process (instrumentation.ts): metrics sources, the HTTP observer, the drain hook. */
export async function startObservability(): Promise<void> {
  installHttpObserver();
  setMetricSources({ db: getDb, queueCounts });
  const { appRouter } = await import('./root');
  setKnownProcedures(Object.keys(appRouter._def.procedures));
  g.__lmsDrain = drain;
}

export type Check = { ok: boolean; detail: string; ms: number };
export type Readiness = { ready: boolean; draining: boolean; checks: Record<string, Check> };

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function timed(run: () => Promise<string>): Promise<Check> {
  const start = performance.now();
  try {
    const detail = await run();
    return { ok: true, detail, ms: Math.round(performance.now() - start) };
  } catch (error) {
    return {
      ok: false,
      detail: (error as Error).message.split('\n')[0] ?? 'failed',
      ms: Math.round(performance.now() - start),
    };
  }
}

/**
 * Readiness of this instance: the database answers, and in queue mode Redis does (the
 * `database` and `redis` checks decide `ready`). The grader is reported beside them — the
 * grader service's own /readyz over HTTP, the number of workers on the queue in queue mode —
 * but does not take the instance out of rotation: pages, drafts and progress work without it,
 * and final checks wait in the queue (or are stored as "grader unavailable") until it is back.
 * A draining instance (SIGTERM received) is never ready.
 */
export async function readiness(): Promise<Readiness> {
  const e = env();
  const checks: Record<string, Check> = {};
  const tasks: Array<Promise<void>> = [
    timed(async () => {
      await within(getDb().$queryRawUnsafe('SELECT 1'), 2_000, 'SELECT 1');
      return e.DATABASE_URL?.startsWith('postgres') ? 'postgresql' : 'sqlite';
    }).then((c) => {
      checks.database = c;
    }),
  ];
  if (e.GRADER_TRANSPORT === 'queue') {
    tasks.push(
      timed(async () => {
        const queue = await queueProbe();
        const client = await within(queue.client, 2_000, 'the Redis connection');
        await within(client.runCommand('ping', []), 2_000, 'PING');
        return redisAddress(e.REDIS_URL);
      }).then((c) => {
        checks.redis = c;
      }),
      timed(async () => {
        const queue = await queueProbe();
        const workers = await within(queue.getWorkersCount(), 2_000, 'the worker list');
        if (workers === 0) throw new Error('no grader worker is connected to the queue');
        return `${workers} worker(s)`;
      }).then((c) => {
        checks.grader = c;
      }),
    );
  } else {
    tasks.push(
      timed(async () => {
        const res = await fetch(new URL('/readyz', e.GRADER_URL), {
          signal: AbortSignal.timeout(2_000),
        });
        if (!res.ok) throw new Error(`${e.GRADER_URL}/readyz answered ${res.status}`);
        await res.body?.cancel();
        return e.GRADER_URL;
      }).then((c) => {
        checks.grader = c;
      }),
    );
  }
  await Promise.all(tasks);
  const draining = isDraining();
  const required = [checks.database, checks.redis].filter((c): c is Check => c !== undefined);
  return { ready: !draining && required.every((c) => c.ok), draining, checks };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The drain after SIGTERM (server.mjs has stopped accepting connections): gradings this
 * process runs itself (HTTP transport) get up to `graceMs` to store their verdicts; whatever
 * is still queued or running then stays so in the database and is sent again by the next
 * start (recoverPendingAttempts) or another instance's sweep. In queue mode the jobs live in
 * Redis: the transport's connections are closed, nothing is lost. Never throws.
 */
export async function drain(graceMs: number): Promise<void> {
  g.__lmsDraining = true;
  const started = Date.now();
  try {
    const transport = (await getGraderTransport().catch(() => null)) as
      | (Awaited<ReturnType<typeof getGraderTransport>> & {
          idle?: () => Promise<void>;
          close?: () => Promise<void>;
        })
      | null;
    if (transport?.idle) {
      const finished = await Promise.race([
        transport.idle().then(() => true),
        sleep(graceMs).then(() => false),
      ]);
      log.info(
        finished
          ? 'drain: every grading of this process stored its verdict'
          : 'drain: gradings still running are left queued in the database for the next start',
        { ms: Date.now() - started },
      );
    }
    await transport?.close?.();
    const probe = await g.__lmsQueueProbe?.catch(() => null);
    await probe?.close().catch(() => {});
    await getDb().$disconnect();
  } catch (error) {
    log.warn('drain: incomplete', { error: (error as Error).message });
  }
}
