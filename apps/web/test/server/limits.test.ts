import type { Db } from '@lms/db';
import {
  QUICK_CHECK_MAX_TESTS,
  QUICK_CHECK_MESSAGE_CHARS,
  QUICK_CHECK_OUTPUT_CHARS,
} from '@lms/grading';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createContextInner } from '../../src/server/context';
import { createFairLine, createInProcessTransport } from '../../src/server/grader/pipeline';
import { FINAL_CHECKS_IN_FLIGHT_CAP } from '../../src/server/services/attempts';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, gradeResult, makeUser, publishTestCourse } from './helpers';

// Issue 11, findings 1 and 6: bursts (a batched request, parallel calls) must not slip past the
// per-user limits; one user's burst must not delay others; quick checks are capped.

const contextFactory = vi.hoisted(() => ({
  make: null as null | (() => unknown),
  calls: 0,
}));
vi.mock('@/server/request-context', () => ({
  createRequestContext: async () => {
    contextFactory.calls++;
    return contextFactory.make?.();
  },
}));

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  await publishTestCourse(db);
});
afterAll(async () => {
  await t?.cleanup();
});

/** A transport whose grader answers only when `release()` is called. */
function gatedTransport() {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const transport = createInProcessTransport({
    db,
    grade: async () => {
      await gate;
      return gradeResult('timeout');
    },
    retryDelaysMs: [],
    log: () => {},
  });
  return { transport, release };
}

describe('attempt.submit limits under a burst', () => {
  it('30 concurrent submits of `while True: pass`: 2 accepted (in flight), 28 refused clearly', async () => {
    const { session } = await makeUser(db, 'student');
    const { transport, release } = gatedTransport();
    const api = callerFor(db, session, { grader: transport, submitsPerMinute: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        api.attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code: 'while True: pass' }),
      ),
    );
    const accepted = results.filter((r) => r.status === 'fulfilled');
    expect(accepted).toHaveLength(FINAL_CHECKS_IN_FLIGHT_CAP);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(r.reason).toMatchObject({
        code: 'TOO_MANY_REQUESTS',
        appCode: 'SUBMITS_IN_FLIGHT',
        message: expect.stringMatching(/already have 2 solutions waiting/),
      });
    }
    expect(await db.attempt.count({ where: { userId: session.user.id } })).toBe(2);
    release();
    await transport.idle();
    // once graded, the places are free again
    await expect(
      api.attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code: 'print(1)' }),
    ).resolves.toMatchObject({
      status: 'queued',
    });
    await transport.idle();
  });

  it('the per-minute limit holds under concurrent submits (graded at once, so never 2 in flight)', async () => {
    const { session } = await makeUser(db, 'student');
    const transport = createInProcessTransport({
      db,
      grade: async () => gradeResult('failed'),
      log: () => {},
    });
    const api = callerFor(db, session, { grader: transport, submitsPerMinute: 3 });
    let accepted = 0;
    const refused: unknown[] = [];
    // waves of 2 concurrent calls (the in-flight cap), each graded before the next
    for (let wave = 0; wave < 4; wave++) {
      const r = await Promise.allSettled([
        api.attempt.submit({ courseSlug: 'testcourse', taskId: 't2', code: `a${wave}` }),
        api.attempt.submit({ courseSlug: 'testcourse', taskId: 't2', code: `b${wave}` }),
      ]);
      accepted += r.filter((x) => x.status === 'fulfilled').length;
      refused.push(...r.flatMap((x) => (x.status === 'rejected' ? [x.reason] : [])));
      await transport.idle();
    }
    expect(accepted).toBe(3);
    expect(refused[0]).toMatchObject({
      appCode: 'RATE_LIMITED',
      message: expect.stringMatching(/at most 3 per minute\. Try again in \d+ s\./),
    });
  });
});

describe('fair grading order (in-process / HTTP transport)', () => {
  it('the waiting line is round-robin by user', async () => {
    const line = createFairLine(1);
    const order: string[] = [];
    let open!: () => void;
    const first = new Promise<void>((r) => {
      open = r;
    });
    const job = (user: string, n: number, wait?: Promise<void>) =>
      line.withSlot(user, async () => {
        order.push(`${user}${n}`);
        await wait;
      });
    const all = [job('A', 1, first)];
    for (let n = 2; n <= 5; n++) all.push(job('A', n));
    all.push(job('B', 1), job('C', 1), job('B', 2));
    expect(line.waiting).toBe(7);
    open();
    await Promise.all(all);
    expect(order).toEqual(['A1', 'A2', 'B1', 'C1', 'A3', 'B2', 'A4', 'A5']);
  });

  it("user A's 5 waiting attempts, then B's 1: B's is graded before A's 3rd", async () => {
    const a = await makeUser(db, 'student');
    const b = await makeUser(db, 'student');
    const release = await db.contentRelease.findFirstOrThrow({ where: { status: 'published' } });
    const make = (userId: string, code: string) =>
      db.attempt.create({
        data: {
          userId,
          taskId: 't1',
          courseId: release.courseId,
          releaseId: release.id,
          stage: 'final',
          code,
        },
      });
    // e.g. recovered after a restart: more than the in-flight cap, straight in the database
    const attempts = [];
    for (let n = 1; n <= 5; n++) attempts.push(await make(a.user.id, `A${n}`));
    attempts.push(await make(b.user.id, 'B1'));
    const graded: string[] = [];
    const transport = createInProcessTransport({
      db,
      concurrency: 1,
      grade: async (request) => {
        graded.push(request.code);
        await new Promise((r) => setTimeout(r, 5));
        return gradeResult('passed');
      },
      log: () => {},
    });
    for (const attempt of attempts) void transport.dispatch(attempt.id);
    await transport.idle();
    expect(graded).toHaveLength(6);
    expect(graded.indexOf('B1')).toBeLessThan(graded.indexOf('A3'));
  });
});

describe('attempt.recordQuick caps', () => {
  const quick = (over: Record<string, unknown> = {}) => ({
    courseSlug: 'testcourse',
    taskId: 't1',
    code: 'print(1)',
    result: { status: 'passed' as const, tests: [], ...over },
  });

  /** the input error the errorFormatter turns into INVALID_INPUT "result.tests: …" */
  const invalidAt = (path: Array<string | number>) => ({
    code: 'BAD_REQUEST',
    cause: { issues: [expect.objectContaining({ path })] },
  });

  it('refuses oversized parts and an oversized whole, storing nothing', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    const test = (message: string) => ({
      name: 'public test',
      status: 'failed' as const,
      message,
      durationMs: 1,
    });
    await expect(
      api.attempt.recordQuick(
        quick({ tests: Array.from({ length: QUICK_CHECK_MAX_TESTS + 1 }, () => test('x')) }),
      ),
    ).rejects.toMatchObject(invalidAt(['result', 'tests']));
    await expect(
      api.attempt.recordQuick(quick({ stdout: 'x'.repeat(QUICK_CHECK_OUTPUT_CHARS + 1) })),
    ).rejects.toMatchObject(invalidAt(['result', 'stdout']));
    await expect(
      api.attempt.recordQuick(quick({ tests: [test('y'.repeat(QUICK_CHECK_MESSAGE_CHARS + 1))] })),
    ).rejects.toMatchObject(invalidAt(['result', 'tests', 0, 'message']));
    // every part within its cap, the whole over 256 KiB
    await expect(
      api.attempt.recordQuick(
        quick({
          tests: Array.from({ length: QUICK_CHECK_MAX_TESTS }, () =>
            test('m'.repeat(QUICK_CHECK_MESSAGE_CHARS)),
          ),
        }),
      ),
    ).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      appCode: 'QUICK_RESULT_TOO_LARGE',
      message: expect.stringMatching(/quick check result is \d+ KiB; the limit is 256 KiB/),
    });
    expect(await db.attempt.count({ where: { userId: session.user.id } })).toBe(0);
    // a normal one is stored
    await expect(api.attempt.recordQuick(quick({ tests: [test('ok')] }))).resolves.toMatchObject({
      status: 'passed',
    });
  });

  it('31 concurrent quick checks: 30 stored, 1 refused with the wait', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    const results = await Promise.allSettled(
      Array.from({ length: 31 }, () => api.attempt.recordQuick(quick())),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(30);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.reason).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      appCode: 'QUICK_RATE_LIMITED',
      message: expect.stringMatching(/at most 30 per minute\. Try again in \d+ s\./),
    });
    expect(await db.attempt.count({ where: { userId: session.user.id } })).toBe(30);
  });
});

describe('tRPC batch cap (route handler)', () => {
  const batch = (n: number) =>
    new Request(
      `http://localhost/api/trpc/${Array.from({ length: n }, () => 'attempt.submit').join(',')}?batch=1`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          Object.fromEntries(
            Array.from({ length: n }, (_, i) => [
              i,
              { json: { courseSlug: 'testcourse', taskId: 't1', code: 'while True: pass' } },
            ]),
          ),
        ),
      },
    );

  it('a batch of 30 calls is refused with 400 before any context or procedure', async () => {
    const { POST } = await import('../../src/app/api/trpc/[trpc]/route');
    contextFactory.calls = 0;
    const res = await POST(batch(30));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { json: Record<string, unknown> } };
    expect(body.error.json).toMatchObject({
      message: 'Too many calls in one request: 30; the limit is 10.',
      data: {
        code: 'BAD_REQUEST',
        appCode: 'BATCH_TOO_LARGE',
        appParams: { count: 30, limit: 10 },
      },
    });
    expect(contextFactory.calls).toBe(0);
    expect((await POST(batch(11))).status).toBe(400);
    expect(contextFactory.calls).toBe(0);
  });

  it('a malformed escape in a batched path is not a server error', async () => {
    const { GET } = await import('../../src/app/api/trpc/[trpc]/route');
    const res = await GET(new Request('http://localhost/api/trpc/%E0?batch=1&input=%7B%7D'));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('a batch of 10 calls goes through (and the limits above apply)', async () => {
    const { POST } = await import('../../src/app/api/trpc/[trpc]/route');
    const { session } = await makeUser(db, 'student');
    const { transport, release } = gatedTransport();
    contextFactory.calls = 0;
    contextFactory.make = () =>
      createContextInner({ db, session, grader: transport, submitsPerMinute: 10 });
    const res = await POST(batch(10));
    expect(res.status).not.toBe(400);
    await res.text();
    expect(contextFactory.calls).toBeGreaterThan(0);
    expect(await db.attempt.count({ where: { userId: session.user.id } })).toBe(2);
    release();
    await transport.idle();
  });
});
