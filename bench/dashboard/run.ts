// Instructor dashboards benchmark (issue 12): a generated cohort of 500 students × 200 tasks ×
// 20 attempts each, on SQLite and PostgreSQL. Measures, as the instructor gets them (tRPC
// caller → services/dashboard.ts → @lms/db), the overview (targets: p95 < 300 ms) and the
// groups of wrong answers of the one task with 10,000 failed attempts (p95 < 500 ms), each
// against a baseline measured in the same run: a plain indexed read of the same rows through
// the raw driver (better-sqlite3 / pg).
//   npx tsx bench/dashboard/run.ts [--provider sqlite|postgres|both] [--students 500]
//     [--tasks 200] [--attempts 20] [--runs 30] [--warmup 5]
//     [--keep]            keep the generated database(s) and print where they are
//     [--reuse <file|url>] measure a database kept by --keep (no generation)
//
// The data is written through the raw drivers (better-sqlite3 transactions, pg multi-row
// INSERT … SELECT FROM unnest(…)) with every analytics column computed by the repo's own pure
// functions (codeHashOf, failureOf: @lms/db analytics-keys; shapeHash: @lms/content/shape), and
// Progress rows as the verdict transaction (recordAttemptResult → updateProgress) leaves them.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCourse } from '@lms/content';
import { shapeHash } from '@lms/content/shape';
import { generateCourse } from '@lms/content/testing';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createContextInner, type Session } from '../../apps/web/src/server/context.ts';
import { createCaller } from '../../apps/web/src/server/root.ts';
import { clearContentCache } from '../../apps/web/src/server/services/content.ts';
import { createDb, type Db } from '../../packages/db/src/client.ts';
import { resolveTarget } from '../../packages/db/src/env.ts';
import { publishCompiledCourse } from '../../packages/db/src/index.ts';
import { migrate, pgAdmin } from '../../packages/db/src/migrate.ts';
import { codeHashOf, failureOf } from '../../packages/db/src/repo/analytics-keys.ts';
import type { TestResult } from '../../packages/db/src/types.ts';

// ---------------------------------------------------------------------------------------------
// arguments

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
function intArg(name: string, fallback: number): number {
  const raw = arg(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name}: a whole number ≥ 1 expected; got "${raw}"`);
    process.exit(2);
  }
  return n;
}
const PROVIDER = arg('provider') ?? 'both';
if (!['sqlite', 'postgres', 'both'].includes(PROVIDER)) {
  console.error(`--provider: sqlite, postgres or both; got "${PROVIDER}"`);
  process.exit(2);
}
const STUDENTS = intArg('students', 500);
const TASKS = intArg('tasks', 200);
const ATTEMPTS = intArg('attempts', 20);
const RUNS = intArg('runs', 30);
const WARMUP = intArg('warmup', 5);
const KEEP = process.argv.includes('--keep');
const REUSE = arg('reuse');

const TARGET_OVERVIEW_MS = 300;
const TARGET_GROUPS_MS = 500;
const COHORT_SLUG = 'bench-cohort';
const COURSE_SLUG = 'benchcourse';
/** how a bench database says what it holds (a Setting row), for --reuse */
const META_KEY = 'bench.dashboard';
/** ways to fail per task, shapes per task, names per shape (same shape, other code) */
const FAIL_WAYS = 10;
const SHAPES = 50;
const NAME_VARIANTS = 3;
const TESTS = 6;
const PUBLIC_TESTS = 4;

// ---------------------------------------------------------------------------------------------
// deterministic randomness

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A Zipf-like pick in [0, n): a few ways to fail (or shapes) are common, most are rare. */
function zipf(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(n * random() ** 2.2));
}

// ---------------------------------------------------------------------------------------------
// what a task's attempts look like: codes (shapes × names) and verdicts (ways to fail)

type Verdict = {
  status: 'passed' | 'failed' | 'error' | 'timeout';
  results: string | null;
  testsPassed: number | null;
  testsTotal: number | null;
  message: string | null;
  failKey: string | null;
  failMessage: string | null;
};
type Code = { code: string; codeHash: string; shapeHash: string };
type TaskModel = {
  taskId: string;
  codes: Code[][]; // [shape][name variant]
  passedFinal: Verdict;
  passedQuick: Verdict;
  failFinal: Verdict[]; // [way]
  failQuick: Verdict[];
};

const NAMES = [
  ['solve', 'a', 'b', 'acc'],
  ['answer', 'x', 'y', 'total'],
  ['f', 'first', 'second', 'res'],
];

/** A program of shape `s` for task `t` (the literals and the statements make the shape). */
function codeOf(t: number, s: number, v: number): string {
  const [fn, a, b, acc] = NAMES[v % NAMES.length] as [string, string, string, string];
  const lines = [`def ${fn}(${a}, ${b}):`, `    ${acc} = ${a} * ${(t % 7) + 1}`];
  for (let i = 0; i <= s % 4; i++) {
    const form = (Math.floor(s / 4) + i) % 3;
    if (form === 0) lines.push(`    ${acc} = ${acc} + ${b} - ${s}`);
    if (form === 1) lines.push(`    for _ in range(${(s % 5) + 1}):`, `        ${acc} += ${i}`);
    if (form === 2) lines.push(`    if ${acc} > ${s}:`, `        ${acc} = ${acc} - ${b}`);
  }
  lines.push(`    return ${acc}`, '', `print(${fn}(int(input()), ${t}))`);
  // a comment and trailing spaces on some variants: another codeHash? no (trimmed); same shape
  return `${lines.join('\n')}${v === 2 ? '  # my try\n' : '\n'}`;
}

function verdictOf(
  status: Verdict['status'],
  results: TestResult[] | null,
  message: string | null,
): Verdict {
  const failure = failureOf({ status, results, message });
  return {
    status,
    results: results ? JSON.stringify(results) : null,
    testsPassed: results ? results.filter((r) => r.status === 'passed').length : null,
    testsTotal: results ? results.length : null,
    message,
    failKey: failure?.failKey ?? null,
    failMessage: failure?.failMessage ?? null,
  };
}

function taskModel(taskId: string, t: number): TaskModel {
  const testName = (k: number) => (k < PUBLIC_TESTS ? `test_${k + 1}` : `hidden_${k + 1}`);
  const allTests = (failing: Map<number, string>, quick: boolean): TestResult[] =>
    Array.from({ length: quick ? PUBLIC_TESTS : TESTS }, (_, k) => ({
      name: testName(k),
      status: failing.has(k) ? 'failed' : 'passed',
      message: failing.get(k) ?? null,
      durationMs: 2 + k,
      origin: k >= PUBLIC_TESTS ? 'hidden' : 'public',
      hidden: k >= PUBLIC_TESTS,
    }));
  const fail = (way: number, quick: boolean): Verdict => {
    if (way === 7) {
      return verdictOf(
        'error',
        null,
        `Traceback (most recent call last):\n  File "/tmp/run/main.py", line ${(way % 4) + 2}, in <module>\nNameError: name 'x${t}' is not defined`,
      );
    }
    if (way === 8) return verdictOf('timeout', null, 'Превышено время выполнения: 5 с');
    const k = way % TESTS;
    const failing = new Map<number, string>([
      [k, `${taskId}(${way}, ${t}) вернула ${way - 1}, ожидалось ${way * 2 + t}`],
    ]);
    if (way >= 6)
      failing.set((k + 1) % TESTS, `got <object at 0x7f${way}a9c${t}> instead of a list`);
    // a quick check runs the public tests only: a hidden test's failure is no failure there
    const results = allTests(
      quick ? new Map([...failing].filter(([i]) => i < PUBLIC_TESTS)) : failing,
      quick,
    );
    const passedAll = results.every((r) => r.status === 'passed');
    return verdictOf(
      passedAll ? 'passed' : 'failed',
      results,
      passedAll ? null : 'Тесты не пройдены',
    );
  };
  const codes = Array.from({ length: SHAPES }, (_, s) =>
    Array.from({ length: NAME_VARIANTS }, (_, v) => {
      const code = codeOf(t, s, v);
      return { code, codeHash: codeHashOf(code), shapeHash: shapeHash(code) };
    }),
  );
  return {
    taskId,
    codes,
    passedFinal: verdictOf('passed', allTests(new Map(), false), null),
    passedQuick: verdictOf('passed', allTests(new Map(), true), null),
    failFinal: Array.from({ length: FAIL_WAYS }, (_, w) => fail(w, false)),
    failQuick: Array.from({ length: FAIL_WAYS }, (_, w) => fail(w, true)),
  };
}

// ---------------------------------------------------------------------------------------------
// rows

type AttemptRow = {
  id: string;
  userId: string;
  taskId: string;
  stage: 'quick' | 'final';
  code: Code;
  verdict: Verdict;
  createdAt: Date;
  gradedAt: Date;
};
type ProgressRow = {
  id: string;
  userId: string;
  taskId: string;
  attempts: number;
  quickChecks: number;
  firstSolvedAt: Date | null;
  lastAttemptAt: Date | null;
  hintOpenedAt: Date | null;
  answerRevealedAt: Date | null;
  assisted: boolean;
  firstAttemptAt: Date | null;
  attemptsToSolve: number | null;
  lastFinalId: string | null;
  lastStatus: string | null;
  lastFailKey: string | null;
  updatedAt: Date;
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
let attemptSeq = 0;
const nextAttemptId = () => `bat${(attemptSeq++).toString(36).padStart(10, '0')}`;

/**
 * One student's attempts on one task and the Progress row the verdict transaction would have
 * left: final attempts count in `attempts`, quick ones in `quickChecks`; the first final sets
 * firstAttemptAt, the first passed one firstSolvedAt and attemptsToSolve; the latest final
 * lastFinalId/lastStatus, the latest wrong final lastFailKey; any verdict lastAttemptAt.
 */
function studentTask(
  random: () => number,
  userId: string,
  model: TaskModel,
  hot: boolean,
  start: number,
): { attempts: AttemptRow[]; progress: ProgressRow } {
  const attempts: AttemptRow[] = [];
  // a shape the student sticks to, now and then another
  let shape = zipf(random, SHAPES);
  const solvesAt = hot || random() < 0.22 ? Infinity : 1 + Math.floor(-Math.log(1 - random()) * 3);
  let finals = 0;
  let solved = false;
  let at = start;
  for (let i = 0; i < ATTEMPTS; i++) {
    const stage: 'quick' | 'final' = hot || random() >= 0.35 ? 'final' : 'quick';
    if (random() < 0.25) shape = zipf(random, SHAPES);
    const code = model.codes[shape]?.[Math.floor(random() * NAME_VARIANTS)] as Code;
    at += (1 + random() * 4) * MINUTE;
    let verdict: Verdict;
    if (stage === 'final') {
      finals++;
      const pass = finals === solvesAt || (solved && random() < 0.7);
      verdict = pass ? model.passedFinal : (model.failFinal[zipf(random, FAIL_WAYS)] as Verdict);
      if (pass) solved = true;
    } else {
      const pass = solved || random() < 0.2;
      verdict = pass ? model.passedQuick : (model.failQuick[zipf(random, FAIL_WAYS)] as Verdict);
    }
    attempts.push({
      id: nextAttemptId(),
      userId,
      taskId: model.taskId,
      stage,
      code,
      verdict,
      createdAt: new Date(at),
      gradedAt: new Date(at + 1500 + Math.floor(random() * 2000)),
    });
  }
  // Progress as updateProgress leaves it, replayed over the verdicts in order
  const p: ProgressRow = {
    id: `bpr${attempts[0]?.id.slice(3)}`,
    userId,
    taskId: model.taskId,
    attempts: 0,
    quickChecks: 0,
    firstSolvedAt: null,
    lastAttemptAt: null,
    hintOpenedAt: null,
    answerRevealedAt: null,
    assisted: false,
    firstAttemptAt: null,
    attemptsToSolve: null,
    lastFinalId: null,
    lastStatus: null,
    lastFailKey: null,
    updatedAt: new Date(start),
  };
  for (const a of attempts) {
    p.lastAttemptAt = a.gradedAt;
    p.updatedAt = a.gradedAt;
    if (a.stage === 'quick') {
      p.quickChecks++;
      continue;
    }
    p.attempts++;
    p.firstAttemptAt ??= a.gradedAt;
    p.lastFinalId = a.id;
    p.lastStatus = a.verdict.status;
    if (a.verdict.failKey) p.lastFailKey = a.verdict.failKey;
    if (a.verdict.status === 'passed' && !p.firstSolvedAt) {
      p.firstSolvedAt = a.gradedAt;
      p.attemptsToSolve = p.attempts;
    }
  }
  // some open the hint, a few reveal the answer (before the solve: assisted)
  const first = attempts[0]?.createdAt.getTime() ?? start;
  if (random() < 0.15) p.hintOpenedAt = new Date(first + 30_000);
  if (random() < 0.03) {
    p.answerRevealedAt = new Date(first + 60_000);
    p.assisted = p.firstSolvedAt !== null && p.firstSolvedAt > p.answerRevealedAt;
  }
  return { attempts, progress: p };
}

type Plan = {
  tasks: TaskModel[];
  hotTaskId: string;
  hotIndex: number;
  studentIds: string[];
};

/** Every student's rows, one student at a time (the sinks write a student per batch). */
function* studentsRows(plan: Plan) {
  const now = Date.now();
  const base = now - 30 * DAY;
  for (const [si, userId] of plan.studentIds.entries()) {
    const random = rng(1000 + si);
    const attempts: AttemptRow[] = [];
    const progress: ProgressRow[] = [];
    for (const [ti, model] of plan.tasks.entries()) {
      const hot = ti === plan.hotIndex;
      // the course over 30 days, task by task; the hot task's attempts within the last 3 hours
      const start = hot
        ? now - 3 * 60 * MINUTE + random() * 90 * MINUTE
        : base + (ti / plan.tasks.length) * 28 * DAY + random() * DAY;
      const r = studentTask(random, userId, model, hot, start);
      attempts.push(...r.attempts);
      progress.push(r.progress);
    }
    yield { attempts, progress };
  }
}

// ---------------------------------------------------------------------------------------------
// progress display

function progressLine(label: string, total: number) {
  const started = performance.now();
  let lastPrint = 0;
  const tty = process.stderr.isTTY;
  return (done: number, rows: number) => {
    const now = performance.now();
    if (done < total && now - lastPrint < (tty ? 250 : 5000)) return;
    lastPrint = now;
    const secs = (now - started) / 1000;
    const eta = done > 0 ? (secs / done) * (total - done) : 0;
    const line = `  ${label}: ${done}/${total} students, ${rows.toLocaleString('en')} attempts, ${Math.round(rows / Math.max(secs, 0.001)).toLocaleString('en')}/s, ${secs.toFixed(0)} s, ETA ${eta.toFixed(0)} s`;
    if (tty) process.stderr.write(`\r${line.padEnd(110)}${done === total ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
}

// ---------------------------------------------------------------------------------------------
// setup through the repo (course, cohort, instructor), then the bulk rows through the driver

type Setup = {
  courseId: string;
  releaseId: string;
  cohortId: string;
  session: Session;
  plan: Plan;
};

async function setupCourse(
  db: Db,
): Promise<Omit<Setup, 'plan' | 'session' | 'cohortId'> & { taskIds: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'lms-bench-dash-course-'));
  try {
    const courseDir = generateCourse({
      outDir: dir,
      chapters: Math.ceil(TASKS / 2),
      courseId: COURSE_SLUG,
    });
    const compiled = compileCourse(courseDir);
    if (!compiled.course) {
      throw new Error(
        `generated course does not compile: ${JSON.stringify(compiled.errors.slice(0, 3))}`,
      );
    }
    const { release } = await publishCompiledCourse(db, {
      compiled: compiled.course,
      source: {},
      publishedById: null,
    });
    const taskIds = compiled.course.chapters
      .flatMap((c) => c.tasks.map((t) => t.id))
      .slice(0, TASKS);
    if (taskIds.length < TASKS)
      throw new Error(`the generated course has ${taskIds.length} tasks, not ${TASKS}`);
    const course = await db.course.findUniqueOrThrow({
      where: { slug: COURSE_SLUG },
      select: { id: true },
    });
    return { courseId: course.id, releaseId: release.id, taskIds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function makePlan(taskIds: string[]): Plan {
  const t0 = performance.now();
  const tasks = taskIds.map((id, t) => taskModel(id, t));
  const hotIndex = Math.floor(TASKS / 2);
  console.log(
    `  task models: ${TASKS} tasks × ${SHAPES} shapes × ${NAME_VARIANTS} names, ${FAIL_WAYS} ways to fail each (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return {
    tasks,
    hotIndex,
    hotTaskId: taskIds[hotIndex] as string,
    studentIds: Array.from({ length: STUDENTS }, (_, i) => `bstu${String(i).padStart(6, '0')}`),
  };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** How Prisma's SQLite adapter stores a DateTime (text, UTC with an explicit offset). */
const sqliteDate = (d: Date | null) => (d ? d.toISOString().replace('Z', '+00:00') : null);

type Sink = {
  people(
    rows: Array<{ id: string; name: string; email: string; createdAt: Date }>,
    cohortId: string,
  ): Promise<void>;
  student(attempts: AttemptRow[], progress: ProgressRow[]): Promise<void>;
  finish(): Promise<void>;
};

function sqliteSink(file: string, courseId: string, releaseId: string): Sink {
  const raw = new Database(file, { timeout: 30_000 });
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF'); // this connection only, while loading
  raw.pragma('cache_size = -1000000');
  const user = raw.prepare(
    'INSERT INTO "user" ("id","name","email","emailVerified","role","createdAt","updatedAt") VALUES (?,?,?,0,\'student\',?,?)',
  );
  const member = raw.prepare(
    'INSERT INTO "membership" ("id","cohortId","userId","role","createdAt") VALUES (?,?,?,\'student\',?)',
  );
  const attempt = raw.prepare(
    `INSERT INTO "attempt" ("id","userId","courseId","taskId","releaseId","stage","status","code","results","testsPassed","testsTotal","message","durationMs","pythonImpl","pythonVersion","engine","codeHash","shapeHash","failKey","failMessage","createdAt","startedAt","gradedAt")
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const progress = raw.prepare(
    `INSERT INTO "progress" ("id","userId","courseId","taskId","attempts","quickChecks","firstSolvedAt","lastAttemptAt","hintOpenedAt","answerRevealedAt","assisted","firstAttemptAt","attemptsToSolve","lastFinalId","lastStatus","lastFailKey","updatedAt")
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const writeStudent = raw.transaction((attempts: AttemptRow[], rows: ProgressRow[]) => {
    for (const a of attempts) {
      const final = a.stage === 'final';
      attempt.run(
        a.id,
        a.userId,
        courseId,
        a.taskId,
        releaseId,
        a.stage,
        a.verdict.status,
        a.code.code,
        a.verdict.results,
        a.verdict.testsPassed,
        a.verdict.testsTotal,
        a.verdict.message,
        a.gradedAt.getTime() - a.createdAt.getTime(),
        final ? 'cpython' : 'pyodide',
        '3.11.2',
        final ? 'cpython-bwrap' : 'pyodide',
        a.code.codeHash,
        final ? a.code.shapeHash : null,
        a.verdict.failKey,
        a.verdict.failMessage,
        sqliteDate(a.createdAt),
        sqliteDate(new Date(a.createdAt.getTime() + 200)),
        sqliteDate(a.gradedAt),
      );
    }
    for (const p of rows) {
      progress.run(
        p.id,
        p.userId,
        courseId,
        p.taskId,
        p.attempts,
        p.quickChecks,
        sqliteDate(p.firstSolvedAt),
        sqliteDate(p.lastAttemptAt),
        sqliteDate(p.hintOpenedAt),
        sqliteDate(p.answerRevealedAt),
        p.assisted ? 1 : 0,
        sqliteDate(p.firstAttemptAt),
        p.attemptsToSolve,
        p.lastFinalId,
        p.lastStatus,
        p.lastFailKey,
        sqliteDate(p.updatedAt),
      );
    }
  });
  return {
    async people(rows, cohortId) {
      raw.transaction(() => {
        for (const u of rows) {
          user.run(u.id, u.name, u.email, sqliteDate(u.createdAt), sqliteDate(u.createdAt));
          member.run(`bmem${u.id.slice(4)}`, cohortId, u.id, sqliteDate(u.createdAt));
        }
      })();
    },
    async student(attempts, rows) {
      writeStudent(attempts, rows);
    },
    async finish() {
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.close();
    },
  };
}

async function pgSink(url: string, courseId: string, releaseId: string): Promise<Sink> {
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  await raw.query('SET synchronous_commit = off');
  /** INSERT … SELECT FROM unnest(one array per column): one statement per student */
  const insert = async (table: string, columns: Array<[string, string]>, values: unknown[][]) => {
    const names = columns.map(([c]) => `"${c}"`).join(',');
    const params = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(',');
    const casts = columns.map(([c, type]) =>
      type === 'text' && c === 'results' ? `"${c}"::jsonb` : `"${c}"`,
    );
    const sql = `INSERT INTO "${table}" (${names}) SELECT ${casts.join(',')} FROM unnest(${params}) AS t(${names})`;
    await raw.query(sql, values);
  };
  const ATTEMPT_COLUMNS: Array<[string, string]> = [
    ['id', 'text'],
    ['userId', 'text'],
    ['courseId', 'text'],
    ['taskId', 'text'],
    ['releaseId', 'text'],
    ['stage', 'text'],
    ['status', 'text'],
    ['code', 'text'],
    ['results', 'text'],
    ['testsPassed', 'int'],
    ['testsTotal', 'int'],
    ['message', 'text'],
    ['durationMs', 'int'],
    ['pythonImpl', 'text'],
    ['pythonVersion', 'text'],
    ['engine', 'text'],
    ['codeHash', 'text'],
    ['shapeHash', 'text'],
    ['failKey', 'text'],
    ['failMessage', 'text'],
    ['createdAt', 'timestamp(3)'],
    ['startedAt', 'timestamp(3)'],
    ['gradedAt', 'timestamp(3)'],
  ];
  const PROGRESS_COLUMNS: Array<[string, string]> = [
    ['id', 'text'],
    ['userId', 'text'],
    ['courseId', 'text'],
    ['taskId', 'text'],
    ['attempts', 'int'],
    ['quickChecks', 'int'],
    ['firstSolvedAt', 'timestamp(3)'],
    ['lastAttemptAt', 'timestamp(3)'],
    ['hintOpenedAt', 'timestamp(3)'],
    ['answerRevealedAt', 'timestamp(3)'],
    ['assisted', 'boolean'],
    ['firstAttemptAt', 'timestamp(3)'],
    ['attemptsToSolve', 'int'],
    ['lastFinalId', 'text'],
    ['lastStatus', 'text'],
    ['lastFailKey', 'text'],
    ['updatedAt', 'timestamp(3)'],
  ];
  // timestamps go as ISO text: a "Z" is ignored by `timestamp` (without time zone), so they
  // are stored in UTC as Prisma stores them, whatever the server's or this process's zone
  const columnsOf = <T>(rows: T[], cells: Array<(r: T) => unknown>) =>
    cells.map((cell) => rows.map(cell));
  return {
    async people(rows, cohortId) {
      await insert(
        'user',
        [
          ['id', 'text'],
          ['name', 'text'],
          ['email', 'text'],
          ['createdAt', 'timestamp(3)'],
          ['updatedAt', 'timestamp(3)'],
        ],
        columnsOf(rows, [
          (u) => u.id,
          (u) => u.name,
          (u) => u.email,
          (u) => iso(u.createdAt),
          (u) => iso(u.createdAt),
        ]),
      );
      await insert(
        'membership',
        [
          ['id', 'text'],
          ['cohortId', 'text'],
          ['userId', 'text'],
          ['role', 'text'],
          ['createdAt', 'timestamp(3)'],
        ],
        columnsOf(rows, [
          (u) => `bmem${u.id.slice(4)}`,
          () => cohortId,
          (u) => u.id,
          () => 'student',
          (u) => iso(u.createdAt),
        ]),
      );
    },
    async student(attempts, rows) {
      await raw.query('BEGIN');
      await insert(
        'attempt',
        ATTEMPT_COLUMNS,
        columnsOf(attempts, [
          (a) => a.id,
          (a) => a.userId,
          () => courseId,
          (a) => a.taskId,
          () => releaseId,
          (a) => a.stage,
          (a) => a.verdict.status,
          (a) => a.code.code,
          (a) => a.verdict.results,
          (a) => a.verdict.testsPassed,
          (a) => a.verdict.testsTotal,
          (a) => a.verdict.message,
          (a) => a.gradedAt.getTime() - a.createdAt.getTime(),
          (a) => (a.stage === 'final' ? 'cpython' : 'pyodide'),
          () => '3.11.2',
          (a) => (a.stage === 'final' ? 'cpython-bwrap' : 'pyodide'),
          (a) => a.code.codeHash,
          (a) => (a.stage === 'final' ? a.code.shapeHash : null),
          (a) => a.verdict.failKey,
          (a) => a.verdict.failMessage,
          (a) => iso(a.createdAt),
          (a) => iso(new Date(a.createdAt.getTime() + 200)),
          (a) => iso(a.gradedAt),
        ]),
      );
      await insert(
        'progress',
        PROGRESS_COLUMNS,
        columnsOf(rows, [
          (p) => p.id,
          (p) => p.userId,
          () => courseId,
          (p) => p.taskId,
          (p) => p.attempts,
          (p) => p.quickChecks,
          (p) => iso(p.firstSolvedAt),
          (p) => iso(p.lastAttemptAt),
          (p) => iso(p.hintOpenedAt),
          (p) => iso(p.answerRevealedAt),
          (p) => p.assisted,
          (p) => iso(p.firstAttemptAt),
          (p) => p.attemptsToSolve,
          (p) => p.lastFinalId,
          (p) => p.lastStatus,
          (p) => p.lastFailKey,
          (p) => iso(p.updatedAt),
        ]),
      );
      await raw.query('COMMIT');
    },
    async finish() {
      // what autovacuum does within a minute of such a load: planner statistics, visibility map
      await raw.query('VACUUM ANALYZE');
      await raw.end();
    },
  };
}

async function generate(
  db: Db,
  sink: (courseId: string, releaseId: string) => Promise<Sink>,
  label: string,
): Promise<Setup & { seconds: number }> {
  const t0 = performance.now();
  const { courseId, releaseId, taskIds } = await setupCourse(db);
  const plan = makePlan(taskIds);
  const cohort = await db.cohort.create({
    data: { slug: COHORT_SLUG, name: 'Bench cohort', courseId },
    select: { id: true },
  });
  const teacher = await db.user.create({
    data: { email: 'bench-teacher@example.test', name: 'Bench teacher', role: 'instructor' },
    select: { id: true, email: true, name: true },
  });
  await db.membership.create({
    data: { cohortId: cohort.id, userId: teacher.id, role: 'instructor' },
  });
  await db.setting.create({
    data: {
      key: META_KEY,
      value: JSON.stringify({
        hotTaskId: plan.hotTaskId,
        students: STUDENTS,
        tasks: TASKS,
        attempts: ATTEMPTS,
        teacherId: teacher.id,
      }),
    },
  });
  const out = await sink(courseId, releaseId);
  const joined = Date.now() - 31 * DAY;
  await out.people(
    plan.studentIds.map((id, i) => ({
      id,
      name: `Студент ${i + 1}`,
      email: `bench-s${i + 1}@example.test`,
      createdAt: new Date(joined + i * 1000),
    })),
    cohort.id,
  );
  const show = progressLine(label, STUDENTS);
  let done = 0;
  let rows = 0;
  for (const student of studentsRows(plan)) {
    await out.student(student.attempts, student.progress);
    done++;
    rows += student.attempts.length;
    show(done, rows);
  }
  const tFinish = performance.now();
  await out.finish();
  console.log(
    `  finishing (${label === 'sqlite' ? 'WAL checkpoint' : 'VACUUM ANALYZE'}): ${((performance.now() - tFinish) / 1000).toFixed(1)} s`,
  );
  return {
    courseId,
    releaseId,
    cohortId: cohort.id,
    plan,
    session: sessionOf(teacher),
    seconds: (performance.now() - t0) / 1000,
  };
}

function sessionOf(teacher: { id: string; email: string; name: string }): Session {
  return {
    user: { ...teacher, role: 'instructor' },
    sessionId: 'bench',
    expiresAt: new Date(Date.now() + DAY),
  };
}

/** A database kept by --keep: what it holds, from its Setting row. */
async function reuse(
  db: Db,
): Promise<{ courseId: string; hotTaskId: string; session: Session; counts: string }> {
  const meta = await db.setting.findUnique({ where: { key: META_KEY } });
  if (!meta)
    throw new Error(
      `--reuse: no "${META_KEY}" setting: not a database made by this bench with --keep`,
    );
  const m = JSON.parse(meta.value) as {
    hotTaskId: string;
    teacherId: string;
    students: number;
    tasks: number;
    attempts: number;
  };
  const teacher = await db.user.findUniqueOrThrow({
    where: { id: m.teacherId },
    select: { id: true, email: true, name: true },
  });
  const course = await db.course.findUniqueOrThrow({
    where: { slug: COURSE_SLUG },
    select: { id: true },
  });
  return {
    courseId: course.id,
    hotTaskId: m.hotTaskId,
    session: sessionOf(teacher),
    counts: `${m.students} students × ${m.tasks} tasks × ${m.attempts} attempts`,
  };
}

// ---------------------------------------------------------------------------------------------
// measuring

type Stats = { p50: number; p95: number; runs: number };
function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  // nearest rank
  const q = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
  return { p50: q(0.5), p95: q(0.95), runs: samples.length };
}

/** The query and its baseline, alternately, so both see the same machine load. */
async function measurePair(
  query: () => Promise<unknown>,
  baseline: () => Promise<unknown> | unknown,
): Promise<{ q: Stats; b: Stats; cpu: number }> {
  for (let i = 0; i < WARMUP; i++) {
    await query();
    await baseline();
  }
  const q: number[] = [];
  const b: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await baseline();
    b.push(performance.now() - t);
    const c = process.cpuUsage();
    t = performance.now();
    await query();
    q.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { q: stats(q), b: stats(b), cpu: stats(cpu).p50 };
}

/** cpu: this process's CPU time per query call, median (SQLite's work included, PostgreSQL's not) */
type Line = { provider: string; query: string; q: Stats; b: Stats; cpu: number; target: number };
const lines: Line[] = [];
const notes: string[] = [];

type RawProgress = {
  userId: string;
  taskId: string;
  attempts: number;
  quickChecks: number;
  firstSolvedAt: unknown;
};
type RawFailure = { failKey: string; shapeHash: string | null; userId: string };
type RawReads = {
  progressRows: () => Promise<RawProgress[]> | RawProgress[];
  failedRows: () => Promise<RawFailure[]> | RawFailure[];
};

/** What the dashboards answer must be what the raw rows say (both providers, every run). */
function check(
  o: Awaited<ReturnType<ReturnType<typeof createCaller>['cohort']['overview']>>,
  g: Awaited<ReturnType<ReturnType<typeof createCaller>['cohort']['groups']>>,
  progress: RawProgress[],
  failed: RawFailure[],
): void {
  const fail = (what: string, got: unknown, expected: unknown) => {
    throw new Error(`check failed: ${what}: the dashboard says ${got}, the raw rows ${expected}`);
  };
  const started = progress.filter((p) => p.attempts > 0 || p.quickChecks > 0 || p.firstSolvedAt);
  if (o.cells.length !== started.length) fail('overview cells', o.cells.length, started.length);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const pairs: Array<[string, number, number]> = [
    ['final attempts', sum(o.cells.map((c) => c[3])), sum(started.map((p) => p.attempts))],
    ['quick checks', sum(o.cells.map((c) => c[4])), sum(started.map((p) => p.quickChecks))],
    [
      'solved cells',
      o.cells.filter((c) => ['first_try', 'solved', 'assisted'].includes(c[2])).length,
      started.filter((p) => p.firstSolvedAt).length,
    ],
    [
      'students solved',
      sum(o.students.map((s) => s.solved)),
      started.filter((p) => p.firstSolvedAt).length,
    ],
    [
      'students attempted',
      sum(o.students.map((s) => s.attempted)),
      started.filter((p) => p.attempts > 0).length,
    ],
    ['failed attempts', g.failedAttempts, failed.length],
  ];
  for (const [what, got, expected] of pairs) if (got !== expected) fail(what, got, expected);
  const byKey = new Map<string, { users: Set<string>; attempts: number; shapes: Set<string> }>();
  for (const f of failed) {
    const k = byKey.get(f.failKey) ?? { users: new Set(), attempts: 0, shapes: new Set() };
    k.users.add(f.userId);
    k.attempts++;
    k.shapes.add(f.shapeHash ?? '');
    byKey.set(f.failKey, k);
  }
  if (g.groups.length !== byKey.size) fail('groups', g.groups.length, byKey.size);
  for (const group of g.groups) {
    const k = byKey.get(group.failKey);
    const got = `${group.students}/${group.attempts}/${group.shapes.length}`;
    const expected = k ? `${k.users.size}/${k.attempts}/${k.shapes.size}` : 'no such group';
    if (got !== expected) fail(`group ${group.failKey} students/attempts/shapes`, got, expected);
  }
}

async function measure(
  provider: string,
  db: Db,
  info: { courseId: string; hotTaskId: string; session: Session },
  raw: RawReads,
) {
  clearContentCache();
  const caller = createCaller(createContextInner({ db, session: info.session, grader: null }));
  const cohort = { cohort: COHORT_SLUG };
  const o = await caller.cohort.overview(cohort);
  const g = await caller.cohort.groups({ ...cohort, taskId: info.hotTaskId });
  const progress = await raw.progressRows();
  const failed = await raw.failedRows();
  check(o, g, progress, failed);
  const shapes = g.groups.reduce((n, x) => n + x.shapes.length, 0);
  notes.push(
    `${provider}: checked against the raw rows: overview ${o.students.length} students × ${o.tasks.length} tasks, ${o.cells.length.toLocaleString('en')} cells from ${progress.length.toLocaleString('en')} progress rows; groups of ${info.hotTaskId}: ${g.failedAttempts.toLocaleString('en')} failed attempts in ${g.groups.length} groups, ${shapes} (group, shape) pairs`,
  );
  const ov = await measurePair(() => caller.cohort.overview(cohort), raw.progressRows);
  lines.push({ provider, query: 'overview', ...ov, target: TARGET_OVERVIEW_MS });
  const gr = await measurePair(
    () => caller.cohort.groups({ ...cohort, taskId: info.hotTaskId }),
    raw.failedRows,
  );
  lines.push({
    provider,
    query: `groups (${failed.length.toLocaleString('en')} failures)`,
    ...gr,
    target: TARGET_GROUPS_MS,
  });
}

// the baselines: a plain indexed read of the same rows, every column the query needs
const PROGRESS_SQL =
  'SELECT "userId","taskId","attempts","quickChecks","firstSolvedAt","attemptsToSolve","assisted","lastStatus","lastAttemptAt","hintOpenedAt","answerRevealedAt" FROM "progress" WHERE "courseId" = $1';
const FAILED_SQL =
  'SELECT "failKey","shapeHash","userId" FROM "attempt" WHERE "courseId" = $1 AND "taskId" = $2 AND "stage" = \'final\' AND "failKey" IS NOT NULL';
const sqliteSql = (sql: string) => sql.replace(/\$\d/g, '?');

async function benchSqlite(): Promise<void> {
  const dir = REUSE ? null : mkdtempSync(join(tmpdir(), 'lms-bench-dash-'));
  const file = REUSE ?? join(dir as string, 'bench.db');
  const target = resolveTarget(
    REUSE ? (REUSE.startsWith('file:') ? REUSE : `file:${REUSE}`) : `file:${file}`,
  );
  if (target.provider !== 'sqlite')
    throw new Error('--reuse with --provider sqlite: a SQLite file');
  try {
    await migrate(target);
    const db = createDb({ url: target.url });
    let info: { courseId: string; hotTaskId: string; session: Session };
    if (REUSE) {
      const r = await reuse(db);
      info = r;
      notes.push(`sqlite: reused ${target.file} (${r.counts})`);
    } else {
      console.log(`\nSQLite: generating ${STUDENTS} × ${TASKS} × ${ATTEMPTS} into ${target.file}`);
      const g = await generate(
        db,
        async (courseId, releaseId) => sqliteSink(target.file, courseId, releaseId),
        'sqlite',
      );
      info = { courseId: g.courseId, hotTaskId: g.plan.hotTaskId, session: g.session };
      notes.push(`sqlite: generated in ${g.seconds.toFixed(1)} s`);
    }
    const raw = new Database(target.file, { readonly: true, timeout: 10_000 });
    const progress = raw.prepare(sqliteSql(PROGRESS_SQL));
    const failed = raw.prepare(sqliteSql(FAILED_SQL));
    const size = ['', '-wal'].reduce((n, ext) => {
      try {
        return n + statSync(`${target.file}${ext}`).size;
      } catch {
        return n;
      }
    }, 0);
    notes.push(`sqlite: database size ${(size / 1024 / 1024).toFixed(0)} MiB (file + WAL)`);
    await measure('SQLite', db, info, {
      progressRows: () => progress.all(info.courseId) as RawProgress[],
      failedRows: () => failed.all(info.courseId, info.hotTaskId) as RawFailure[],
    });
    raw.close();
    await db.$disconnect();
    if (KEEP && dir) notes.push(`sqlite: kept ${target.file} (--reuse ${target.file})`);
  } finally {
    if (dir && !KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(): Promise<void> {
  const server = 'postgres://postgres@127.0.0.1:5432/postgres';
  const probe = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
  } catch (error) {
    console.log(`\nPostgreSQL: skipped (127.0.0.1:5432 unreachable: ${(error as Error).message})`);
    return;
  } finally {
    await probe.end().catch(() => {});
  }
  const name = `lms_bench_dash_${process.pid}`;
  const url = REUSE ?? `postgres://postgres@127.0.0.1:5432/${name}`;
  if (!REUSE) await pgAdmin(server, `CREATE DATABASE "${name}"`);
  try {
    await migrate(resolveTarget(url));
    const db = createDb({ url });
    let info: { courseId: string; hotTaskId: string; session: Session };
    if (REUSE) {
      const r = await reuse(db);
      info = r;
      notes.push(`postgres: reused ${url} (${r.counts})`);
    } else {
      console.log(`\nPostgreSQL: generating ${STUDENTS} × ${TASKS} × ${ATTEMPTS} into ${name}`);
      const g = await generate(
        db,
        (courseId, releaseId) => pgSink(url, courseId, releaseId),
        'postgres',
      );
      info = { courseId: g.courseId, hotTaskId: g.plan.hotTaskId, session: g.session };
      notes.push(`postgres: generated in ${g.seconds.toFixed(1)} s`);
    }
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    const size = await raw.query<{ db: string; attempt: string }>(
      `SELECT pg_database_size(current_database())::text AS db, pg_total_relation_size('attempt')::text AS attempt`,
    );
    const mib = (s: string | undefined) => (Number(s) / 1024 / 1024).toFixed(0);
    notes.push(
      `postgres: database size ${mib(size.rows[0]?.db)} MiB (attempt with its indexes ${mib(size.rows[0]?.attempt)} MiB)`,
    );
    await measure('PostgreSQL', db, info, {
      progressRows: async () =>
        (await raw.query<RawProgress>({ text: PROGRESS_SQL, values: [info.courseId] })).rows,
      failedRows: async () =>
        (
          await raw.query<RawFailure>({
            text: FAILED_SQL,
            values: [info.courseId, info.hotTaskId],
          })
        ).rows,
    });
    await raw.end();
    await db.$disconnect();
    if (KEEP && !REUSE) notes.push(`postgres: kept ${url} (--reuse ${url})`);
  } finally {
    if (!REUSE && !KEEP) await pgAdmin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

function printTable() {
  const head = [
    'provider',
    'query',
    'p50 ms',
    'p95 ms',
    'baseline p50',
    'baseline p95',
    'p95 ÷ base',
    'target p95',
    'verdict',
    'cpu p50',
  ];
  const rows = lines.map((l) => [
    l.provider,
    l.query,
    l.q.p50.toFixed(1),
    l.q.p95.toFixed(1),
    l.b.p50.toFixed(1),
    l.b.p95.toFixed(1),
    `${(l.q.p95 / l.b.p95).toFixed(1)}×`,
    `< ${l.target}`,
    l.q.p95 < l.target ? 'PASS' : 'FAIL',
    l.cpu.toFixed(1),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join(' | ');
  console.log(`\n${fmt(head)}`);
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(fmt(r));
  console.log(
    `\n${RUNS} runs each after ${WARMUP} warm-up runs, query and baseline alternately; baseline: the same rows read through the raw driver (better-sqlite3 / pg) by an index; ratio: p95 ÷ baseline p95; cpu p50: this process's CPU time per query call, median (SQLite's work included, PostgreSQL's server not: it tells the query's own cost from waiting on a busy machine)`,
  );
  for (const n of notes) console.log(`  ${n}`);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `dashboard bench — ${new Date().toISOString()}, node ${process.version}, load average ${load()}; ${STUDENTS} students × ${TASKS} tasks × ${ATTEMPTS} attempts (${(STUDENTS * TASKS * ATTEMPTS).toLocaleString('en')} attempts, ${STUDENTS * ATTEMPTS} failed ones on one task)`,
);
if (REUSE && PROVIDER === 'both') {
  console.error('--reuse needs --provider sqlite or --provider postgres');
  process.exit(2);
}
if (PROVIDER !== 'postgres') await benchSqlite();
if (PROVIDER !== 'sqlite') await benchPostgres();
printTable();
console.log(`  load average at the end: ${load()}`);
