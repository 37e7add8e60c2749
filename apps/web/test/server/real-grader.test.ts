import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { compileCourse } from '@lms/content';
import { type Db, publishCompiledCourse } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeOverHttp } from '../../src/server/grader/http';
import { createInProcessTransport } from '../../src/server/grader/pipeline';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, makeUser } from './helpers';

// The real grader service (apps/grader) on a random port, graded through the web's routers.
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = `${repo}apps/grader/bin/lms-grader.mjs`;
const available = existsSync(bin) && existsSync('/usr/bin/python3');
if (!available) console.warn(`real-grader test skipped: ${bin} or /usr/bin/python3 missing`);

const TASK = 'python_chapter_0320_task_0020';
const SECRET = 'integration-secret-0123456789abcdef';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let child: ChildProcess | undefined;
let url = '';
let log = '';

describe.skipIf(!available)('final check through the real grader service', () => {
  beforeAll(async () => {
    t = await createTestDb();
    db = t.db;
    clearContentCache();
    const { course, errors } = compileCourse(`${repo}packages/content/courses/python`);
    expect(errors).toEqual([]);
    await publishCompiledCourse(db, { compiled: course, source: {}, publishedById: null });

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [bin, 'serve'], {
      cwd: repo,
      env: {
        ...process.env,
        GRADER_HOST: '127.0.0.1',
        GRADER_PORT: String(port),
        GRADER_SECRET: SECRET,
        // its own slot uids: the course doctor's tests run `lms-grader` on the default range
        GRADER_UID_BASE: '63500',
        GRADER_MAX_RUNS: '16',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      log += d;
    });
    child.stderr?.on('data', (d) => {
      log += d;
    });
    // its start (node, tsx, the sandbox's launchers) on a busy machine
    const deadline = Date.now() + 90_000;
    for (;;) {
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`grader did not start (exit ${child.exitCode}):\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child?.once('exit', r));
    }
    await t?.cleanup();
  });

  it('passes the reference answer and fails the time.sleep version with the right message', async () => {
    const transport = createInProcessTransport({
      db,
      grade: (request) => gradeOverHttp(request, { url, secret: SECRET, timeoutMs: 60_000 }),
      log: (line) => console.warn(line),
    });
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session, { grader: transport });
    const chapter = await api.chapter.get({ course: 'python', chapter: 'python_chapter_0320' });
    const task = chapter.chapter.tasks.find((x) => x.id === TASK)!;
    expect(task.answer).toBeNull();
    const { compileCourse: again } = await import('@lms/content');
    const answer = again(`${repo}packages/content/courses/python`).course!.chapters[0]!.tasks.find(
      (x) => x.id === TASK,
    )!.answer;

    const good = await api.attempt.submit({ courseSlug: 'python', taskId: TASK, code: answer });
    const bad = await api.attempt.submit({
      courseSlug: 'python',
      taskId: TASK,
      code: task.starter,
    });
    await transport.idle();

    const g = await api.attempt.get({ courseSlug: 'python', id: good.id });
    expect(g.status, `${g.message}\n${JSON.stringify(g.results)}\n${log}`).toBe('passed');
    expect(g.pythonVersion).toMatch(/^3\.\d+/);
    expect(g.results.some((r) => r.hidden)).toBe(true);

    const b = await api.attempt.get({ courseSlug: 'python', id: bad.id });
    expect(b.status).toBe('failed');
    const sleepTest = b.results.find((r) => r.message?.includes('time.sleep'));
    expect(sleepTest?.message).toMatch(/time\.sleep\(\).*asyncio\.sleep/s);
    expect(JSON.stringify(b)).not.toMatch(/Traceback \(most recent call last\)/);

    const after = await api.chapter.get({ course: 'python', chapter: 'python_chapter_0320' });
    const p = after.chapter.tasks.find((x) => x.id === TASK)!;
    expect(p.progress?.solved).toBe(true);
    expect(p.answerState.available).toBe(true);
  }, 120_000);
});
