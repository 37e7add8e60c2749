import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledCourse } from '@lms/content/schema';
import { createDb, createUser, type Db, publishCompiledCourse, resolveTarget } from '@lms/db';
import { migrate, pgAdmin } from '@lms/db/migrate';
import type { GradeRequest, GradeResult } from '@lms/grading';
import { createContextInner, type Role, type Session } from '../../src/server/context';
import type { GraderTransport } from '../../src/server/grader/transport';
import { createCaller } from '../../src/server/root';

/** A fresh SQLite database in a temp dir, migrated by @lms/db's own API. */
export async function createTestDb(): Promise<{
  db: Db;
  url: string;
  cleanup: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'lms-web-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  await migrate(resolveTarget(url));
  const db = createDb({ url });
  return {
    db,
    url,
    async cleanup() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PG_URL_BASE = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** A fresh PostgreSQL database (created by @lms/db's migrate), dropped on cleanup. */
export async function createPgTestDb(): Promise<{
  db: Db;
  url: string;
  cleanup: () => Promise<void>;
}> {
  const name = `lms_web_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const url = `${PG_URL_BASE}/${name}`;
  await migrate(resolveTarget(url));
  const db = createDb({ url, poolSize: 4 });
  return {
    db,
    url,
    async cleanup() {
      await db.$disconnect();
      await pgAdmin(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

export async function tcpReachable(url: string, defaultPort: number): Promise<boolean> {
  const { createConnection } = await import('node:net');
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = createConnection({ host: u.hostname, port: Number(u.port || defaultPort) });
    s.setTimeout(5000); // refused at once when nothing listens: the timeout only meets a slow one
    s.once('connect', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function makeUser(
  db: Db,
  role: Role,
  email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.test`,
) {
  const user = await createUser(db, {
    email,
    name: `${role} user`,
    role,
    password: 'correct horse battery',
  });
  const session: Session = {
    user: { id: user.id, email: user.email, name: user.name, role },
    sessionId: `test-${user.id}`,
    expiresAt: new Date(Date.now() + 3_600_000),
  };
  return { user, session };
}

export function callerFor(
  db: Db,
  session: Session | null,
  extra: { grader?: GraderTransport | null; submitsPerMinute?: number } = {},
) {
  return createCaller(createContextInner({ db, session, ...extra }));
}

const block = (text: string) => ({
  kind: 'paragraph' as const,
  children: [{ type: 'text' as const, value: text }],
});
const pos = { file: 'c1/text.md', line: 1, column: 1 };

/** A small course: chapter c1 with two program tasks (t1, t2), chapter c2 with one output task. */
export function testCourse(): CompiledCourse {
  const task = (id: string, chapterId: string) => ({
    id,
    chapterId,
    kind: 'program' as const,
    statement: [block(`Statement of ${id}`)],
    starter: 'print("start")\n',
    hint: [block(`HINT-OF-${id}`), { kind: 'code' as const, lang: 'python', code: 'print(1)' }],
    answer: `ANSWER-OF-${id} = 1\n`,
    flags: { runStaticTypeChecker: false },
    checks: {
      public: `# PUBLIC-TESTS-${id}\n`,
      hidden: `# HIDDEN-TESTS-${id}\n`,
      wrapperTest: null,
    },
    limits: { wallSeconds: 5, cpuSeconds: 2, memoryMb: 128 },
    source: pos,
  });
  return {
    schemaVersion: 1,
    id: 'testcourse',
    title: 'Test course',
    description: [block('About')],
    wrapperRunFallback: null,
    chapters: [
      {
        id: 'c1',
        courseId: 'testcourse',
        number: 1,
        title: 'Chapter one',
        blocks: [
          {
            kind: 'heading',
            level: 1,
            id: 'one',
            children: [{ type: 'text', value: 'Chapter one' }],
          },
          { kind: 'code', lang: 'python', code: 'x = 1\nprint(x)' },
          { kind: 'example', exampleId: 'c1_example_01' },
          { kind: 'task', taskId: 't1' },
          { kind: 'task', taskId: 't2' },
        ],
        examples: [
          {
            id: 'c1_example_01',
            lang: 'python',
            code: 'print(42)',
            expectedOutput: '42',
            playgroundVariant: null,
            source: pos,
          },
        ],
        tasks: [task('t1', 'c1'), task('t2', 'c1')],
        hash: 'h1',
        sourceFile: 'c1/text.md',
      },
      {
        id: 'c2',
        courseId: 'testcourse',
        number: 2,
        title: 'Chapter two',
        blocks: [{ kind: 'task', taskId: 't3' }],
        examples: [],
        tasks: [
          {
            ...task('t3', 'c2'),
            kind: 'output',
            answer: '1\n2\n',
            checks: { public: null, hidden: null, wrapperTest: null },
          },
        ],
        hash: 'h2',
        sourceFile: 'c2/text.md',
      },
    ],
    hash: 'course-hash-1',
  };
}

export async function publishTestCourse(db: Db, publishedById: string | null = null) {
  return publishCompiledCourse(db, { compiled: testCourse(), source: {}, publishedById });
}

/** A course's internal id (students' work is keyed by it: task ids are unique only within a course). */
export async function courseIdOf(db: Db, slug = 'testcourse'): Promise<string> {
  return (await db.course.findUniqueOrThrow({ where: { slug }, select: { id: true } })).id;
}

/** A GradeResult as the grader would answer. */
export function gradeResult(
  status: GradeResult['status'],
  over: Partial<GradeResult> = {},
): GradeResult {
  const tests: GradeResult['tests'] = [
    {
      name: 'public test',
      status: status === 'passed' ? 'passed' : 'failed',
      message: status === 'passed' ? null : 'Wrong output',
      durationMs: 3,
      origin: 'public',
    },
    {
      name: 'hidden test',
      status: status === 'passed' ? 'passed' : 'failed',
      message: null,
      durationMs: 4,
      origin: 'hidden',
    },
  ];
  return {
    version: 1,
    status,
    message: status === 'passed' ? null : 'Some tests failed',
    messageCode: null,
    tests,
    stdout: 'out\n',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    exitCode: 0,
    signal: null,
    traceback: null,
    limitHit: null,
    durations: { programMs: 10, testsMs: 5, typecheckMs: 0, totalMs: 20, queuedMs: 1 },
    limits: { wallSeconds: 5, cpuSeconds: 2, memoryMb: 128 },
    stage: 'final',
    engine: 'cpython-bwrap',
    pythonVersion: '3.11.2',
    unsafe: false,
    incident: null,
    typecheck: null,
    ...over,
  };
}

export type FakeGrader = {
  url: string;
  secret: string;
  requests: Array<{ auth: string | undefined; requestId?: string; body: GradeRequest }>;
  /** decides each answer; may wait (e.g. on a gate) before answering */
  respond: (
    body: GradeRequest,
    n: number,
  ) => Promise<{ status: number; json: unknown }> | { status: number; json: unknown };
  close(): Promise<void>;
};

/** A stand-in for apps/grader's HTTP API on a random port. */
export async function startFakeGrader(secret = 'test-grader-secret'): Promise<FakeGrader> {
  const fake: FakeGrader = {
    url: '',
    secret,
    requests: [],
    respond: () => ({ status: 200, json: gradeResult('passed') }),
    close: async () => {},
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.headers.authorization !== `Bearer ${secret}`) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'bad token' }));
      return;
    }
    const body = JSON.parse(raw) as GradeRequest;
    const requestId = req.headers['x-request-id'];
    fake.requests.push({
      auth: req.headers.authorization,
      ...(typeof requestId === 'string' ? { requestId } : {}),
      body,
    });
    const answer = await fake.respond(body, fake.requests.length);
    res
      .writeHead(answer.status, { 'content-type': 'application/json' })
      .end(JSON.stringify(answer.json));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}

/** A free TCP port on loopback (taken and released at once). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The checkout's root and the grader's command (`lms-grader`). */
const REPO = new URL('../../../../', import.meta.url).pathname;
const GRADER_BIN = `${REPO}apps/grader/bin/lms-grader.mjs`;

/**
 * The real grader service (`lms-grader serve`) on a free loopback port, with sandbox slot uids
 * of the caller's own (`uidBase`: every test file that starts a grader has its own range), up
 * once its /healthz answers (its start on a busy machine may take a while). `log()` is what it
 * printed; `stop()` ends it and waits for its exit.
 */
export async function startGraderService(options: { uidBase: number; secret: string }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(process.execPath, [GRADER_BIN, 'serve'], {
    cwd: REPO,
    env: {
      ...process.env,
      GRADER_HOST: '127.0.0.1',
      GRADER_PORT: String(port),
      GRADER_SECRET: options.secret,
      GRADER_UID_BASE: String(options.uidBase),
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
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`grader did not start (exit ${child.exitCode}):\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, log: () => log, stop };
}
