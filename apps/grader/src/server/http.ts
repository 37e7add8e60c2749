import { timingSafeEqual } from 'node:crypto';
import { gradeStatusSchema, parseGradeRequest } from '@lms/grading';
import Fastify, { type FastifyInstance } from 'fastify';
import { log } from './log.ts';
import { BusyError, type GradeService } from './service.ts';

export interface HttpOptions {
  secret: string;
  /** request body cap in bytes */
  bodyLimit?: number;
  logger?: boolean;
  /** true from SIGTERM on: /readyz answers 503 while the gradings under way finish */
  isDraining?: () => boolean;
}

function secretMatches(header: string | undefined, secret: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Prometheus text exposition of the service's counters and gauges. */
export function renderMetrics(service: GradeService): string {
  const m = service.metrics;
  const { scheduler } = service.sandbox;
  const lines: string[] = [
    '# HELP lms_grader_gradings_total Gradings finished, by outcome.',
    '# TYPE lms_grader_gradings_total counter',
    ...gradeStatusSchema.options.map(
      (s) => `lms_grader_gradings_total{status="${s}"} ${m.byStatus.get(s) ?? 0}`,
    ),
    '# HELP lms_grader_grading_duration_seconds Wall time of a grading, queueing included.',
    '# TYPE lms_grader_grading_duration_seconds histogram',
  ];
  let cumulative = 0;
  m.buckets.forEach((le, i) => {
    cumulative += m.counts[i]!;
    lines.push(`lms_grader_grading_duration_seconds_bucket{le="${le}"} ${cumulative}`);
  });
  cumulative += m.counts[m.buckets.length]!;
  lines.push(
    `lms_grader_grading_duration_seconds_bucket{le="+Inf"} ${cumulative}`,
    `lms_grader_grading_duration_seconds_sum ${m.sum}`,
    `lms_grader_grading_duration_seconds_count ${m.total}`,
    '# HELP lms_grader_rejected_total Gradings refused with 503 busy.',
    '# TYPE lms_grader_rejected_total counter',
    `lms_grader_rejected_total ${m.rejected}`,
    '# HELP lms_grader_in_flight Gradings accepted and not finished.',
    '# TYPE lms_grader_in_flight gauge',
    `lms_grader_in_flight ${service.inFlight}`,
    '# HELP lms_grader_queue_depth Sandbox runs waiting for a slot.',
    '# TYPE lms_grader_queue_depth gauge',
    `lms_grader_queue_depth ${scheduler.waiting}`,
    '# HELP lms_grader_runs_running Sandboxed processes alive.',
    '# TYPE lms_grader_runs_running gauge',
    `lms_grader_runs_running ${scheduler.running}`,
    '# HELP lms_grader_runs_busy Sandboxed processes counted as using CPU.',
    '# TYPE lms_grader_runs_busy gauge',
    `lms_grader_runs_busy ${scheduler.busy}`,
    '# HELP lms_grader_cpu_load Cores the running programs use (sampled; unmeasured runs count as 1).',
    '# TYPE lms_grader_cpu_load gauge',
    `lms_grader_cpu_load ${scheduler.load.toFixed(3)}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The grader's HTTP API: POST /v1/grade (bearer secret), GET /healthz, GET /metrics. */
export function buildHttpServer(service: GradeService, options: HttpOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 2 * 1024 * 1024,
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    const message = status === 500 ? 'internal error of the grader' : error.message;
    if (status === 500) app.log.error(error);
    void reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: `no route ${request.method} ${request.url}` });
  });

  app.get('/healthz', async () => ({
    ok: true,
    engine: service.sandbox.engine,
    unsafe: service.sandbox.engine === 'cpython-unsafe',
    pythonVersion: service.sandbox.pythonVersion,
    mypy: service.sandbox.mypyAvailable,
    seccomp: service.sandbox.seccomp.active,
    cgroups: service.sandbox.cgroups.version,
    inFlight: service.inFlight,
    queued: service.sandbox.scheduler.waiting,
  }));

  // readiness: takes gradings (not draining, room in its bounded queue)
  app.get('/readyz', async (_request, reply) => {
    const draining = options.isDraining?.() ?? false;
    const full = service.inFlight >= service.capacity;
    const ready = !draining && !full;
    return reply.code(ready ? 200 : 503).send({
      ready,
      detail: draining
        ? 'draining (SIGTERM)'
        : full
          ? 'busy: its queue is full'
          : 'taking gradings',
      inFlight: service.inFlight,
      capacity: service.capacity,
    });
  });

  app.get('/metrics', async (_request, reply) => {
    void reply.type('text/plain; version=0.0.4; charset=utf-8');
    return renderMetrics(service);
  });

  app.post('/v1/grade', async (request, reply) => {
    if (!secretMatches(request.headers.authorization, options.secret)) {
      return reply
        .code(401)
        .send({ error: 'missing or wrong bearer token (Authorization: Bearer <GRADER_SECRET>)' });
    }
    const parsed = parseGradeRequest(request.body);
    if (!parsed.ok)
      return reply.code(400).send({ error: `invalid grade request: ${parsed.error}` });
    // the calling web request's id, when it sent one: in this grading's log line
    const sent = request.headers['x-request-id'];
    const requestId =
      typeof sent === 'string' && /^[A-Za-z0-9._:-]{1,80}$/.test(sent) ? sent : undefined;
    try {
      const result = await service.grade(parsed.request);
      log.info('graded', {
        requestId,
        status: result.status,
        ms: Math.round(result.durations.totalMs),
      });
      return result;
    } catch (error) {
      if (error instanceof BusyError) {
        return reply
          .code(503)
          .header('retry-after', String(error.retryAfterSeconds))
          .send({ error: error.message, retryAfterSeconds: error.retryAfterSeconds });
      }
      throw error;
    }
  });

  return app;
}
