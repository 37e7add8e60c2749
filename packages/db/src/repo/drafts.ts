import { DbError, isForeignKeyViolation } from '../errors.ts';
import { MAX_CODE_CHARS } from './attempts.ts';
import type { DbOrTx } from './audit.ts';

export type DraftView = { taskId: string; code: string; updatedAt: Date };

/** A task of a course: task ids are unique only within a course (`courseId`: Course.id). */
export type CourseTaskRef = { userId: string; courseId: string; taskId: string };

const key = (input: CourseTaskRef) => ({
  userId_courseId_taskId: { userId: input.userId, courseId: input.courseId, taskId: input.taskId },
});

/** Autosave: one draft per user and task of a course, last write wins. */
export async function upsertDraft(
  db: DbOrTx,
  input: CourseTaskRef & { code: string },
): Promise<DraftView> {
  if (input.code.length > MAX_CODE_CHARS) {
    throw new DbError(
      'INVALID',
      `code is ${input.code.length} characters; the limit is ${MAX_CODE_CHARS}`,
    );
  }
  try {
    return await db.draft.upsert({
      where: key(input),
      create: {
        userId: input.userId,
        courseId: input.courseId,
        taskId: input.taskId,
        code: input.code,
      },
      update: { code: input.code },
      select: { taskId: true, code: true, updatedAt: true },
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) {
      throw new DbError('NOT_FOUND', `no user ${input.userId} or no course ${input.courseId}`);
    }
    throw error;
  }
}

export async function getDraft(db: DbOrTx, input: CourseTaskRef): Promise<DraftView | null> {
  return db.draft.findUnique({
    where: key(input),
    select: { taskId: true, code: true, updatedAt: true },
  });
}

/** A user's drafts of these tasks of a course (tasks without one are absent). */
export async function listDrafts(
  db: DbOrTx,
  input: { userId: string; courseId: string; taskIds: string[] },
): Promise<DraftView[]> {
  if (input.taskIds.length === 0) return [];
  return db.draft.findMany({
    where: { userId: input.userId, courseId: input.courseId, taskId: { in: input.taskIds } },
    orderBy: { taskId: 'asc' },
    select: { taskId: true, code: true, updatedAt: true },
  });
}

export async function deleteDraft(db: DbOrTx, input: CourseTaskRef): Promise<boolean> {
  const r = await db.draft.deleteMany({
    where: { userId: input.userId, courseId: input.courseId, taskId: input.taskId },
  });
  return r.count > 0;
}
