// The instructors' dashboards (router `cohort`, services/dashboard.ts) on a real SQLite database:
// verdicts are stored through the repo's own verdict transaction (recordAttemptResult), as the
// grader's callback stores them, and read back through the procedures.
import { shapeHash } from '@lms/content/shape';
import {
  addMember,
  createAttempt,
  createCohort,
  type Db,
  recordAnswerRevealed,
  recordAttemptResult,
  type TestResult,
} from '@lms/db';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraderTransport } from '../../src/server/grader/transport';
import { clearContentCache } from '../../src/server/services/content';
import { attemptsCsv, matrixCsv } from '../../src/server/services/dashboard-export';
import { callerFor, courseIdOf, createTestDb, makeUser, publishTestCourse } from './helpers';

let t: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
let courseId: string;
let instructor: ReturnType<typeof callerFor>;
let instructorSession: Awaited<ReturnType<typeof makeUser>>['session'];
const students: Array<{ id: string; name: string; caller: ReturnType<typeof callerFor> }> = [];
const COHORT = { cohort: 'dash' } as const;
const fakeGrader: GraderTransport = { kind: 'fake', dispatch: async () => {} };

const test = (
  name: string,
  status: TestResult['status'],
  message: string | null = null,
): TestResult => {
  const hidden = name.startsWith('hidden');
  return { name, status, message, hidden, origin: hidden ? 'hidden' : 'public', durationMs: 1 };
};

/** Stores a graded attempt as the verdict transaction does; returns its id. */
async function graded(
  userId: string,
  code: string,
  status: 'passed' | 'failed' | 'error',
  results: ReturnType<typeof test>[],
  options: { stage?: 'quick' | 'final'; taskId?: string; message?: string } = {},
): Promise<string> {
  const stage = options.stage ?? 'final';
  const { attempt } = await createAttempt(db, {
    userId,
    courseId,
    taskId: options.taskId ?? 't1',
    stage,
    code,
    shapeHash: stage === 'final' ? shapeHash(code) : null,
  });
  await recordAttemptResult(
    db,
    { attemptId: attempt.id },
    {
      status,
      results,
      testsPassed: results.filter((r) => r.status === 'passed').length,
      testsTotal: results.length,
      message: options.message ?? null,
      engine: stage === 'final' ? 'cpython-bwrap' : 'pyodide',
    },
  );
  return attempt.id;
}

const WRONG_A = 'def add(a, b):\n    return a - b  # oops\n';
const WRONG_A_RENAMED = 'def add(x,y):\n\n    return x - y\n';
const WRONG_A_OTHER_SHAPE = 'def add(a, b):\n    c = a - b\n    return c\n';
const failsAdd = [
  test('test add', 'failed', 'add(2, 3) returned -1, expected 5'),
  test('test zero', 'passed'),
];

beforeAll(async () => {
  t = await createTestDb();
  db = t.db;
  clearContentCache();
  await publishTestCourse(db);
  courseId = await courseIdOf(db);
  const cohort = await createCohort(db, { slug: 'dash', name: 'Dash', courseSlug: 'testcourse' });
  const teacher = await makeUser(db, 'instructor', 'dash-teacher@example.test');
  instructorSession = teacher.session;
  await addMember(db, { cohortId: cohort.id, userId: teacher.user.id, role: 'instructor' });
  instructor = callerFor(db, teacher.session, { grader: fakeGrader });
  for (const n of [1, 2, 3, 4]) {
    const s = await makeUser(db, 'student', `dash-s${n}@example.test`);
    await addMember(db, { cohortId: cohort.id, userId: s.user.id, role: 'student' });
    students.push({
      id: s.user.id,
      name: s.user.name,
      caller: callerFor(db, s.session, { grader: fakeGrader, submitsPerMinute: 1000 }),
    });
  }
  const [s1, s2, s3, s4] = students.map((s) => s.id) as [string, string, string, string];
  // s1: the same mistake twice, then solves (3 final attempts)
  await graded(s1, WRONG_A, 'failed', failsAdd);
  await graded(s1, `${WRONG_A}\n# still wrong\n`, 'failed', failsAdd);
  await graded(s1, 'def add(a, b):\n    return a + b\n', 'passed', [
    test('test add', 'passed'),
    test('test zero', 'passed'),
  ]);
  // s2: the same mistake with other names and layout (same shape), still failing
  await graded(s2, WRONG_A_RENAMED, 'failed', failsAdd);
  // s3: the same failure with another shape, and a crash
  await graded(s3, WRONG_A_OTHER_SHAPE, 'failed', failsAdd);
  await graded(s3, 'def add(a, b):\n    return a +\n', 'error', [], {
    message: 'SyntaxError: invalid syntax (line 2)',
  });
  // s4: first try on t1; the answer of t2 revealed, then solved (assisted); only a quick check on t3
  await graded(s4, 'def add(a, b):\n    return b + a\n', 'passed', [
    test('test add', 'passed'),
    test('test zero', 'passed'),
  ]);
  await recordAnswerRevealed(db, { userId: s4, courseId, taskId: 't2' });
  await graded(s4, 'print(2)', 'passed', [test('t2 test', 'passed')], { taskId: 't2' });
  await graded(s4, 'print(3)', 'failed', [test('t3 test', 'failed')], {
    taskId: 't2',
    stage: 'quick',
  });
}, 120_000);

afterAll(async () => {
  await t?.cleanup();
});

describe('overview', () => {
  it('has one cell per started task with its state, and each student', async () => {
    const o = await instructor.cohort.overview(COHORT);
    expect(o.students.map((s) => s.id)).toEqual(students.map((s) => s.id));
    expect(o.tasks.map((x) => x.id)).toEqual(['t1', 't2', 't3']);
    const cell = (student: number, task: string) =>
      o.cells.find((c) => c[0] === student && o.tasks[c[1]]?.id === task) ?? null;
    expect(cell(0, 't1')?.slice(2)).toEqual(['solved', 3, 0, 'passed']);
    expect(cell(1, 't1')?.slice(2)).toEqual(['failing', 1, 0, 'failed']);
    expect(cell(2, 't1')?.slice(2)).toEqual(['failing', 2, 0, 'error']);
    expect(cell(3, 't1')?.slice(2)).toEqual(['first_try', 1, 0, 'passed']);
    expect(cell(3, 't2')?.slice(2, 3)).toEqual(['assisted']);
    expect(cell(0, 't2')).toBeNull();
    expect(o.students[3]).toMatchObject({ solved: 2, attempted: 2 });
  });

  it("pulse changes with a verdict of the cohort's students, not of anyone else", async () => {
    const before = (await instructor.cohort.pulse(COHORT)).version;
    const extra = await makeUser(db, 'student', 'dash-outsider@example.test');
    await graded(extra.user.id, 'x = 1', 'failed', failsAdd, { taskId: 't3' });
    expect((await instructor.cohort.pulse(COHORT)).version).toBe(before);
    await graded(students[3]?.id ?? '', 'x = 2', 'failed', failsAdd, { taskId: 't3' });
    expect((await instructor.cohort.pulse(COHORT)).version).not.toBe(before);
  });
});

describe('wrong answers grouped', () => {
  it('groups by how they fail, then by shape; names only the cohort', async () => {
    const g = await instructor.cohort.groups({ ...COHORT, taskId: 't1' });
    expect(g.groups).toHaveLength(2);
    const [top, crash] = g.groups;
    expect(top).toMatchObject({
      status: 'failed',
      failingTests: ['test add'],
      message: 'add(2, 3) returned -1, expected 5',
      students: 3,
      attempts: 4,
      newStudentsLastHour: 3,
    });
    // s1's two attempts and s2's renamed one share a shape; s3's is another
    expect(top?.shapes.map((s) => [s.students, s.attempts])).toEqual([
      [2, 3],
      [1, 1],
    ]);
    expect(crash).toMatchObject({ status: 'error', students: 1, failingTests: [] });
    expect(crash?.message).toBe('SyntaxError: invalid syntax (line …)');
    const all = await instructor.cohort.groupAttempts({
      ...COHORT,
      taskId: 't1',
      failKey: top?.failKey ?? '',
    });
    expect(all.map((a) => a.studentId).sort()).toEqual(
      [students[0]?.id, students[0]?.id, students[1]?.id, students[2]?.id].sort(),
    );
    const oneShape = await instructor.cohort.groupAttempts({
      ...COHORT,
      taskId: 't1',
      failKey: top?.failKey ?? '',
      shapeHash: top?.shapes[1]?.shapeHash,
    });
    expect(oneShape.map((a) => a.code)).toEqual([WRONG_A_OTHER_SHAPE]);
  });

  it("a group's note reaches the students whose latest wrong answer is in it, and later ones", async () => {
    const g = await instructor.cohort.groups({ ...COHORT, taskId: 't1' });
    const top = g.groups[0];
    if (!top) throw new Error('no group');
    const note = await instructor.cohort.setGroupNote({
      ...COHORT,
      taskId: 't1',
      failKey: top.failKey,
      body: '  Look at the operator in the return line.  ',
    });
    expect(note?.body).toBe('Look at the operator in the return line.');
    const noteOf = async (i: number) => {
      const page = await students[i]?.caller.chapter.get({ course: 'testcourse', chapter: 'c1' });
      return page?.chapter.tasks.find((x) => x.id === 't1')?.instructorNote?.body ?? null;
    };
    // s1 (solved, but the latest wrong answer is in the group) and s2 see it; s3's latest
    // wrong answer is the crash; s4 never failed
    expect(await noteOf(0)).toBe('Look at the operator in the return line.');
    expect(await noteOf(1)).toBe('Look at the operator in the return line.');
    expect(await noteOf(2)).toBeNull();
    expect(await noteOf(3)).toBeNull();
    // s3 makes the group's mistake again: now they see it too
    await graded(students[2]?.id ?? '', WRONG_A, 'failed', failsAdd);
    expect(await noteOf(2)).toBe('Look at the operator in the return line.');
    const again = await instructor.cohort.groups({ ...COHORT, taskId: 't1' });
    expect(again.groups[0]?.note?.body).toBe('Look at the operator in the return line.');
    // an empty body removes it
    await instructor.cohort.setGroupNote({
      ...COHORT,
      taskId: 't1',
      failKey: top.failKey,
      body: '',
    });
    expect(await noteOf(1)).toBeNull();
  });
});

describe('per task, attention, engines, timeline, charts', () => {
  it('task stats: solve rate, medians, usage and per-test failures of latest attempts', async () => {
    const s = await instructor.cohort.task({ ...COHORT, taskId: 't1' });
    expect(s).toMatchObject({
      students: 4,
      attempted: 4,
      solved: 2,
      solveRate: 0.5,
      medianAttemptsToSolve: 2,
    });
    expect(s.medianMinutesToSolve).toBeGreaterThanOrEqual(0);
    // latest final attempts: s1 passed, s2 failed "test add", s3 failed "test add" (again), s4 passed
    expect(s.tests.find((x) => x.name === 'test add')?.failingStudents).toBe(2);
    expect(s.tests.find((x) => x.name === 'test zero')?.failingStudents).toBe(0);
    expect(s.attemptsToSolve).toEqual([
      { attempts: 1, students: 1 },
      { attempts: 3, students: 1 },
    ]);
    const t2 = await instructor.cohort.task({ ...COHORT, taskId: 't2' });
    expect([t2.answersRevealed, t2.assisted]).toEqual([1, 1]);
  });

  it('needs attention: N failures within M minutes and no solve; thresholds per cohort', async () => {
    await instructor.cohort.setAttention({
      ...COHORT,
      failedAttempts: 2,
      withinMinutes: 60,
      inactiveDays: 7,
      groupGrowth: 3,
    });
    const a = await instructor.cohort.attention(COHORT);
    expect(a.settings.failedAttempts).toBe(2);
    // s1 failed twice but solved; s3 failed 3 times (2 in the group + the crash), unsolved
    expect(a.struggling.map((x) => [x.studentId, x.taskId, x.failed])).toEqual([
      [students[2]?.id, 't1', 3],
    ]);
    // the top group gained 3 students within the hour
    expect(a.growingGroups.map((g) => [g.taskId, g.newStudents])).toEqual([['t1', 3]]);
    expect(a.inactive).toEqual([]);
  });

  it('engines disagree: same code, quick passed, final failed a public test', async () => {
    const s2 = students[1]?.id ?? '';
    const code = 'def add(a, b):\n    return a + b if a else b\n';
    await graded(s2, code, 'passed', [test('test add', 'passed')], { stage: 'quick' });
    await graded(s2, code, 'failed', [
      test('test add', 'failed', 'boom'),
      test('hidden 1', 'passed'),
    ]);
    // only a hidden test fails on the server: not a disagreement
    const code2 = 'def add(a, b):\n    return a + b  # v2\n';
    await graded(s2, code2, 'passed', [test('test add', 'passed')], { stage: 'quick' });
    await graded(s2, code2, 'failed', [
      test('test add', 'passed'),
      test('hidden 1', 'failed', 'x'),
    ]);
    const d = await instructor.cohort.disagreements(COHORT);
    expect(d.tasks).toEqual([{ taskId: 't1', taskTitle: expect.any(String), programs: 1 }]);
    expect(d.programs[0]).toMatchObject({
      studentId: s2,
      code,
      quick: { status: 'passed', engine: 'pyodide' },
      final: { status: 'failed', engine: 'cpython-bwrap' },
      tests: [{ name: 'test add', quick: 'passed', final: 'failed' }],
    });
  });

  it("a student's timeline: attempts with the previous one of the task, and the answer", async () => {
    const s1 = students[0]?.id ?? '';
    const tl = await instructor.cohort.student({ ...COHORT, studentId: s1 });
    const finals = tl.events.filter((e) => e.kind === 'attempt' && e.taskId === 't1');
    expect(finals).toHaveLength(3);
    // newest first; each names the one before it
    const ids = finals.map((e) => (e.kind === 'attempt' ? e.attemptId : ''));
    expect(finals.map((e) => (e.kind === 'attempt' ? e.previousAttemptId : ''))).toEqual([
      ids[1],
      ids[2],
      null,
    ]);
    const s4 = await instructor.cohort.student({ ...COHORT, studentId: students[3]?.id ?? '' });
    expect(s4.events.some((e) => e.kind === 'answer' && e.taskId === 't2')).toBe(true);
    await expect(
      instructor.cohort.student({ ...COHORT, studentId: instructorSession.user.id }),
    ).rejects.toMatchObject({ appCode: 'STUDENT_NOT_FOUND' });
  });

  it('charts: cumulative solves, attempts per task, attempts-to-solve', async () => {
    const c = await instructor.cohort.charts(COHORT);
    expect(c.solvesOverTime.at(-1)?.cumulative).toBe(3);
    expect(c.attemptsPerTask.map((x) => x.taskId)).toEqual(['t1', 't2', 't3']);
    expect(c.attemptsPerTask[0]?.students).toBe(4);
    expect(c.attemptsToSolve).toEqual([
      { attempts: 1, students: 2 },
      { attempts: 3, students: 1 },
    ]);
  });
});

describe('CSV exports', () => {
  const ctx = () => ({ db, session: instructorSession, grader: null, submitsPerMinute: 10 });

  it('the matrix: one row per student, one column per task', async () => {
    const rows = parse(await matrixCsv(ctx(), 'dash'), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ email: 'dash-s1@example.test', t1: 'solved (3)', t2: '' });
    expect(rows[3]).toMatchObject({ t1: 'first_try (1)', t2: expect.stringMatching(/^assisted/) });
  });

  it('every attempt, one row each, streamed', async () => {
    const stream = await attemptsCsv(ctx(), 'dash');
    const text = await new Response(stream).text();
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    const stored = await db.attempt.count({
      where: { courseId, user: { memberships: { some: { cohort: { slug: 'dash' } } } } },
    });
    expect(rows).toHaveLength(stored);
    expect(rows.find((r) => r.status === 'error')).toMatchObject({
      email: 'dash-s3@example.test',
      task: 't1',
      chapter: 'c1',
      stage: 'final',
      tests_total: '0',
    });
  });
});

it('verdicts recorded out of submission order count as submitted', async () => {
  const late = await makeUser(db, 'student', 'dash-late@example.test');
  const userId = late.user.id;
  const made = async (code: string) =>
    (await createAttempt(db, { userId, courseId, taskId: 't2', stage: 'final', code })).attempt;
  // A1 (wrong) is submitted first, A2 (right) after it; A2's verdict is recorded first
  const a1 = await made('print(1)');
  await expect.poll(() => Date.now() > a1.createdAt.getTime()).toBe(true);
  const a2 = await made('print(2)');
  await recordAttemptResult(db, { attemptId: a2.id }, { status: 'passed', results: [] });
  await recordAttemptResult(db, { attemptId: a1.id }, { status: 'timeout', results: [] });
  const p = await db.progress.findUniqueOrThrow({
    where: { userId_courseId_taskId: { userId, courseId, taskId: 't2' } },
  });
  expect(p).toMatchObject({
    attempts: 2,
    attemptsToSolve: 2,
    lastFinalId: a2.id,
    lastStatus: 'passed',
    firstAttemptAt: a1.createdAt,
  });
  // a later wrong submission is the latest again
  const a3 = await made('print(3)');
  await recordAttemptResult(db, { attemptId: a3.id }, { status: 'failed', results: [] });
  expect(
    await db.progress.findUniqueOrThrow({
      where: { userId_courseId_taskId: { userId, courseId, taskId: 't2' } },
      select: { lastFinalId: true, attemptsToSolve: true },
    }),
  ).toEqual({ lastFinalId: a3.id, attemptsToSolve: 2 });
});

it('a submitted program is stored with its code shape (grouping needs it)', async () => {
  const code = 'def add(p, q):\n    return p - q\n';
  const out = await students[3]?.caller.attempt.submit({
    courseSlug: 'testcourse',
    taskId: 't1',
    code,
  });
  const stored = await db.attempt.findUniqueOrThrow({ where: { id: out?.id ?? '' } });
  expect(stored.shapeHash).toBe(shapeHash(WRONG_A_RENAMED));
  expect(stored.codeHash).toMatch(/^[0-9a-f]{16}$/);
});
