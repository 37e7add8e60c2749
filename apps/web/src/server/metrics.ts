import { PENDING_ATTEMPT_STATUSES } from '@lms/db/types';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from './db';

/**
 * The web process's Prometheus metrics (prom-client), served by `GET /api/metrics`:
 *
 * - `lms_web_http_request_duration_seconds{route,method,status}`: every HTTP request, timed by
 *   `apps/web/server.mjs` from its arrival to the last byte of the answer. `route` is the tRPC
 *   procedure (`attempt.submit`; each procedure of a batch is counted with the batch's time),
 *   `auth` (better-auth), `page`, `static` (`/_next/…`, `/pyodide/…`) or `api` — never the raw
 *   path, so a client cannot grow the label set;
 * - `lms_web_submissions_total{status}`: requests that call `attempt.submit`, by HTTP status
 *   (200 stored; 4xx refused: limits, validation; 207 a batch with both);
 * - `lms_web_verdicts_stored_total{status}`: verdicts this instance stored from the queue's
 *   events (queue mode; over HTTP the grader's own `/metrics` counts them);
 * - `lms_web_attempts_pending{status}`: final checks `queued` / `running` in the database now
 *   (every instance's, read at scrape time);
 * - `lms_web_queue_jobs{state}`: jobs of the BullMQ queue by state (queue mode; read at scrape);
 * - Node's process metrics (CPU seconds, memory, event-loop lag) as `lms_web_process_*` /
 *   `lms_web_nodejs_*`.
 *
 * One registry per process, on globalThis: server.mjs (outside Next's bundle) reports into it
 * through `__lmsObserveHttp`, installed by `installHttpObserver()` at start-up.
 */

export type WebMetrics = {
  registry: Registry;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  submissions: Counter<'status'>;
  verdictsStored: Counter<'status'>;
  attemptsPending: Gauge<'status'>;
  queueJobs: Gauge<'state'>;
};

type Sources = {
  db?: () => Db;
  /** job counts of the grading queue by state, or null when not in queue mode / unreachable */
  queueCounts?: () => Promise<Record<string, number> | null>;
};

const g = globalThis as unknown as {
  __lmsWebMetrics?: WebMetrics;
  __lmsMetricSources?: Sources;
  __lmsObserveHttp?: (method: string, path: string, status: number, seconds: number) => void;
};

/** Where the gauges read from at scrape time (set by lifecycle.ts at start-up). */
export function setMetricSources(sources: Sources): void {
  g.__lmsMetricSources = sources;
}

/** Buckets (s): from a cached page (~5 ms) to a slow sign-in (argon2) or a stuck request. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function webMetrics(): WebMetrics {
  if (g.__lmsWebMetrics) return g.__lmsWebMetrics;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lms_web_' });
  const metrics: WebMetrics = {
    registry,
    httpDuration: new Histogram({
      name: 'lms_web_http_request_duration_seconds',
      help: 'HTTP requests from arrival to the last byte of the answer, by route (tRPC procedure, auth, page, static, api).',
      labelNames: ['route', 'method', 'status'],
      buckets: HTTP_BUCKETS,
      registers: [registry],
    }),
    submissions: new Counter({
      name: 'lms_web_submissions_total',
      help: 'HTTP requests calling attempt.submit (final checks), by HTTP status.',
      labelNames: ['status'],
      registers: [registry],
    }),
    verdictsStored: new Counter({
      name: 'lms_web_verdicts_stored_total',
      help: "Verdicts this instance stored from the grading queue's events, by status.",
      labelNames: ['status'],
      registers: [registry],
    }),
    attemptsPending: new Gauge({
      name: 'lms_web_attempts_pending',
      help: 'Final checks waiting for a verdict in the database (all instances), by status.',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const db = g.__lmsMetricSources?.db?.();
        if (!db) return;
        const rows = await db.attempt
          .groupBy({
            by: ['status'],
            where: { stage: 'final', status: { in: [...PENDING_ATTEMPT_STATUSES] } },
            _count: { _all: true },
          })
          .catch(() => null);
        if (!rows) return;
        for (const status of PENDING_ATTEMPT_STATUSES) {
          const row = rows.find((r) => r.status === status);
          this.set({ status }, row?._count._all ?? 0);
        }
      },
    }),
    queueJobs: new Gauge({
      name: 'lms_web_queue_jobs',
      help: 'Jobs of the BullMQ grading queue by state (queue mode).',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const counts = await g.__lmsMetricSources?.queueCounts?.().catch(() => null);
        if (!counts) return;
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    }),
  };
  g.__lmsWebMetrics = metrics;
  return metrics;
}

/** The tRPC procedures of the app (`router.procedure`), for the route label. */
let knownProcedures: ReadonlySet<string> = new Set();

export function setKnownProcedures(names: Iterable<string>): void {
  knownProcedures = new Set(names);
}

/**
 * The `route` labels of one request path: the procedures of a tRPC call (unknown names
 * count as `trpc:unknown`), or one coarse kind. Exported for tests.
 */
export function routesOf(path: string): string[] {
  const pathname = path.split('?')[0] ?? '';
  if (pathname.startsWith('/api/trpc/')) {
    let names = pathname.slice('/api/trpc/'.length);
    try {
      names = decodeURIComponent(names);
    } catch {
      return ['trpc:unknown'];
    }
    return [...new Set(names.split(',').map((n) => (knownProcedures.has(n) ? n : 'trpc:unknown')))];
  }
  if (pathname.startsWith('/api/auth/')) return ['auth'];
  if (pathname.startsWith('/api/')) return ['api'];
  if (pathname.startsWith('/_next/') || pathname.startsWith('/pyodide/')) return ['static'];
  return ['page'];
}

/** One finished HTTP request (server.mjs calls this through `__lmsObserveHttp`). */
export function observeHttp(method: string, path: string, status: number, seconds: number): void {
  const m = webMetrics();
  const routes = routesOf(path);
  for (const route of routes) {
    m.httpDuration.observe({ route, method, status: String(status) }, seconds);
  }
  if (routes.includes('attempt.submit')) m.submissions.inc({ status: String(status) });
}

/** Lets server.mjs report each request; idempotent. */
export function installHttpObserver(): void {
  webMetrics();
  g.__lmsObserveHttp = observeHttp;
}

/** The Prometheus text exposition of every metric (gauges read their sources now). */
export async function renderWebMetrics(): Promise<{ contentType: string; body: string }> {
  const { registry } = webMetrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
