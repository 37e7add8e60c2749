import type { Job, Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogLine } from '../../src/server/log.ts';
import { createWorkerObservability, type WorkerObservability } from '../../src/server/observe.ts';
import { GradeMetrics, type GradeService } from '../../src/server/service.ts';

// the parts of a GradeService the worker's endpoints read (no sandbox needed)
const service = {
  metrics: new GradeMetrics(),
  inFlight: 0,
  sandbox: {
    engine: 'cpython-bwrap',
    seccomp: { active: true },
    cgroups: { version: 2 },
    scheduler: { waiting: 0, running: 0, busy: 0, load: 0 },
  },
} as unknown as GradeService;

describe('worker health, readiness and metrics (observe.ts)', () => {
  let observe: WorkerObservability;
  let base: string;
  let running = true;

  beforeAll(async () => {
    observe = createWorkerObservability(service);
    base = await observe.listen('127.0.0.1', 0);
  });
  afterAll(async () => {
    await observe?.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('is live at once, ready only once its worker runs, and not ready while draining', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const starting = await get('/readyz');
    expect(starting.status).toBe(503);
    expect(JSON.parse(starting.text).detail).toMatch(/starting/);

    const worker = { isRunning: () => running } as unknown as Worker;
    const queue = {
      getJobCounts: async () => ({ waiting: 3, prioritized: 2, active: 1, delayed: 0, failed: 0 }),
    } as unknown as Queue;
    observe.attach(worker as never, queue);
    expect((await get('/readyz')).status).toBe(200);
    running = false;
    expect(JSON.parse((await get('/readyz')).text).detail).toMatch(/not running/);
    running = true;
    observe.setDraining();
    const draining = await get('/readyz');
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.text).detail).toMatch(/draining/);
  });

  it('serves Prometheus text: gradings, job waits and outcomes, the queue by state, process CPU', async () => {
    observe.jobStarted({ timestamp: Date.now() - 1500 } as Job as never);
    observe.jobFinished('completed');
    const { status, type, text } = await get('/metrics');
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    expect(text).toContain('lms_grader_gradings_total{status="passed"} 0');
    expect(text).toContain('lms_grader_jobs_total{outcome="completed"} 1');
    expect(text).toMatch(
      /lms_grader_job_wait_seconds_bucket\{le="1"\} 0\nlms_grader_job_wait_seconds_bucket\{le="2.5"\} 1/,
    );
    expect(text).toContain('lms_grader_queue_jobs{state="waiting"} 3');
    expect(text).toContain('lms_grader_queue_jobs{state="prioritized"} 2');
    expect(text).toMatch(/^lms_grader_process_cpu_seconds_total \d/m);
  });
});

it('logs one JSON object per line, with the request id and without undefined fields', () => {
  const line = formatLogLine(
    'info',
    'job graded',
    { jobId: 'a1', requestId: 'r-1', waitedMs: undefined },
    new Date(0),
  );
  expect(JSON.parse(line)).toEqual({
    time: '1970-01-01T00:00:00.000Z',
    level: 'info',
    service: 'grader',
    pid: process.pid,
    msg: 'job graded',
    jobId: 'a1',
    requestId: 'r-1',
  });
});
