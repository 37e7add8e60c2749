import { getDraft, upsertDraft } from '@lms/db';
import type { SignedInContext } from '../context';
import { assertCodeSize } from './attempts';
import { courseIdOf, getPublishedTask } from './content';

/** Use cases of the editor's autosave (routers/draft.ts): a task of the page's course. */

/** The caller's saved draft of a task of the course (null when none). */
export async function getOwnDraft(
  ctx: SignedInContext,
  input: { courseSlug: string; taskId: string },
) {
  return getDraft(ctx.db, {
    userId: ctx.session.user.id,
    courseId: await courseIdOf(ctx.db, input.courseSlug),
    taskId: input.taskId,
  });
}

/** Autosave: code over the size cap is refused with its size; only published tasks. */
export async function saveDraft(
  ctx: SignedInContext,
  input: { courseSlug: string; taskId: string; code: string },
) {
  assertCodeSize(input.code);
  const { courseId } = await getPublishedTask(ctx.db, input); // only tasks that exist
  return upsertDraft(ctx.db, {
    userId: ctx.session.user.id,
    courseId,
    taskId: input.taskId,
    code: input.code,
  });
}
