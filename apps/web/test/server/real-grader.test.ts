import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileCourse } from '@lms/content';
import { type Db, publishCompiledCourse } from '@lms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeOverHttp } from '../../src/server/grader/http';
import { createInProcessTransport } from '../../src/server/grader/pipeline';
import { clearContentCache } from '../../src/server/services/content';
import { callerFor, createTestDb, makeUser, startGraderService } from './helpers';

// The real grader service (apps/grader) on a random port, graded through the web's routers.
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = `${repo}apps/grader/bin/lms-grader.mjs`;
const available = existsSync(bin) && existsSync('/usr/bin/python3');
if (!available) console.warn(`real-grader test skipped: ${bin} or /usr/bin/python3 missing`);

const TASK = 'python_chapter_0320_task_0020';
const SECRET = 'integration-secret-0123456789abcdef';

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let grader: Awaited<ReturnType<typeof startGraderService>> | undefined;
let url = '';

describe.skipIf(!available)('final check through the real grader service', () => {
  beforeAll(async () => {
    t = await createTestDb();
    db = t.db;
    clearContentCache();
    const { course, errors } = compileCourse(`${repo}packages/content/courses/python`);
    expect(errors).toEqual([]);
    await publishCompiledCourse(db, { compiled: course, source: {}, publishedById: null });

    // its own slot uids: the course doctor's tests run `lms-grader` on the default range
    grader = await startGraderService({ uidBase: 63500, secret: SECRET });
    url = grader.url;
  });

  afterAll(async () => {
    await grader?.stop();
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
    expect(g.status, `${g.message}\n${JSON.stringify(g.results)}\n${grader?.log()}`).toBe('passed');
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
