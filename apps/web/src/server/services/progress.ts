import type { CompiledCourse } from '@lms/content/schema';
import {
  FINAL_ATTEMPT_STATUSES,
  getTaskProgress,
  listTaskProgress,
  recordAnswerRevealed,
  recordHintOpened,
  type TaskProgress,
  teachesCourse,
} from '@lms/db';
import type { SessionUser, SignedInContext } from '../context';
import type { Db } from '../db';
import { AppError } from '../errors';
import { getPublishedTask } from './content';
import { renderBlocks } from './highlight';
import { hasRole, isStaff } from './roles';
import { answerAfterFailed } from './settings';

export type { TaskProgress };

/**
 * The student's progress rows for these tasks of a course (`courseId`: the course's internal
 * id), by task id (@lms/db's listTaskProgress).
 */
export async function progressByTask(
  db: Db,
  userId: string,
  courseId: string,
  taskIds: string[],
): Promise<Map<string, TaskProgress>> {
  const rows = await listTaskProgress(db, { userId, courseId, taskIds });
  return new Map(rows.map((r) => [r.taskId, r]));
}

/** Every task id of a course, in course order. */
export function taskIdsOf(course: CompiledCourse): string[] {
  return course.chapters.flatMap((c) => c.tasks.map((t) => t.id));
}

export type ChapterProgress = { solved: number; total: number; done: boolean };

/** A chapter is done when every task in it is solved (a chapter without tasks: once read — not tracked, so never). */
export function chapterProgress(
  taskIds: string[],
  progress: Map<string, TaskProgress>,
): ChapterProgress {
  const solved = taskIds.filter((id) => progress.get(id)?.firstSolvedAt).length;
  return { solved, total: taskIds.length, done: taskIds.length > 0 && solved === taskIds.length };
}

/** Verdicts of final checks that count as failed (grader failures are not the student's). */
const FAILED_STATUSES: string[] = FINAL_ATTEMPT_STATUSES.filter(
  (s) => s !== 'passed' && s !== 'sandbox_error',
);

/** Final attempts at a task of a course that did not pass. */
export async function failedFinalAttempts(
  db: Db,
  userId: string,
  courseId: string,
  taskId: string,
): Promise<number> {
  return db.attempt.count({
    where: { userId, courseId, taskId, stage: 'final', status: { in: FAILED_STATUSES } },
  });
}

/** The same for several tasks of a course in one query. */
export async function failedFinalAttemptsByTask(
  db: Db,
  userId: string,
  courseId: string,
  taskIds: string[],
): Promise<Map<string, number>> {
  if (taskIds.length === 0) return new Map();
  const rows = await db.attempt.groupBy({
    by: ['taskId'],
    where: {
      userId,
      courseId,
      taskId: { in: taskIds },
      stage: 'final',
      status: { in: FAILED_STATUSES },
    },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.taskId, r._count._all]));
}

/**
 * Where to continue: the chapter of the student's latest work (attempt or draft) in this
 * course; else the first chapter not done; else the first chapter.
 */
export async function continueWhereLeftOff(
  db: Db,
  userId: string | null,
  published: { courseId: string; course: CompiledCourse },
) {
  const { courseId, course } = published;
  const chapters = course.chapters;
  if (chapters.length === 0) return null;
  const pick = (c: (typeof chapters)[number], taskId: string | null) => ({
    chapterId: c.id,
    number: c.number,
    title: c.title,
    taskId,
  });
  if (!userId) return pick(chapters[0]!, null);
  const taskIds = taskIdsOf(course);
  const [lastAttempt, lastDraft] = await Promise.all([
    db.attempt.findFirst({
      where: { userId, courseId, taskId: { in: taskIds } },
      orderBy: { createdAt: 'desc' },
      select: { taskId: true, createdAt: true },
    }),
    db.draft.findFirst({
      where: { userId, courseId, taskId: { in: taskIds } },
      orderBy: { updatedAt: 'desc' },
      select: { taskId: true, updatedAt: true },
    }),
  ]);
  const latest =
    lastAttempt && lastDraft
      ? lastAttempt.createdAt >= lastDraft.updatedAt
        ? lastAttempt.taskId
        : lastDraft.taskId
      : (lastAttempt?.taskId ?? lastDraft?.taskId ?? null);
  if (latest) {
    const chapter = chapters.find((c) => c.tasks.some((t) => t.id === latest));
    if (chapter) return pick(chapter, latest);
  }
  const progress = await progressByTask(db, userId, courseId, taskIds);
  const notDone = chapters.find(
    (c) =>
      !chapterProgress(
        c.tasks.map((t) => t.id),
        progress,
      ).done,
  );
  return pick(notDone ?? chapters[0]!, null);
}

/**
 * Staff of one course: an admin, or an instructor (global role) who is an instructor member of
 * a cohort bound to that course (`courseId`: its internal id). They see the course's hints and
 * answers at once; an instructor of another course is a reader like any other here.
 */
export async function isCourseStaff(
  db: Db,
  user: SessionUser | null,
  courseId: string,
): Promise<boolean> {
  if (!user) return false;
  if (hasRole(user, 'admin')) return true;
  return isStaff(user) && teachesCourse(db, { userId: user.id, courseId });
}

/**
 * When the reference answer opens — the one rule, for the chapter page's `answerState` and for
 * `revealAnswer`: at once for the course's staff (`isCourseStaff`); for anyone else after a
 * passed final check, or after the course's number of failed final checks
 * (`answerAfterFailed`, default 3). Never signed out.
 */
export function answerOpens(
  user: SessionUser | null,
  state: { courseStaff: boolean; solved: boolean; failedAttempts: number; needed: number },
): boolean {
  if (user === null) return false;
  return state.courseStaff || state.solved || state.failedAttempts >= state.needed;
}

/** Opens the hint of a task of the page's course: recorded (first time) and returned. */
export async function openHint(
  ctx: SignedInContext,
  input: { courseSlug: string; taskId: string },
) {
  const { task, courseId } = await getPublishedTask(ctx.db, input);
  if (task.hint.length === 0) throw new AppError('NO_HINT');
  await recordHintOpened(ctx.db, { userId: ctx.session.user.id, courseId, taskId: task.id });
  return { taskId: task.id, hint: await renderBlocks(task.hint) };
}

/**
 * The reference answer, only once it opens (`answerOpens`). Revealing before solving marks
 * the task "assisted"; the first reveal is kept.
 */
export async function revealAnswer(
  ctx: SignedInContext,
  input: { courseSlug: string; taskId: string },
) {
  const { task, courseId, courseSlug } = await getPublishedTask(ctx.db, input);
  const user = ctx.session.user;
  const ref = { userId: user.id, courseId, taskId: task.id };
  const [progress, failedAttempts, needed, courseStaff] = await Promise.all([
    getTaskProgress(ctx.db, ref),
    failedFinalAttempts(ctx.db, user.id, courseId, task.id),
    answerAfterFailed(ctx.db, courseSlug),
    isCourseStaff(ctx.db, user, courseId),
  ]);
  const solved = Boolean(progress.firstSolvedAt);
  if (!answerOpens(user, { courseStaff, solved, failedAttempts, needed })) {
    throw new AppError('ANSWER_LOCKED', { needed, failed: failedAttempts });
  }
  await recordAnswerRevealed(ctx.db, ref);
  return { taskId: task.id, answer: task.answer, assisted: !solved };
}
