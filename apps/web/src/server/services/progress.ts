import type { CompiledCourse } from '@lms/content/schema';
import { FINAL_ATTEMPT_STATUSES, listTaskProgress, type TaskProgress } from '@lms/db';
import type { Db } from '../db';

export type { TaskProgress };

/** The student's progress rows for these tasks, by task id (@lms/db's listTaskProgress). */
export async function progressByTask(
  db: Db,
  userId: string,
  taskIds: string[],
): Promise<Map<string, TaskProgress>> {
  const rows = await listTaskProgress(db, { userId, taskIds });
  return new Map(rows.map((r) => [r.taskId, r]));
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

/** Final attempts that did not pass. */
export async function failedFinalAttempts(db: Db, userId: string, taskId: string): Promise<number> {
  return db.attempt.count({
    where: { userId, taskId, stage: 'final', status: { in: FAILED_STATUSES } },
  });
}

/** The same for several tasks in one query. */
export async function failedFinalAttemptsByTask(
  db: Db,
  userId: string,
  taskIds: string[],
): Promise<Map<string, number>> {
  if (taskIds.length === 0) return new Map();
  const rows = await db.attempt.groupBy({
    by: ['taskId'],
    where: { userId, taskId: { in: taskIds }, stage: 'final', status: { in: FAILED_STATUSES } },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.taskId, r._count._all]));
}

/**
 * Where to continue: the chapter of the student's latest work (attempt or draft) in this
 * course; else the first chapter not done; else the first chapter.
 */
export async function continueWhereLeftOff(db: Db, userId: string | null, course: CompiledCourse) {
  const chapters = course.chapters;
  if (chapters.length === 0) return null;
  const pick = (c: (typeof chapters)[number], taskId: string | null) => ({
    chapterId: c.id,
    number: c.number,
    title: c.title,
    taskId,
  });
  if (!userId) return pick(chapters[0]!, null);
  const taskIds = chapters.flatMap((c) => c.tasks.map((t) => t.id));
  const [lastAttempt, lastDraft] = await Promise.all([
    db.attempt.findFirst({
      where: { userId, taskId: { in: taskIds } },
      orderBy: { createdAt: 'desc' },
      select: { taskId: true, createdAt: true },
    }),
    db.draft.findFirst({
      where: { userId, taskId: { in: taskIds } },
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
  const progress = await progressByTask(db, userId, taskIds);
  const notDone = chapters.find(
    (c) =>
      !chapterProgress(
        c.tasks.map((t) => t.id),
        progress,
      ).done,
  );
  return pick(notDone ?? chapters[0]!, null);
}
