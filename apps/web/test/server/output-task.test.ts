import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CompiledCourse } from '@lms/content/schema';
import { type Db, publishCompiledCourse } from '@lms/db';
import type { GradeRequest } from '@lms/grading';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outputVerdictOf } from '../../src/components/chapter/output-verdict';
import { gradeOverHttp } from '../../src/server/grader/http';
import { createInProcessTransport } from '../../src/server/grader/pipeline';
import { clearContentCache } from '../../src/server/services/content';
import {
  callerFor,
  createTestDb,
  type FakeGrader,
  gradeResult,
  makeUser,
  startFakeGrader,
  startGraderService,
} from './helpers';

/**
 * "What does this print?" tasks through `attempt.submit`, as the output task's UI submits them:
 * one with a senjun wrapper_test is graded by the wrapper in the grader (the typed text
 * normalised first), one without is compared in-process. The fake grader shows what is sent;
 * the real one (apps/grader, when it can run here) shows the wrapper deciding.
 */

const pos = { file: 'c1/text.md', line: 1, column: 1 };
const para = (text: string) => ({
  kind: 'paragraph' as const,
  children: [{ type: 'text' as const, value: text }],
});
const PROGRAM = 'def f(items):\n    return items[2]\n\nx = f([-10, 0, 10, 20])\nprint(x)';
/** senjun's wrapper_test of python_chapter_0070_task_0040, as the course has it */
const WRAPPER =
  'text = """\n#INJECT-ESCAPED-b585472fa\n"""\n\nif text.strip() != "10":\n    exit(1)';
/** a wrapper that says why, as some senjun tasks do */
const TALKING_WRAPPER =
  'text = """\n#INJECT-ESCAPED-b585472fa\n"""\n\nif text.strip() != "10":\n    print("Посмотрите, что возвращает f")\n    exit(1)';

function outputTask(id: string, wrapperTest: string | null) {
  return {
    id,
    chapterId: 'oc_chapter_0010',
    kind: 'output' as const,
    statement: [para('Что выведет этот код?'), { kind: 'example' as const, exampleId: `${id}_ex` }],
    starter: PROGRAM,
    hint: [para(`HINT-OF-${id}`)],
    answer: '10',
    flags: { runStaticTypeChecker: false },
    checks: { public: null, hidden: null, wrapperTest },
    limits: { wallSeconds: 10, cpuSeconds: 5, memoryMb: 256 },
    source: pos,
  };
}

function outputCourse(): CompiledCourse {
  const tasks = [
    outputTask('oc_task_wrapper', WRAPPER),
    outputTask('oc_task_talking', TALKING_WRAPPER),
    outputTask('oc_task_plain', null),
  ];
  return {
    schemaVersion: 1,
    id: 'outputcourse',
    language: 'python',
    title: 'Output tasks',
    description: [para('About')],
    wrapperRunFallback: null,
    chapters: [
      {
        id: 'oc_chapter_0010',
        courseId: 'outputcourse',
        number: 10,
        title: 'Output',
        blocks: tasks.map((task) => ({ kind: 'task' as const, taskId: task.id })),
        examples: tasks.map((task) => ({
          id: `${task.id}_ex`,
          lang: 'python',
          code: PROGRAM,
          runnable: true,
          expectedOutput: null,
          playgroundVariant: null,
          source: pos,
        })),
        tasks,
        hash: 'oc-h1',
        sourceFile: 'oc_chapter_0010/text.md',
      },
    ],
    hash: 'oc-hash-1',
  };
}

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  await publishCompiledCourse(db, { compiled: outputCourse(), source: {}, publishedById: null });
});
afterAll(async () => {
  await t?.cleanup();
});

function transportTo(url: string, secret: string) {
  return createInProcessTransport({
    db,
    grade: (request) => gradeOverHttp(request, { url, secret, timeoutMs: 60_000, retries: 1 }),
    retryDelaysMs: [20],
    log: () => {},
  });
}

describe('an output task through attempt.submit (fake grader)', () => {
  let grader: FakeGrader;
  beforeEach(async () => {
    grader = await startFakeGrader();
  });
  afterEach(async () => {
    await grader.close();
  });

  it('the page gets the program, neither the answer nor the wrapper', async () => {
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session);
    const page = await api.chapter.get({ course: 'outputcourse', chapter: 'oc_chapter_0010' });
    const task = page.chapter.tasks.find((x) => x.id === 'oc_task_wrapper')!;
    expect(task).toMatchObject({ kind: 'output', starter: PROGRAM, answer: null, hint: null });
    expect(task.statement.map((b) => b.kind)).toEqual(['paragraph', 'example']);
    expect(JSON.stringify(page)).not.toContain('INJECT');
  });

  it('with a wrapper_test: graded by the grader, the typed text normalised; passed and failed', async () => {
    grader.respond = (body: GradeRequest) => {
      const ok = body.code === '10';
      return {
        status: 200,
        json: gradeResult(ok ? 'passed' : 'failed', {
          tests: [
            {
              name: 'wrapper_test',
              status: ok ? 'passed' : 'failed',
              message: ok ? null : 'код выхода 1',
              ...(ok ? {} : { messageCode: { code: 'exit_code', params: { code: '1' } } }),
              durationMs: 5,
              origin: 'wrapper',
            },
          ],
        }),
      };
    };
    const { session } = await makeUser(db, 'student');
    const transport = transportTo(grader.url, grader.secret);
    const api = callerFor(db, session, { grader: transport });
    // typed with a blank line, trailing spaces and CRLF: what the wrapper sees is "10"
    const good = await api.attempt.submit({
      courseSlug: 'outputcourse',
      taskId: 'oc_task_wrapper',
      code: '\r\n10  \r\n',
    });
    const bad = await api.attempt.submit({
      courseSlug: 'outputcourse',
      taskId: 'oc_task_wrapper',
      code: '20',
    });
    await transport.idle();

    expect(grader.requests.map((r) => r.body.code)).toEqual(['10', '20']);
    expect(grader.requests[0]!.body.checks.wrapperTest).toBe(WRAPPER);
    const g = await api.attempt.get({ courseSlug: 'outputcourse', id: good.id });
    const b = await api.attempt.get({ courseSlug: 'outputcourse', id: bad.id });
    expect(g.status).toBe('passed');
    expect(b.status).toBe('failed');
    // the attempt keeps what the student typed; the UI shows it in the history
    expect(g.code).toBe('\r\n10  \r\n');
    expect(b.results).toEqual([
      expect.objectContaining({
        origin: 'wrapper',
        messageCode: { code: 'exit_code', params: { code: '1' } },
      }),
    ]);

    const page = await api.chapter.get({ course: 'outputcourse', chapter: 'oc_chapter_0010' });
    const task = page.chapter.tasks.find((x) => x.id === 'oc_task_wrapper')!;
    expect(task.progress).toMatchObject({ solved: true, attempts: 2 });
    expect(task.answerState.available).toBe(true);
    expect(
      await api.progress.revealAnswer({ courseSlug: 'outputcourse', taskId: 'oc_task_wrapper' }),
    ).toMatchObject({
      answer: '10',
    });
  });

  it('without a wrapper_test: compared in-process, the grader never asked', async () => {
    const { session } = await makeUser(db, 'student');
    const transport = transportTo(grader.url, grader.secret);
    const api = callerFor(db, session, { grader: transport });
    const good = await api.attempt.submit({
      courseSlug: 'outputcourse',
      taskId: 'oc_task_plain',
      code: '10\n',
    });
    const bad = await api.attempt.submit({
      courseSlug: 'outputcourse',
      taskId: 'oc_task_plain',
      code: '1 0',
    });
    await transport.idle();
    expect(grader.requests).toHaveLength(0);
    expect((await api.attempt.get({ courseSlug: 'outputcourse', id: good.id })).status).toBe(
      'passed',
    );
    const b = await api.attempt.get({ courseSlug: 'outputcourse', id: bad.id });
    expect(b.status).toBe('failed');
    expect(b.results[0]?.messageCode).toMatchObject({ code: 'output_mismatch' });
  });
});

// --- the real grader service ---------------------------------------------------------------

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = `${repo}apps/grader/bin/lms-grader.mjs`;
const available = existsSync(bin) && existsSync('/usr/bin/python3');
if (!available) console.warn(`output-task real-grader tests skipped: ${bin} or python3 missing`);
const SECRET = 'output-task-secret-0123456789abcdef';

describe.skipIf(!available)('an output task with a wrapper_test (real grader)', () => {
  let grader: Awaited<ReturnType<typeof startGraderService>> | undefined;
  let url = '';

  beforeAll(async () => {
    // slot uids of its own (real-grader.test.ts has 63500, the doctor the default range)
    grader = await startGraderService({ uidBase: 63600, secret: SECRET });
    url = grader.url;
  }, 120_000);

  afterAll(async () => {
    await grader?.stop();
  });

  it('the wrapper passes "10", fails anything else, and says why only when it prints', async () => {
    const transport = transportTo(url, SECRET);
    const { session } = await makeUser(db, 'student');
    const api = callerFor(db, session, { grader: transport });
    const typed = [
      ['oc_task_wrapper', '10\n\n'],
      ['oc_task_wrapper', '20'],
      // quotes and backslashes stay text inside the wrapper's triple-quoted string
      ['oc_task_wrapper', '"""\nimport sys; sys.exit(0)\n"""'],
      ['oc_task_wrapper', '10\\'],
      ['oc_task_talking', '5'],
    ] as const;
    const ids: string[] = [];
    // one at a time: a student has at most 2 final checks in flight
    for (const [taskId, code] of typed) {
      ids.push((await api.attempt.submit({ courseSlug: 'outputcourse', taskId, code })).id);
      await transport.idle();
    }
    const [right, wrong, injected, backslash, talking] = await Promise.all(
      ids.map((id) => api.attempt.get({ courseSlug: 'outputcourse', id })),
    );
    const why = (a: typeof right) =>
      `${a!.message}\n${JSON.stringify(a!.results)}\n${grader?.log()}`;
    expect(right!.status, why(right)).toBe('passed');
    expect(wrong!.status, why(wrong)).toBe('failed');
    expect(injected!.status, why(injected)).toBe('failed');
    expect(backslash!.status, why(backslash)).toBe('failed');
    // what the student is told: a silent wrapper adds nothing to "not what the program prints";
    // a talking one adds its own words (never a traceback: senjun's wrappers call the site
    // builtin exit(), which the sandbox's python3 -I -S does not define)
    expect(outputVerdictOf(wrong!), why(wrong)).toEqual({ kind: 'wrong', note: null });
    expect(outputVerdictOf(injected!)).toEqual({ kind: 'wrong', note: null });
    expect(talking!.status, why(talking)).toBe('failed');
    expect(outputVerdictOf(talking!), why(talking)).toEqual({
      kind: 'wrong',
      note: 'Посмотрите, что возвращает f',
    });
    expect(outputVerdictOf(right!)).toEqual({ kind: 'right' });
  }, 180_000);
});
