import { getDraft, upsertDraft } from '@lms/db';
import type { SignedInContext } from '../context';
import { assertCodeSize } from './attempts';
import { getPublishedTask } from './content';

/** Use cases of the editor's autosave (routers/draft.ts). */

/** The caller's saved draft of a task (null when none). */
export function getOwnDraft(ctx: SignedInContext, input: { taskId: string }) {
  return getDraft(ctx.db, { userId: ctx.session.user.id, taskId: input.taskId });
}

/** Autosave: code over the size cap is refused with its size; only published tasks. */
export async function saveDraft(ctx: SignedInContext, input: { taskId: string; code: string }) {
  assertCodeSize(input.code);
  await getPublishedTask(ctx.db, input.taskId); // only tasks that exist
  return upsertDraft(ctx.db, {
    userId: ctx.session.user.id,
    taskId: input.taskId,
    code: input.code,
  });
}
