import { DbError, isForeignKeyViolation } from '../errors.ts';
import type { Prisma } from '../generated/sqlite/client.ts';
import type { DbOrTx } from './audit.ts';
import type { CourseTaskRef } from './drafts.ts';
import { listPublishedTasks } from './releases.ts';

export const progressSelect = {
  taskId: true,
  attempts: true,
  quickChecks: true,
  firstSolvedAt: true,
  lastAttemptAt: true,
  hintOpenedAt: true,
  answerRevealedAt: true,
  assisted: true,
} satisfies Prisma.ProgressSelect;
export type TaskProgress = Prisma.ProgressGetPayload<{ select: typeof progressSelect }>;

const emptyProgress = (taskId: string): TaskProgress => ({
  taskId,
  attempts: 0,
  quickChecks: 0,
  firstSolvedAt: null,
  lastAttemptAt: null,
  hintOpenedAt: null,
  answerRevealedAt: null,
  assisted: false,
});

/** The progress key of a task of a course (task ids are unique only within a course). */
const ref = (input: CourseTaskRef) => ({
  userId: input.userId,
  courseId: input.courseId,
  taskId: input.taskId,
});

export async function getTaskProgress(db: DbOrTx, input: CourseTaskRef): Promise<TaskProgress> {
  const p = await db.progress.findUnique({
    where: { userId_courseId_taskId: ref(input) },
    select: progressSelect,
  });
  return p ?? emptyProgress(input.taskId);
}

/** A user's stored progress rows for these tasks of a course (tasks never touched have no row). */
export async function listTaskProgress(
  db: DbOrTx,
  input: { userId: string; courseId: string; taskIds: string[] },
): Promise<TaskProgress[]> {
  if (input.taskIds.length === 0) return [];
  return db.progress.findMany({
    where: { userId: input.userId, courseId: input.courseId, taskId: { in: input.taskIds } },
    select: progressSelect,
  });
}

/** The progress row of a task, created empty if missing (NOT_FOUND: no such user or course). */
async function ensureProgress(
  db: DbOrTx,
  input: CourseTaskRef,
  create: { hintOpenedAt?: Date; answerRevealedAt?: Date; assisted?: boolean },
): Promise<void> {
  try {
    await db.progress.upsert({
      where: { userId_courseId_taskId: ref(input) },
      create: { ...ref(input), ...create },
      update: {},
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) {
      throw new DbError('NOT_FOUND', `no user ${input.userId} or no course ${input.courseId}`);
    }
    throw error;
  }
}

/** First time the hint was opened (later calls keep the first time). */
export async function recordHintOpened(db: DbOrTx, input: CourseTaskRef): Promise<TaskProgress> {
  const now = new Date();
  await ensureProgress(db, input, { hintOpenedAt: now });
  await db.progress.updateMany({
    where: { ...ref(input), hintOpenedAt: null },
    data: { hintOpenedAt: now },
  });
  return getTaskProgress(db, input);
}

/**
 * First time the reference answer was shown. If the task was not solved yet, the progress is
 * marked `assisted` (a later solve counts, flagged as assisted).
 */
export async function recordAnswerRevealed(
  db: DbOrTx,
  input: CourseTaskRef,
): Promise<TaskProgress> {
  const now = new Date();
  await ensureProgress(db, input, { answerRevealedAt: now, assisted: true });
  await db.progress.updateMany({
    where: { ...ref(input), answerRevealedAt: null },
    data: { answerRevealedAt: now },
  });
  await db.progress.updateMany({
    where: { ...ref(input), firstSolvedAt: null },
    data: { assisted: true },
  });
  return getTaskProgress(db, input);
}

export type ChapterProgress = {
  chapterId: string;
  totalTasks: number;
  solved: number;
  /** tasks with at least one final attempt */
  attempted: number;
  assisted: number;
  tasks: TaskProgress[];
};

export type CourseProgress = {
  courseSlug: string;
  totalTasks: number;
  solved: number;
  attempted: number;
  assisted: number;
  chapters: ChapterProgress[];
};

function summarize(chapterId: string, tasks: TaskProgress[]): ChapterProgress {
  return {
    chapterId,
    totalTasks: tasks.length,
    solved: tasks.filter((t) => t.firstSolvedAt).length,
    attempted: tasks.filter((t) => t.attempts > 0).length,
    assisted: tasks.filter((t) => t.assisted && t.firstSolvedAt).length,
    tasks,
  };
}

/** A user's progress over the tasks of the course's published release, per chapter in course order. */
export async function courseProgress(
  db: DbOrTx,
  input: { userId: string; courseSlug: string },
): Promise<CourseProgress> {
  const index = await listPublishedTasks(db, input.courseSlug);
  const course = await db.course.findUnique({
    where: { slug: input.courseSlug },
    select: { id: true },
  });
  const rows = course
    ? await listTaskProgress(db, {
        userId: input.userId,
        courseId: course.id,
        taskIds: index.map((t) => t.taskId),
      })
    : [];
  const byTask = new Map(rows.map((r) => [r.taskId, r]));
  const chapters = new Map<string, TaskProgress[]>();
  for (const t of index) {
    const list = chapters.get(t.chapterId) ?? [];
    list.push(byTask.get(t.taskId) ?? emptyProgress(t.taskId));
    chapters.set(t.chapterId, list);
  }
  const chapterList = [...chapters].map(([id, tasks]) => summarize(id, tasks));
  return {
    courseSlug: input.courseSlug,
    totalTasks: index.length,
    solved: chapterList.reduce((n, c) => n + c.solved, 0),
    attempted: chapterList.reduce((n, c) => n + c.attempted, 0),
    assisted: chapterList.reduce((n, c) => n + c.assisted, 0),
    chapters: chapterList,
  };
}

export async function chapterProgress(
  db: DbOrTx,
  input: { userId: string; courseSlug: string; chapterId: string },
): Promise<ChapterProgress> {
  const course = await courseProgress(db, input);
  return (
    course.chapters.find((c) => c.chapterId === input.chapterId) ?? summarize(input.chapterId, [])
  );
}

export type CohortStudentProgress = {
  userId: string;
  name: string;
  email: string;
  solved: number;
  attempted: number;
  assisted: number;
  quickChecks: number;
  lastActivityAt: Date | null;
  /** per task, in course order */
  tasks: TaskProgress[];
};

export type CohortProgress = {
  cohortId: string;
  courseSlug: string | null;
  tasks: Array<{ taskId: string; chapterId: string; solvedBy: number; attemptedBy: number }>;
  students: CohortStudentProgress[];
};

/** For instructors: every student of the cohort over the cohort course's published tasks. */
export async function cohortProgress(
  db: DbOrTx,
  input: { cohortId: string },
): Promise<CohortProgress> {
  const cohort = await db.cohort.findUnique({
    where: { id: input.cohortId },
    select: { id: true, course: { select: { id: true, slug: true } } },
  });
  if (!cohort) throw new DbError('NOT_FOUND', `no cohort ${input.cohortId}`);
  const courseSlug = cohort.course?.slug ?? null;
  const index = courseSlug ? await listPublishedTasks(db, courseSlug) : [];
  const members = await db.membership.findMany({
    where: { cohortId: cohort.id, role: 'student' },
    orderBy: { user: { name: 'asc' } },
    select: { user: { select: { id: true, name: true, email: true } } },
  });
  const userIds = members.map((m) => m.user.id);
  const rows = cohort.course
    ? await db.progress.findMany({
        where: {
          userId: { in: userIds },
          courseId: cohort.course.id,
          taskId: { in: index.map((t) => t.taskId) },
        },
        select: { ...progressSelect, userId: true },
      })
    : [];
  const key = (u: string, t: string) => `${u}\u0000${t}`;
  const byKey = new Map(rows.map((r) => [key(r.userId, r.taskId), r]));
  const students = members.map(({ user }): CohortStudentProgress => {
    const tasks = index.map((t) => {
      const r = byKey.get(key(user.id, t.taskId));
      if (!r) return emptyProgress(t.taskId);
      const { userId: _u, ...p } = r;
      return p;
    });
    const last = tasks.reduce<Date | null>(
      (m, t) => (t.lastAttemptAt && (!m || t.lastAttemptAt > m) ? t.lastAttemptAt : m),
      null,
    );
    return {
      userId: user.id,
      name: user.name,
      email: user.email,
      solved: tasks.filter((t) => t.firstSolvedAt).length,
      attempted: tasks.filter((t) => t.attempts > 0).length,
      assisted: tasks.filter((t) => t.assisted && t.firstSolvedAt).length,
      quickChecks: tasks.reduce((n, t) => n + t.quickChecks, 0),
      lastActivityAt: last,
      tasks,
    };
  });
  return {
    cohortId: cohort.id,
    courseSlug,
    tasks: index.map((t, i) => ({
      taskId: t.taskId,
      chapterId: t.chapterId,
      solvedBy: students.filter((s) => s.tasks[i]!.firstSolvedAt).length,
      attemptedBy: students.filter((s) => s.tasks[i]!.attempts > 0).length,
    })),
    students,
  };
}
