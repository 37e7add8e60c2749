import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/client.ts';
import {
  createAttemptWithinLimits,
  createFinalAttemptWithinLimits,
  createUser,
  recordAttemptResult,
  recordQuickCheckWithinLimits,
} from '../src/index.ts';
import { makeCourse, migratedDb, PROVIDERS_UNDER_TEST } from './helpers.ts';

// Issue 11: the submit limit was a count followed by an insert, so a burst of concurrent
// submits all saw the same count and all got in. The limited create decides in one
// transaction that serialises per user.
describe.each(PROVIDERS_UNDER_TEST)('attempt limits are atomic (%s)', (provider) => {
  let db: Db;
  let close: () => Promise<void>;
  let courseId: string;
  let n = 0;
  const newUser = async () =>
    (await createUser(db, { email: `limits-${n++}@example.org`, name: 'L' })).id;

  beforeAll(async () => {
    ({ db, close } = await migratedDb(provider));
    courseId = await makeCourse(db);
  }, 60_000);
  afterAll(async () => close?.());

  it('30 concurrent final creates with a limit of 10 per minute: exactly 10 stored', async () => {
    const userId = await newUser();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        createFinalAttemptWithinLimits(
          db,
          { userId, courseId, taskId: 'task_l', code: `while True: pass${' '.repeat(i)}` },
          { perWindow: 10, windowMs: 60_000 },
        ),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(20);
    for (const r of refused) {
      expect(r).toMatchObject({ ok: false, limit: 'rate', count: 10, retryAt: expect.any(Date) });
    }
    expect(await db.attempt.count({ where: { userId, stage: 'final' } })).toBe(10);
  }, 60_000);

  it('30 concurrent final creates with at most 2 pending: exactly 2 stored; a verdict frees a place', async () => {
    const userId = await newUser();
    const limits = { perWindow: 100, windowMs: 60_000, maxPending: 2 };
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        createFinalAttemptWithinLimits(
          db,
          { userId, courseId, taskId: 'task_p', code: 'x' },
          limits,
        ),
      ),
    );
    const accepted = results.flatMap((r) => (r.ok ? [r.attempt] : []));
    expect(accepted).toHaveLength(2);
    expect(results.filter((r) => !r.ok)).toEqual(
      Array.from({ length: 28 }, () => ({ ok: false, limit: 'pending', pending: 2 })),
    );
    // quick checks are not final checks in flight
    const quick = await createAttemptWithinLimits(
      db,
      { userId, courseId, taskId: 'task_p', code: 'q', stage: 'quick' },
      { perWindow: 10, windowMs: 60_000 },
    );
    expect(quick.ok).toBe(true);
    await recordAttemptResult(db, { attemptId: accepted[0]!.id }, { status: 'failed' });
    const next = await createFinalAttemptWithinLimits(
      db,
      { userId, courseId, taskId: 'task_p', code: 'y' },
      limits,
    );
    expect(next.ok).toBe(true);
  }, 60_000);

  it('a pending attempt whose dispatch was lost stops counting once stale (no lock-out)', async () => {
    const userId = await newUser();
    const limits = { perWindow: 100, windowMs: 60_000, maxPending: 2 };
    for (const code of ['a', 'b']) {
      expect(
        (await createFinalAttemptWithinLimits(db, { userId, courseId, taskId: 't', code }, limits))
          .ok,
      ).toBe(true);
    }
    expect(
      await createFinalAttemptWithinLimits(
        db,
        { userId, courseId, taskId: 't', code: 'c' },
        limits,
      ),
    ).toMatchObject({
      ok: false,
      limit: 'pending',
    });
    // eleven minutes later both are still queued (nobody graded them), and the student may submit
    const later = new Date(Date.now() + 11 * 60_000);
    const next = await createFinalAttemptWithinLimits(
      db,
      { userId, courseId, taskId: 't', code: 'd' },
      { ...limits, now: later },
    );
    expect(next.ok).toBe(true);
  }, 60_000);

  it("one user's limit does not touch another's; the window slides; unknown users are refused", async () => {
    const a = await newUser();
    const b = await newUser();
    const limits = { perWindow: 3, windowMs: 60_000 };
    const [ra, rb] = await Promise.all([
      Promise.all(
        Array.from({ length: 6 }, () =>
          createFinalAttemptWithinLimits(
            db,
            { userId: a, courseId, taskId: 't', code: 'a' },
            limits,
          ),
        ),
      ),
      Promise.all(
        Array.from({ length: 2 }, () =>
          createFinalAttemptWithinLimits(
            db,
            { userId: b, courseId, taskId: 't', code: 'b' },
            limits,
          ),
        ),
      ),
    ]);
    expect(ra.filter((r) => r.ok)).toHaveLength(3);
    expect(rb.filter((r) => r.ok)).toHaveLength(2);
    const refused = ra.find((r) => !r.ok);
    const oldest = await db.attempt.findFirstOrThrow({
      where: { userId: a },
      orderBy: { createdAt: 'asc' },
    });
    expect(refused).toMatchObject({
      limit: 'rate',
      retryAt: new Date(oldest.createdAt.getTime() + 60_000),
    });
    // a minute later the window is free again
    const later = await createFinalAttemptWithinLimits(
      db,
      { userId: a, courseId, taskId: 't', code: 'later' },
      { ...limits, now: new Date(Date.now() + 61_000) },
    );
    expect(later.ok).toBe(true);
    await expect(
      createFinalAttemptWithinLimits(
        db,
        { userId: 'nobody', courseId, taskId: 't', code: 'x' },
        limits,
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 60_000);

  it('40 concurrent quick checks with a limit of 30 per minute: 30 stored with their verdicts', async () => {
    const userId = await newUser();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recordQuickCheckWithinLimits(
          db,
          { userId, courseId, taskId: 'task_q', code: `print(${i})`, result: { status: 'passed' } },
          { perWindow: 30, windowMs: 60_000 },
        ),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(30);
    expect(results.filter((r) => !r.ok && r.limit === 'rate')).toHaveLength(10);
    expect(await db.attempt.count({ where: { userId, stage: 'quick', status: 'passed' } })).toBe(
      30,
    );
    expect(await db.attempt.count({ where: { userId } })).toBe(30);
    const p = await db.progress.findUniqueOrThrow({
      where: { userId_courseId_taskId: { userId, courseId, taskId: 'task_q' } },
    });
    expect(p.quickChecks).toBe(30);
  }, 60_000);
});
