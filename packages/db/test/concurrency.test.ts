import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/client.ts';
import { createAttempt, createUser, recordAttemptResult } from '../src/index.ts';
import { makeCourse, migratedDb, PROVIDERS_UNDER_TEST } from './helpers.ts';

describe.each(PROVIDERS_UNDER_TEST)('concurrent attempts (%s)', (provider) => {
  let db: Db;
  let url: string;
  let close: () => Promise<void>;
  let userId: string;
  let courseId: string;
  beforeAll(async () => {
    const m = await migratedDb(provider);
    ({ db, close } = m);
    url = m.target.url;
    userId = (await createUser(db, { email: 'c@example.org', name: 'C' })).id;
    courseId = await makeCourse(db);
  }, 60_000);
  afterAll(async () => close?.());

  it('100 concurrent inserts for one user: none lost, none duplicated; verdicts delivered twice count once', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        createAttempt(db, {
          userId,
          courseId,
          taskId: 'task_c',
          stage: i % 2 ? 'quick' : 'final',
          code: `print(${i})`,
        }),
      ),
    );
    const ids = new Set(results.map((r) => r.attempt.id));
    expect(ids.size).toBe(100);
    const rows = await db.attempt.findMany({
      where: { userId, taskId: 'task_c' },
      select: { id: true, code: true },
    });
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.code)).size).toBe(100);

    const verdicts = await Promise.all(
      [...ids, ...ids].map((id) =>
        recordAttemptResult(db, { attemptId: id }, { status: 'passed' }),
      ),
    );
    expect(verdicts.filter((v) => v.recorded)).toHaveLength(100);
    const p = await db.progress.findUniqueOrThrow({
      where: { userId_courseId_taskId: { userId, courseId, taskId: 'task_c' } },
    });
    expect(p.attempts).toBe(50);
    expect(p.quickChecks).toBe(50);
    expect(p.firstSolvedAt).toBeInstanceOf(Date);
  }, 120_000);

  it.runIf(provider === 'sqlite')(
    '4 processes × 25 concurrent inserts into one SQLite file (WAL + busy timeout)',
    async () => {
      const worker = fileURLToPath(new URL('./fixtures/insert-worker.ts', import.meta.url));
      const run = (tag: string) =>
        new Promise<string[]>((resolve, reject) => {
          execFile(
            process.execPath,
            ['--import', 'tsx', worker, url, userId, courseId, tag, '25'],
            { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 90_000 },
            (error, stdout, stderr) =>
              error
                ? reject(new Error(`${error.message}\n${stderr}`))
                : resolve(JSON.parse(stdout)),
          );
        });
      const ids = (await Promise.all(['a', 'b', 'c', 'd'].map(run))).flat();
      expect(new Set(ids).size).toBe(100);
      expect(await db.attempt.count({ where: { userId, taskId: 'task_p' } })).toBe(100);
      expect(
        await db.attempt.count({ where: { userId, taskId: 'task_p', status: 'failed' } }),
      ).toBe(100);
      const p = await db.progress.findUniqueOrThrow({
        where: { userId_courseId_taskId: { userId, courseId, taskId: 'task_p' } },
      });
      expect(p.attempts).toBe(100);
    },
    120_000,
  );

  it('a retried create with the same idempotency key, 10 times at once, stores one attempt', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        createAttempt(db, {
          userId,
          courseId,
          taskId: 'task_k',
          stage: 'final',
          code: 'x',
          idempotencyKey: 'job-42',
        }),
      ),
    );
    expect(new Set(results.map((r) => r.attempt.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db.attempt.count({ where: { idempotencyKey: 'job-42' } })).toBe(1);
  }, 60_000);
});
