import type { Task } from '@lms/content/schema';
import {
  attemptResults,
  audit,
  type CohortStudent,
  type CohortSummary,
  cohortAttention,
  cohortDisagreements,
  cohortOverviewRows,
  cohortProgressRows,
  cohortPulse,
  cohortStudents,
  getCohort,
  groupAttemptRows,
  groupNotes,
  growingGroups,
  isInstructorOf,
  listCohorts,
  listCohortsForUser,
  membershipRole,
  type OverviewProgressCell,
  type ProgressCell,
  recentFailures,
  representativeAttempts,
  setCohortAttention,
  setGroupNote as storeGroupNote,
  studentAttempts,
  taskFailureRows,
} from '@lms/db';
import type { SignedInContext } from '../context';
import { AppError } from '../errors';
import { getPublishedCourse, type PublishedCourse } from './content';
import type {
  Attention,
  AttentionSettings,
  CellState,
  Charts,
  CohortHead,
  CohortListItem,
  Disagreements,
  FailureGroup,
  GroupAttempt,
  GroupAttemptRef,
  GroupNote,
  Overview,
  OverviewCell,
  StudentTimeline,
  TaskGroups,
  TaskStats,
  TimelineEvent,
} from './dashboard-types';
import { hasRole } from './roles';

/** The thresholds of "needs attention" when a cohort has set none. */
export const DEFAULT_ATTENTION: AttentionSettings = {
  failedAttempts: 3,
  withinMinutes: 30,
  inactiveDays: 7,
  groupGrowth: 3,
};

/** At most this many attempts in a drill-down, a timeline, the disagreements list. */
const GROUP_ATTEMPTS_LIMIT = 500;
const TIMELINE_LIMIT = 400;
const DISAGREEMENTS_LIMIT = 200;

type Scope = {
  cohort: CohortHead;
  cohortId: string;
  courseId: string;
  published: PublishedCourse;
};

/**
 * The cohort, if the caller may watch it: an admin any cohort, an instructor (global role) only
 * the cohorts they are an instructor member of. Anything else is COHORT_NOT_FOUND, as if it did
 * not exist. The cohort must study a course with a published release.
 */
export async function watchableCohort(ctx: SignedInContext, ref: string): Promise<Scope> {
  const cohort = await getCohort(ctx.db, ref);
  const user = ctx.session.user;
  const allowed =
    cohort !== null &&
    (hasRole(user, 'admin') ||
      (hasRole(user, 'instructor') && (await isInstructorOf(ctx.db, user.id, cohort.id))));
  if (!cohort || !allowed) throw new AppError('COHORT_NOT_FOUND', { cohort: ref });
  if (!cohort.course) throw new AppError('NOT_PUBLISHED', { course: '—' });
  const published = await getPublishedCourse(ctx.db, cohort.course.slug);
  return {
    cohort: {
      id: cohort.id,
      slug: cohort.slug,
      name: cohort.name,
      course: { id: cohort.course.id, slug: cohort.course.slug, title: cohort.course.title },
    },
    cohortId: cohort.id,
    courseId: cohort.course.id,
    published,
  };
}

/** The words of an inline tree (text, inline code), for a short label. */
function plainText(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  if (Array.isArray(node)) return node.map(plainText).join('');
  const n = node as Record<string, unknown>;
  if (typeof n.text === 'string') return n.text;
  if (typeof n.value === 'string') return n.value;
  if (n.kind === 'inlineCode' && typeof n.code === 'string') return n.code;
  return plainText(n.children);
}

const LABEL_CHARS = 60;

/**
 * A task's label: its number in the course as the chapter page shows it ("2.3": chapter 2,
 * its third task) and the first words of its statement.
 */
function taskTitle(chapterIndex: number, taskIndex: number, task: Task): string {
  const first = task.statement.find((b) => b.kind === 'paragraph');
  const words = first ? plainText(first).replace(/\s+/g, ' ').trim() : '';
  const cut = words.length > LABEL_CHARS ? `${words.slice(0, LABEL_CHARS - 1)}…` : words;
  return `${chapterIndex + 1}.${taskIndex + 1}${cut ? ` ${cut}` : ''}`;
}

/** The course's tasks in course order, with their chapter. */
function courseTasks(published: PublishedCourse) {
  const chapters = published.course.chapters.map((c) => ({ id: c.id, title: c.title }));
  const tasks = published.course.chapters.flatMap((c, chapter) =>
    c.tasks.map((t, i) => ({
      id: t.id,
      title: taskTitle(chapter, i, t),
      chapterId: c.id,
      chapter,
    })),
  );
  return { chapters, tasks };
}

function taskTitles(published: PublishedCourse): Map<string, string> {
  return new Map(courseTasks(published).tasks.map((t) => [t.id, t.title]));
}

type CellCounts = Pick<
  OverviewProgressCell,
  'solved' | 'attempts' | 'attemptsToSolve' | 'assisted' | 'quickChecks'
>;

/** A student × task cell from an overview row (`solved`: firstSolvedAt is set); null: not started. */
function cellOfRow(p: CellCounts): { state: CellState; attempts: number } | null {
  if (p.solved) {
    const attempts = p.attemptsToSolve ?? p.attempts;
    if (p.assisted) return { state: 'assisted', attempts };
    return { state: attempts <= 1 ? 'first_try' : 'solved', attempts };
  }
  if (p.attempts > 0) return { state: 'failing', attempts: p.attempts };
  if (p.quickChecks > 0) return { state: 'quick_only', attempts: 0 };
  return null;
}

const latest = (...dates: Array<Date | null>) =>
  dates.reduce<Date | null>((a, d) => (d && (!a || d > a) ? d : a), null);

function lastActivity(p: ProgressCell): Date | null {
  return latest(p.lastAttemptAt, p.hintOpenedAt, p.answerRevealedAt);
}

export async function myCohorts(ctx: SignedInContext): Promise<CohortListItem[]> {
  const user = ctx.session.user;
  const cohorts: CohortSummary[] = hasRole(user, 'admin')
    ? await listCohorts(ctx.db)
    : (await listCohortsForUser(ctx.db, user.id)).filter((c) => c.role === 'instructor');
  const counts = await ctx.db.membership.groupBy({
    by: ['cohortId'],
    where: { role: 'student', cohortId: { in: cohorts.map((c) => c.id) } },
    _count: { _all: true },
  });
  const byId = new Map(counts.map((c) => [c.cohortId, c._count._all]));
  return cohorts.map((c) => ({
    id: c.id,
    slug: c.slug,
    name: c.name,
    course: c.course ? { slug: c.course.slug, title: c.course.title } : null,
    students: byId.get(c.id) ?? 0,
  }));
}

export async function pulse(ctx: SignedInContext, ref: string): Promise<{ version: string }> {
  const scope = await watchableCohort(ctx, ref);
  return { version: await cohortPulse(ctx.db, scope) };
}

export async function overview(ctx: SignedInContext, ref: string): Promise<Overview> {
  const scope = await watchableCohort(ctx, ref);
  const version = await cohortPulse(ctx.db, scope);
  // one row per student with their progress packed (100,000 rows as objects cost seconds)
  const [students, rows] = await Promise.all([
    cohortStudents(ctx.db, scope.cohortId),
    cohortOverviewRows(ctx.db, scope),
  ]);
  const { chapters, tasks } = courseTasks(scope.published);
  const studentIndex = new Map(students.map((s, i) => [s.id, i]));
  const taskIndex = new Map(tasks.map((t, i) => [t.id, i]));
  const perStudent = students.map((s) => ({
    id: s.id,
    name: s.name,
    email: s.email,
    lastActivityAt: null as Date | null,
    solved: 0,
    attempted: 0,
  }));
  const cells: OverviewCell[] = [];
  for (const r of rows) {
    const si = studentIndex.get(r.userId);
    const st = si === undefined ? undefined : perStudent[si];
    if (si === undefined || !st) continue;
    // a task no longer in the published release still counts as activity, not as a cell
    st.lastActivityAt = latest(r.lastAttemptAt, r.hintOpenedAt, r.answerRevealedAt);
    for (const p of r.cells) {
      const ti = taskIndex.get(p.taskId);
      if (ti === undefined) continue;
      const cell = cellOfRow(p);
      if (!cell) continue;
      if (p.solved) st.solved++;
      if (p.attempts > 0) st.attempted++;
      cells.push([
        si,
        ti,
        cell.state,
        p.attempts,
        p.quickChecks,
        (p.lastStatus as OverviewCell[5]) ?? null,
      ]);
    }
  }
  return { cohort: scope.cohort, chapters, tasks, students: perStudent, cells, version };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function histogram(values: number[]): Array<{ attempts: number; students: number }> {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([attempts, students]) => ({ attempts, students }));
}

function findCourseTask(scope: Scope, taskId: string) {
  const chapters = scope.published.course.chapters;
  for (const [ci, chapter] of chapters.entries()) {
    const ti = chapter.tasks.findIndex((t) => t.id === taskId);
    const task = chapter.tasks[ti];
    if (task) return { chapter, task: { ...task, title: taskTitle(ci, ti, task) } };
  }
  throw new AppError('TASK_NOT_FOUND', { task: taskId });
}

export async function taskStats(
  ctx: SignedInContext,
  input: { cohort: string; taskId: string },
): Promise<TaskStats> {
  const scope = await watchableCohort(ctx, input.cohort);
  const { chapter, task } = findCourseTask(scope, input.taskId);
  const [students, rows] = await Promise.all([
    cohortStudents(ctx.db, scope.cohortId),
    cohortProgressRows(ctx.db, { ...scope, taskId: task.id }),
  ]);
  const solvedRows = rows.filter((p) => p.firstSolvedAt);
  const minutes = solvedRows.flatMap((p) =>
    p.firstAttemptAt && p.firstSolvedAt
      ? [(p.firstSolvedAt.getTime() - p.firstAttemptAt.getTime()) / 60_000]
      : [],
  );
  const toSolve = solvedRows.map((p) => p.attemptsToSolve ?? p.attempts);
  // per test: how many students' latest final attempt fails it
  const latestIds = rows.flatMap((p) => (p.lastFinalId ? [p.lastFinalId] : []));
  const tests = new Map<string, { hidden: boolean; failingStudents: number }>();
  for (const a of await attemptResults(ctx.db, latestIds)) {
    for (const t of a.results ?? []) {
      const entry = tests.get(t.name) ?? { hidden: Boolean(t.hidden), failingStudents: 0 };
      if (t.status !== 'passed') entry.failingStudents++;
      tests.set(t.name, entry);
    }
  }
  return {
    cohort: scope.cohort,
    task: { id: task.id, title: task.title, chapterId: chapter.id, chapterTitle: chapter.title },
    students: students.length,
    attempted: rows.filter((p) => p.attempts > 0).length,
    solved: solvedRows.length,
    solveRate: students.length ? solvedRows.length / students.length : 0,
    medianAttemptsToSolve: median(toSolve),
    medianMinutesToSolve: median(minutes),
    hintsOpened: rows.filter((p) => p.hintOpenedAt).length,
    answersRevealed: rows.filter((p) => p.answerRevealedAt).length,
    assisted: rows.filter((p) => p.assisted).length,
    tests: [...tests].map(([name, t]) => ({ name, ...t })),
    attemptsToSolve: histogram(toSolve),
  };
}

const HOUR_MS = 60 * 60_000;

export async function taskGroups(
  ctx: SignedInContext,
  input: { cohort: string; taskId: string },
): Promise<TaskGroups> {
  const scope = await watchableCohort(ctx, input.cohort);
  const { task } = findCourseTask(scope, input.taskId);
  const [rows, students, notes] = await Promise.all([
    taskFailureRows(ctx.db, { ...scope, taskId: task.id }),
    cohortStudents(ctx.db, scope.cohortId),
    groupNotes(ctx.db, { ...scope, taskId: task.id }),
  ]);
  const names = new Map(students.map((s) => [s.id, s.name]));
  const hourAgo = Date.now() - HOUR_MS;
  type Acc = {
    users: Map<string, Date>;
    attempts: number;
    anyId: string;
    shapes: Map<string, { users: Set<string>; attempts: number; anyId: string }>;
  };
  const groups = new Map<string, Acc>();
  for (const r of rows) {
    const g = groups.get(r.failKey) ?? {
      users: new Map(),
      attempts: 0,
      anyId: r.anyAttemptId,
      shapes: new Map(),
    };
    const first = g.users.get(r.userId);
    if (!first || r.firstAt < first) g.users.set(r.userId, r.firstAt);
    g.attempts += r.attempts;
    const shapeKey = r.shapeHash ?? '';
    const s = g.shapes.get(shapeKey) ?? { users: new Set(), attempts: 0, anyId: r.anyAttemptId };
    s.users.add(r.userId);
    s.attempts += r.attempts;
    g.shapes.set(shapeKey, s);
    groups.set(r.failKey, g);
  }
  const ordered = [...groups].sort(
    (a, b) => b[1].users.size - a[1].users.size || b[1].attempts - a[1].attempts,
  );
  const reps = new Map(
    (
      await representativeAttempts(
        ctx.db,
        ordered.flatMap(([, g]) => [g.anyId, ...[...g.shapes.values()].map((s) => s.anyId)]),
      )
    ).map((a) => [a.id, a]),
  );
  const ref = (id: string): GroupAttemptRef | null => {
    const a = reps.get(id);
    return a
      ? {
          attemptId: a.id,
          studentId: a.userId,
          studentName: names.get(a.userId) ?? '?',
          code: a.code,
          createdAt: a.createdAt,
        }
      : null;
  };
  const noteOf = new Map(notes.map((n) => [n.failKey, n]));
  const out: FailureGroup[] = [];
  for (const [failKey, g] of ordered) {
    const rep = reps.get(g.anyId);
    const representative = ref(g.anyId);
    if (!rep || !representative) continue;
    const note = noteOf.get(failKey);
    out.push({
      failKey,
      status: rep.status,
      failingTests: [
        ...new Set((rep.results ?? []).filter((t) => t.status !== 'passed').map((t) => t.name)),
      ].sort(),
      message: rep.failMessage ?? '',
      students: g.users.size,
      attempts: g.attempts,
      newStudentsLastHour: [...g.users.values()].filter((d) => d.getTime() >= hourAgo).length,
      representative,
      shapes: [...g.shapes]
        .sort((a, b) => b[1].users.size - a[1].users.size || b[1].attempts - a[1].attempts)
        .flatMap(([shapeHash, s]) => {
          const r = ref(s.anyId);
          return r
            ? [{ shapeHash, students: s.users.size, attempts: s.attempts, representative: r }]
            : [];
        }),
      note: note
        ? { body: note.body, authorName: note.authorName, updatedAt: note.updatedAt }
        : null,
    });
  }
  return {
    taskId: task.id,
    failedAttempts: rows.reduce((n, r) => n + r.attempts, 0),
    groups: out,
  };
}

export async function groupAttempts(
  ctx: SignedInContext,
  input: { cohort: string; taskId: string; failKey: string; shapeHash?: string | undefined },
): Promise<GroupAttempt[]> {
  const scope = await watchableCohort(ctx, input.cohort);
  const { task } = findCourseTask(scope, input.taskId);
  const rows = await groupAttemptRows(ctx.db, {
    ...scope,
    taskId: task.id,
    failKey: input.failKey,
    // '' stands for attempts stored without a shape
    ...(input.shapeHash !== undefined ? { shapeHash: input.shapeHash || null } : {}),
    limit: GROUP_ATTEMPTS_LIMIT,
  });
  return rows.map((r) => ({
    attemptId: r.id,
    studentId: r.userId,
    studentName: r.user.name,
    shapeHash: r.shapeHash,
    status: r.status,
    testsPassed: r.testsPassed,
    testsTotal: r.testsTotal,
    code: r.code,
    createdAt: r.createdAt,
  }));
}

export async function setGroupNote(
  ctx: SignedInContext,
  input: { cohort: string; taskId: string; failKey: string; body: string },
): Promise<GroupNote | null> {
  const scope = await watchableCohort(ctx, input.cohort);
  const { task } = findCourseTask(scope, input.taskId);
  const note = await storeGroupNote(ctx.db, {
    ...scope,
    taskId: task.id,
    failKey: input.failKey,
    body: input.body.trim(),
    authorId: ctx.session.user.id,
  });
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: note ? 'cohort.note.set' : 'cohort.note.remove',
    target: `${scope.cohort.slug}/${task.id}/${input.failKey}`,
    payload: note ? { body: note.body } : null,
  });
  return note ? { body: note.body, authorName: note.authorName, updatedAt: note.updatedAt } : null;
}

function attentionSettings(stored: unknown): AttentionSettings {
  const s = (stored ?? {}) as Partial<Record<keyof AttentionSettings, unknown>>;
  const pick = (k: keyof AttentionSettings) =>
    typeof s[k] === 'number' && Number.isFinite(s[k]) ? (s[k] as number) : DEFAULT_ATTENTION[k];
  return {
    failedAttempts: pick('failedAttempts'),
    withinMinutes: pick('withinMinutes'),
    inactiveDays: pick('inactiveDays'),
    groupGrowth: pick('groupGrowth'),
  };
}

export async function attention(ctx: SignedInContext, ref: string): Promise<Attention> {
  const scope = await watchableCohort(ctx, ref);
  const settings = attentionSettings(await cohortAttention(ctx.db, scope.cohortId));
  const now = Date.now();
  const titles = taskTitles(scope.published);
  const [students, failures, groups, rows] = await Promise.all([
    cohortStudents(ctx.db, scope.cohortId),
    recentFailures(ctx.db, {
      ...scope,
      since: new Date(now - settings.withinMinutes * 60_000),
      min: settings.failedAttempts,
    }),
    growingGroups(ctx.db, { ...scope, since: new Date(now - HOUR_MS) }),
    cohortProgressRows(ctx.db, scope),
  ]);
  const byId = new Map<string, CohortStudent>(students.map((s) => [s.id, s]));
  const solved = new Set(rows.filter((p) => p.firstSolvedAt).map((p) => `${p.userId}/${p.taskId}`));
  const lastAt = new Map<string, Date>();
  for (const p of rows) {
    const d = lastActivity(p);
    const prev = lastAt.get(p.userId);
    if (d && (!prev || d > prev)) lastAt.set(p.userId, d);
  }
  const inactiveSince = now - settings.inactiveDays * 24 * HOUR_MS;
  return {
    settings,
    struggling: failures
      .filter((f) => !solved.has(`${f.userId}/${f.taskId}`))
      .sort((a, b) => b.failed - a.failed || b.lastAt.getTime() - a.lastAt.getTime())
      .map((f) => ({
        studentId: f.userId,
        name: byId.get(f.userId)?.name ?? '?',
        taskId: f.taskId,
        taskTitle: titles.get(f.taskId) ?? f.taskId,
        failed: f.failed,
        lastAt: f.lastAt,
      })),
    inactive: students
      .filter((s) => {
        const last = lastAt.get(s.id);
        // never active: counts once they have been in the cohort that long
        return last ? last.getTime() < inactiveSince : s.joinedAt.getTime() < inactiveSince;
      })
      .map((s) => ({ studentId: s.id, name: s.name, lastActivityAt: lastAt.get(s.id) ?? null }))
      .sort((a, b) => (a.lastActivityAt?.getTime() ?? 0) - (b.lastActivityAt?.getTime() ?? 0)),
    growingGroups: groups
      .filter((g) => g.newStudents >= settings.groupGrowth)
      .sort((a, b) => b.newStudents - a.newStudents)
      .map((g) => ({ ...g, taskTitle: titles.get(g.taskId) ?? g.taskId })),
  };
}

export async function setAttention(
  ctx: SignedInContext,
  input: { cohort: string } & AttentionSettings,
): Promise<AttentionSettings> {
  const scope = await watchableCohort(ctx, input.cohort);
  const { cohort: _, ...settings } = input;
  await setCohortAttention(ctx.db, scope.cohortId, settings);
  await audit(ctx.db, {
    actorId: ctx.session.user.id,
    action: 'cohort.attention.set',
    target: scope.cohort.slug,
    payload: settings,
  });
  return settings;
}

export async function disagreements(ctx: SignedInContext, ref: string): Promise<Disagreements> {
  const scope = await watchableCohort(ctx, ref);
  const titles = taskTitles(scope.published);
  const found = await cohortDisagreements(ctx.db, { ...scope, limit: DISAGREEMENTS_LIMIT });
  const run = (a: (typeof found.latest)[number]['quick']) => ({
    attemptId: a.id,
    status: a.status as Disagreements['programs'][number]['quick']['status'],
    engine: a.engine,
    pythonImpl: a.pythonImpl,
    pythonVersion: a.pythonVersion,
    at: a.gradedAt ?? a.createdAt,
  });
  type Results = Array<{ name: string; status: string }> | null;
  return {
    tasks: found.perTask
      .map((t) => ({ ...t, taskTitle: titles.get(t.taskId) ?? t.taskId }))
      .sort((a, b) => b.programs - a.programs),
    programs: found.latest.map((d) => {
      const finalByName = new Map(
        ((d.final.results as Results) ?? []).map((t) => [t.name, t.status]),
      );
      return {
        taskId: d.taskId,
        taskTitle: titles.get(d.taskId) ?? d.taskId,
        studentId: d.userId,
        studentName: d.final.user.name,
        code: d.final.code,
        quick: run(d.quick),
        final: run(d.final),
        tests: ((d.quick.results as Results) ?? []).flatMap((t) => {
          const f = finalByName.get(t.name);
          return f !== undefined && f !== t.status
            ? [{ name: t.name, quick: t.status, final: f }]
            : [];
        }),
      };
    }),
  };
}

export async function studentTimeline(
  ctx: SignedInContext,
  input: { cohort: string; studentId: string },
): Promise<StudentTimeline> {
  const scope = await watchableCohort(ctx, input.cohort);
  // one membership, not the whole cohort's list
  const role = await membershipRole(ctx.db, { cohortId: scope.cohortId, userId: input.studentId });
  const student =
    role === 'student'
      ? await ctx.db.user.findUnique({
          where: { id: input.studentId },
          select: { id: true, name: true, email: true },
        })
      : null;
  if (!student) throw new AppError('STUDENT_NOT_FOUND');
  const titles = taskTitles(scope.published);
  const [attempts, progress] = await Promise.all([
    studentAttempts(ctx.db, {
      userId: student.id,
      courseId: scope.courseId,
      limit: TIMELINE_LIMIT,
    }),
    ctx.db.progress.findMany({
      where: { userId: student.id, courseId: scope.courseId },
      select: { taskId: true, hintOpenedAt: true, answerRevealedAt: true },
    }),
  ]);
  // previous = the next older attempt of the same task and stage (attempts are newest first)
  const seen = new Map<string, number>();
  const previous = new Array<string | null>(attempts.length).fill(null);
  for (let i = attempts.length - 1; i >= 0; i--) {
    const a = attempts[i];
    if (!a) continue;
    const key = `${a.taskId}/${a.stage}`;
    const older = seen.get(key);
    previous[i] = older === undefined ? null : (attempts[older]?.id ?? null);
    seen.set(key, i);
  }
  const events: TimelineEvent[] = attempts.map((a, i) => ({
    kind: 'attempt',
    at: a.createdAt,
    attemptId: a.id,
    taskId: a.taskId,
    taskTitle: titles.get(a.taskId) ?? a.taskId,
    stage: a.stage,
    status: a.status,
    testsPassed: a.testsPassed,
    testsTotal: a.testsTotal,
    message: a.message,
    results: a.results,
    engine: a.engine,
    pythonVersion: a.pythonVersion,
    code: a.code,
    previousAttemptId: previous[i] ?? null,
  }));
  for (const p of progress) {
    const taskTitle = titles.get(p.taskId) ?? p.taskId;
    if (p.hintOpenedAt)
      events.push({ kind: 'hint', at: p.hintOpenedAt, taskId: p.taskId, taskTitle });
    if (p.answerRevealedAt) {
      events.push({ kind: 'answer', at: p.answerRevealedAt, taskId: p.taskId, taskTitle });
    }
  }
  events.sort((a, b) => b.at.getTime() - a.at.getTime());
  return {
    cohort: scope.cohort,
    student: { id: student.id, name: student.name, email: student.email },
    events,
  };
}

export async function charts(ctx: SignedInContext, ref: string): Promise<Charts> {
  const scope = await watchableCohort(ctx, ref);
  const rows = await cohortProgressRows(ctx.db, scope);
  const { tasks } = courseTasks(scope.published);
  const perDay = new Map<string, number>();
  for (const p of rows) {
    if (!p.firstSolvedAt) continue;
    const day = p.firstSolvedAt.toISOString().slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  let cumulative = 0;
  const solvesOverTime = [...perDay]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([day, solves]) => {
      cumulative += solves;
      return { day, solves, cumulative };
    });
  const perTask = new Map<string, { attempts: number; students: number }>();
  for (const p of rows) {
    if (p.attempts === 0) continue;
    const t = perTask.get(p.taskId) ?? { attempts: 0, students: 0 };
    t.attempts += p.attempts;
    t.students++;
    perTask.set(p.taskId, t);
  }
  return {
    solvesOverTime,
    attemptsPerTask: tasks.map((t) => ({
      taskId: t.id,
      title: t.title,
      ...(perTask.get(t.id) ?? { attempts: 0, students: 0 }),
    })),
    attemptsToSolve: histogram(
      rows.filter((p) => p.firstSolvedAt).map((p) => p.attemptsToSolve ?? p.attempts),
    ),
  };
}
