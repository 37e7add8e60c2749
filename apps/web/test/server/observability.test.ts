import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetEnvForTests } from '../../src/env';
import { readiness } from '../../src/server/lifecycle';
import { currentRequestId, formatLogLine, log, withRequestId } from '../../src/server/log';
import {
  observeHttp,
  renderWebMetrics,
  routesOf,
  setKnownProcedures,
  setMetricSources,
} from '../../src/server/metrics';
import { createTestDb } from './helpers';

// issue 14: the web's /api/metrics (prom-client), /api/readyz and its JSON-lines logs
describe('web metrics, readiness and logs', () => {
  let db: Db;
  let url: string;
  let cleanup: () => Promise<void>;
  let grader: Server;
  let graderReady = true;
  const saved = { ...process.env };

  beforeAll(async () => {
    ({ db, url, cleanup } = await createTestDb());
    // a stand-in for the grader service's /readyz
    grader = createServer((req, res) => {
      res.writeHead(req.url === '/readyz' && graderReady ? 200 : 503).end('{}');
    });
    await new Promise<void>((r) => grader.listen(0, '127.0.0.1', r));
    const port = (grader.address() as AddressInfo).port;
    Object.assign(process.env, {
      DATABASE_URL: url,
      GRADER_URL: `http://127.0.0.1:${port}`,
      GRADER_TRANSPORT: 'http',
    });
    resetEnvForTests();
    setKnownProcedures(['attempt.submit', 'attempt.get', 'draft.save']);
    setMetricSources({ db: () => db });
  });
  afterAll(async () => {
    process.env = saved;
    resetEnvForTests();
    await new Promise((r) => grader?.close(r));
    (globalThis as { __lmsDraining?: boolean }).__lmsDraining = undefined;
    await cleanup?.();
  });

  it('labels a request by its tRPC procedures or a coarse kind, never by the raw path', () => {
    expect(routesOf('/api/trpc/attempt.submit')).toEqual(['attempt.submit']);
    expect(routesOf('/api/trpc/attempt.get,draft.save?batch=1&input=%7B%7D')).toEqual([
      'attempt.get',
      'draft.save',
    ]);
    expect(routesOf('/api/trpc/made.up,attempt.get')).toEqual(['trpc:unknown', 'attempt.get']);
    expect(routesOf('/api/trpc/%E0%A4%A')).toEqual(['trpc:unknown']);
    expect(routesOf('/api/auth/sign-in/email')).toEqual(['auth']);
    expect(routesOf('/api/readyz')).toEqual(['api']);
    expect(routesOf('/_next/static/chunks/x.js')).toEqual(['static']);
    expect(routesOf('/courses/python/chapters/python_chapter_0320')).toEqual(['page']);
  });

  it('exposes request durations, submissions and pending attempts in Prometheus text', async () => {
    observeHttp('POST', '/api/trpc/attempt.submit', 200, 0.04);
    observeHttp('POST', '/api/trpc/attempt.submit', 429, 0.01);
    observeHttp('GET', '/courses/python', 200, 0.2);
    const { contentType, body } = await renderWebMetrics();
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toContain(
      'lms_web_http_request_duration_seconds_bucket{le="0.05",route="attempt.submit",method="POST",status="200"} 1',
    );
    expect(body).toContain(
      'lms_web_http_request_duration_seconds_count{route="page",method="GET",status="200"} 1',
    );
    expect(body).toContain('lms_web_submissions_total{status="200"} 1');
    expect(body).toContain('lms_web_submissions_total{status="429"} 1');
    // read from the database at scrape time: nothing pending in a fresh one
    expect(body).toContain('lms_web_attempts_pending{status="queued"} 0');
    expect(body).toMatch(/^lms_web_process_cpu_seconds_total \d/m);
  });

  it('is ready with the database up, reports the grader, and is not ready while draining', async () => {
    const up = await readiness();
    expect(up).toMatchObject({
      ready: true,
      draining: false,
      checks: { database: { ok: true, detail: 'sqlite' }, grader: { ok: true } },
    });
    graderReady = false;
    const noGrader = await readiness();
    // the grader is reported, not required: pages work without it, checks wait for it
    expect(noGrader.ready).toBe(true);
    expect(noGrader.checks.grader).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/503/),
    });
    (globalThis as { __lmsDraining?: boolean }).__lmsDraining = true;
    expect(await readiness()).toMatchObject({ ready: false, draining: true });
  });

  it('writes one JSON line per event, carrying the request id of the request it runs for', async () => {
    expect(currentRequestId()).toBeUndefined();
    const line = await withRequestId('req-42', async () => {
      await new Promise((r) => setTimeout(r, 1));
      return formatLogLine(
        'info',
        'verdict stored',
        { attemptId: 'a1', status: 'passed' },
        new Date(0),
      );
    });
    expect(JSON.parse(line)).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'info',
      service: 'web',
      pid: process.pid,
      msg: 'verdict stored',
      requestId: 'req-42',
      attemptId: 'a1',
      status: 'passed',
    });
  });

  it('LMS_LOG_LEVEL drops the lines below it (info by default)', () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const before = process.env.LMS_LOG_LEVEL;
    try {
      delete process.env.LMS_LOG_LEVEL;
      log.info('shown by default');
      process.env.LMS_LOG_LEVEL = 'warn';
      log.info('dropped at warn');
      log.warn('kept at warn');
      process.env.LMS_LOG_LEVEL = 'nonsense';
      log.info('an unknown level is info');
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
      if (before === undefined) delete process.env.LMS_LOG_LEVEL;
      else process.env.LMS_LOG_LEVEL = before;
    }
    expect(out.map((l) => JSON.parse(l).msg)).toEqual([
      'shown by default',
      'kept at warn',
      'an unknown level is info',
    ]);
  });

  it('/api/metrics: with METRICS_TOKEN set, only the bearer of the token gets the figures', async () => {
    const { GET } = await import('../../src/app/api/metrics/route');
    const get = (authorization?: string) =>
      GET(
        new Request('http://localhost/api/metrics', {
          headers: authorization ? { authorization } : {},
        }),
      );
    expect((await get()).status).toBe(200);
    process.env.METRICS_TOKEN = 'scrape-me-please';
    resetEnvForTests();
    try {
      expect((await get()).status).toBe(401);
      expect((await get('Bearer wrong-token-same-len')).status).toBe(401);
      const ok = await get('Bearer scrape-me-please');
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('# TYPE');
    } finally {
      delete process.env.METRICS_TOKEN;
      resetEnvForTests();
    }
  });
});
