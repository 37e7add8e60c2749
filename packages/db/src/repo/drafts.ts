import { DbError } from '../errors.ts';
import { MAX_CODE_CHARS } from './attempts.ts';
import type { DbOrTx } from './audit.ts';

export type DraftView = { taskId: string; code: string; updatedAt: Date };

/** Autosave: one draft per user and task, last write wins. */
export async function upsertDraft(
  db: DbOrTx,
  input: { userId: string; taskId: string; code: string },
): Promise<DraftView> {
  if (input.code.length > MAX_CODE_CHARS) {
    throw new DbError(
      'INVALID',
      `code is ${input.code.length} characters; the limit is ${MAX_CODE_CHARS}`,
    );
  }
  return db.draft.upsert({
    where: { userId_taskId: { userId: input.userId, taskId: input.taskId } },
    create: { userId: input.userId, taskId: input.taskId, code: input.code },
    update: { code: input.code },
    select: { taskId: true, code: true, updatedAt: true },
  });
}

export async function getDraft(
  db: DbOrTx,
  input: { userId: string; taskId: string },
): Promise<DraftView | null> {
  return db.draft.findUnique({
    where: { userId_taskId: { userId: input.userId, taskId: input.taskId } },
    select: { taskId: true, code: true, updatedAt: true },
  });
}

/** A user's drafts of these tasks (tasks without one are absent). */
export async function listDrafts(
  db: DbOrTx,
  input: { userId: string; taskIds: string[] },
): Promise<DraftView[]> {
  if (input.taskIds.length === 0) return [];
  return db.draft.findMany({
    where: { userId: input.userId, taskId: { in: input.taskIds } },
    orderBy: { taskId: 'asc' },
    select: { taskId: true, code: true, updatedAt: true },
  });
}

export async function deleteDraft(
  db: DbOrTx,
  input: { userId: string; taskId: string },
): Promise<boolean> {
  const r = await db.draft.deleteMany({ where: { userId: input.userId, taskId: input.taskId } });
  return r.count > 0;
}
