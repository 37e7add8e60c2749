import { gradeResultSchema } from '@lms/grading';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildHttpServer } from '../../src/server/http.ts';
import type { GradeService } from '../../src/server/service.ts';
import { createService, describeSandbox } from './helpers.ts';

const SECRET = 'test-secret-0123456789abcdef';
const auth = { authorization: `Bearer ${SECRET}` };
const checks = {
  public:
    'from lms_checks import test\n@test("42")\ndef t(run):\n    assert run.lines == ["42"], "no 42"\n',
};

describeSandbox('HTTP service', () => {
  let service: GradeService;
  let app: FastifyInstance;

  beforeAll(async () => {
    // 2 runs + 1 queued grading: the 4th concurrent grading gets 503
    service = await createService({
      GRADER_UID_BASE: '62650',
      GRADER_MAX_RUNS: '2',
      GRADER_QUEUE_LIMIT: '1',
    });
    app = buildHttpServer(service, { secret: SECRET });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await service?.close();
  });

  it('grades with the secret and answers a GradeResult', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/grade',
      headers: auth,
      payload: { code: 'print(42)', checks },
    });
    expect(res.statusCode).toBe(200);
    const result = gradeResultSchema.parse(res.json());
    expect(result).toMatchObject({
      status: 'passed',
      engine: 'cpython-bwrap',
      unsafe: false,
      stdout: '42\n',
    });
  });

  it('refuses callers without the secret (401)', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: SECRET }]) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/grade',
        headers,
        payload: { code: 'print(42)', checks },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatch(/bearer/i);
    }
  });

  it('explains bad requests (400) with the field', async () => {
    let res = await app.inject({
      method: 'POST',
      url: '/v1/grade',
      headers: auth,
      payload: { code: 42 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/code: .*checks:/);
    res = await app.inject({
      method: 'POST',
      url: '/v1/grade',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"code": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBeTruthy();
    res = await app.inject({
      method: 'POST',
      url: '/v1/grade',
      headers: auth,
      payload: { code: 'x', checks, limits: { wallSeconds: 1e9 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/limits\.wallSeconds/);
  });

  it('answers 503 busy with Retry-After when the queue is full, never hangs', async () => {
    const sleeper = { code: 'import time\ntime.sleep(1.5)\nprint(42)', checks };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        app.inject({ method: 'POST', url: '/v1/grade', headers: auth, payload: sleeper }),
      ),
    );
    const codes = responses.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 200).length).toBe(3);
    expect(codes.filter((c) => c === 503).length).toBe(3);
    const busy = responses.find((r) => r.statusCode === 503)!;
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    expect(busy.json().error).toMatch(/busy/);
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toMatchObject({
      ok: true,
      engine: 'cpython-bwrap',
      pythonVersion: expect.stringMatching(/^3\./),
      // python3-seccomp is installed by scripts/setup.sh: the filter is on
      seccomp: true,
    });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const text = metrics.body;
    expect(text).toMatch(/^lms_grader_gradings_total\{status="passed"\} [1-9]\d*$/m);
    expect(text).toMatch(/^lms_grader_rejected_total [1-9]\d*$/m);
    expect(text).toMatch(/^lms_grader_grading_duration_seconds_bucket\{le="\+Inf"\} [1-9]\d*$/m);
    expect(text).toMatch(/^lms_grader_queue_depth 0$/m);
    expect(text).toMatch(/^lms_grader_in_flight 0$/m);
    const unknown = await app.inject({ method: 'GET', url: '/nope' });
    expect(unknown.statusCode).toBe(404);
    // readiness: taking gradings (the draining case: cli.ts sets isDraining on SIGTERM)
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true, inFlight: 0 });
  });
});
