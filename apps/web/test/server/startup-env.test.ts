import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Db } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startupEnvProblem } from '../../src/env';
import { createQueueTransport } from '../../src/server/grader/queue';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, makeUser, publishTestCourse } from './helpers';

// Issue 14: fail fast at start. A missing BETTER_AUTH_SECRET (or GRADER_SECRET with the HTTP
// transport) stops the server before its first request with one line naming the variable,
// instead of "Ready" and a 500 on every sign-in; queue mode needs no GRADER_SECRET. With Redis
// down at start (queue mode), pages are served, one line says so, and a submission is refused
// with GRADER_UNAVAILABLE, storing nothing.

const webDir = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'a-secret-of-at-least-thirty-two-characters-0123';

describe('required variables at start', () => {
  const production = { NODE_ENV: 'production' };

  it('names the missing secret, in one line', () => {
    const problem = startupEnvProblem({ ...production, GRADER_SECRET: SECRET });
    expect(problem).toMatch(/^cannot start: BETTER_AUTH_SECRET is required in production/);
    expect(problem).not.toContain('\n');
    expect(startupEnvProblem({ ...production, BETTER_AUTH_SECRET: SECRET })).toMatch(
      /^cannot start: GRADER_SECRET is required in production with GRADER_TRANSPORT=http/,
    );
    const both = startupEnvProblem(production);
    expect(both).toMatch(/BETTER_AUTH_SECRET.*; GRADER_SECRET/);
    expect(both).not.toContain('\n');
  });

  it('queue mode needs no GRADER_SECRET; development needs neither; a bad value is named', () => {
    expect(
      startupEnvProblem({ ...production, GRADER_TRANSPORT: 'queue', BETTER_AUTH_SECRET: SECRET }),
    ).toBeNull();
    expect(
      startupEnvProblem({ ...production, BETTER_AUTH_SECRET: SECRET, GRADER_SECRET: SECRET }),
    ).toBeNull();
    expect(startupEnvProblem({ NODE_ENV: 'development' })).toBeNull();
    expect(
      startupEnvProblem({
        ...production,
        BETTER_AUTH_SECRET: 'short',
        GRADER_SECRET: SECRET,
      }),
    ).toBe('cannot start: BETTER_AUTH_SECRET must be at least 32 characters');
  });

  it("the server's start-up hook exits with that one line before serving", async () => {
    // what `next start` and server.mjs run before their first request (app.prepare)
    const env = {
      PATH: process.env.PATH ?? '',
      NEXT_RUNTIME: 'nodejs',
      NODE_ENV: 'production',
      GRADER_TRANSPORT: 'queue',
    } as NodeJS.ProcessEnv;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "const m = await import('./src/instrumentation.ts'); await m.register(); console.log('SERVING');",
      ],
      { cwd: webDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(stdout).not.toContain('SERVING');
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^\[web\] cannot start: BETTER_AUTH_SECRET is required in production \(at least 32/,
      ),
    ]);
  }, 60_000);
});

describe('queue mode with Redis down at start', () => {
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

  it('one log line; pages served; a submission refused with GRADER_UNAVAILABLE, nothing stored', async () => {
    // a port nothing listens on: refused at once
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));

    const lines: string[] = [];
    let firstLine!: () => void;
    const logged = new Promise<void>((r) => {
      firstLine = r;
    });
    const transport = await createQueueTransport({
      db,
      redisUrl: `redis://127.0.0.1:${port}`,
      queueName: `lms-grade-startup-${process.pid}`,
      connectTimeoutMs: 1_000,
      reconnectBackoffMs: { min: 20, max: 50 },
      log: (line) => {
        lines.push(line);
        firstLine();
      },
    });
    try {
      transport.start(); // as at the web's start: connects in the background
      await logged;
      expect(lines[0]).toMatch(
        /^cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(GRADER_TRANSPORT=queue\): .*final checks are refused as "grading unavailable" until Redis is reachable/,
      );

      // an anonymous catalog page and a signed-in chapter page do not need the queue
      const anonymous = callerFor(db, null, { grader: transport });
      expect((await anonymous.course.list()).map((c) => c.slug)).toContain('testcourse');
      const { session } = await makeUser(db, 'student');
      const api = callerFor(db, session, { grader: transport });
      await expect(api.chapter.get({ course: 'testcourse', chapter: 'c1' })).resolves.toBeTruthy();

      // submissions: a clear refusal, nothing stored, several times over (the background
      // keeps trying; one line for the outage, not one per try)
      for (let i = 0; i < 3; i++) {
        await expect(
          api.attempt.submit({ courseSlug: 'testcourse', taskId: 't1', code: 'print(1)' }),
        ).rejects.toMatchObject({
          appCode: 'GRADER_UNAVAILABLE',
          message: expect.stringMatching(/Grading is unavailable right now/),
        });
      }
      expect(await db.attempt.count({ where: { userId: session.user.id } })).toBe(0);
      expect(lines.filter((l) => /Redis/.test(l))).toHaveLength(1);
    } finally {
      await transport.close();
    }
  }, 30_000);
});
