import { createServer, type Server } from 'node:http';
import type { GradeJobData, GradeResult } from '@lms/grading';
import type { Job, Queue, Worker } from 'bullmq';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { renderMetrics } from './http.ts';
import type { GradeService } from './service.ts';

/**
 * Health, readiness and metrics of a worker (`lms-grader worker` with GRADER_METRICS_PORT):
 * a plain HTTP listener beside the BullMQ worker, no secret (keep it on a private address).
 *
 * - `GET /healthz`: the process and its sandbox (liveness), with the jobs it runs;
 * - `GET /readyz`: 200 while it takes jobs (connected to Redis, not draining), else 503;
 * - `GET /metrics`: the service's exposition (`renderMetrics`: gradings by status, grading
 *   duration histogram, in flight, sandbox runs, CPU load) and the worker's own, by
 *   prom-client: jobs by outcome, the wait from enqueue to pick-up, the queue's jobs by state
 *   (read at scrape) and the process's CPU and memory (`lms_grader_process_*`).
 */

export type WorkerObservability = {
  /** the processor calls these around each job */
  jobStarted(job: Job<GradeJobData, GradeResult>): void;
  jobFinished(outcome: 'completed' | 'retried' | 'failed'): void;
  /** the worker and a read-only queue handle, once made */
  attach(worker: Worker<GradeJobData, GradeResult>, queue: Queue): void;
  /** from SIGTERM on: readiness answers 503 */
  setDraining(): void;
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
};

export function createWorkerObservability(service: GradeService): WorkerObservability {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lms_grader_' });
  let worker: Worker<GradeJobData, GradeResult> | null = null;
  let queue: Queue | null = null;
  let draining = false;
  let active = 0;

  const jobs = new Counter({
    name: 'lms_grader_jobs_total',
    help: 'Queue jobs this worker finished: completed (a verdict), retried (sandbox error, tried again), failed.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const wait = new Histogram({
    name: 'lms_grader_job_wait_seconds',
    help: 'From the job entering the queue to this worker picking it up.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  new Gauge({
    name: 'lms_grader_jobs_active',
    help: 'Jobs this worker is grading now.',
    registers: [registry],
    collect() {
      this.set(active);
    },
  });
  new Gauge({
    name: 'lms_grader_queue_jobs',
    help: 'Jobs of the grading queue by state (all workers), read at scrape time.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!queue) return;
      const counts = await Promise.race([
        queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
        new Promise<null>((r) => setTimeout(() => r(null), 2_000).unref()),
      ]).catch(() => null);
      if (!counts) return;
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });

  function takingJobs(): { ok: boolean; why: string } {
    if (draining) return { ok: false, why: 'draining (SIGTERM): finishing its jobs' };
    if (!worker) return { ok: false, why: 'the worker is starting' };
    if (!worker.isRunning()) return { ok: false, why: 'the worker is not running' };
    return { ok: true, why: 'taking jobs' };
  }

  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, { error: 'GET only' });
    if (path === '/healthz') {
      return send(200, {
        ok: true,
        mode: 'worker',
        engine: service.sandbox.engine,
        seccomp: service.sandbox.seccomp.active,
        cgroups: service.sandbox.cgroups.version,
        activeJobs: active,
        inFlight: service.inFlight,
        draining,
      });
    }
    if (path === '/readyz') {
      const state = takingJobs();
      return send(state.ok ? 200 : 503, { ready: state.ok, detail: state.why, activeJobs: active });
    }
    if (path === '/metrics') {
      void registry.metrics().then(
        (own) => send(200, renderMetrics(service) + own, registry.contentType),
        (error: Error) => send(500, { error: error.message }),
      );
      return;
    }
    send(404, { error: `no route ${req.method} ${path}` });
  });

  return {
    jobStarted(job) {
      active++;
      if (job.timestamp) wait.observe(Math.max(0, Date.now() - job.timestamp) / 1000);
    },
    jobFinished(outcome) {
      active--;
      jobs.inc({ outcome });
    },
    attach(w, q) {
      worker = w;
      queue = q;
    },
    setDraining() {
      draining = true;
    },
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const a = server.address();
          resolve(typeof a === 'object' && a ? `http://${host}:${a.port}` : String(a));
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
