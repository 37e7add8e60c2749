import { hasLegacyCheck } from '@lms/content/schema';
import { listDrafts } from '@lms/db';
import type { Context } from '../context';
import { findChapter, getPublishedCourse } from './content';
import { renderBlocks } from './highlight';
import {
  answerOpens,
  chapterProgress,
  failedFinalAttemptsByTask,
  isCourseStaff,
  progressByTask,
  type TaskProgress,
} from './progress';
import { isStaff } from './roles';
import { answerAfterFailed } from './settings';
import { studentChapter } from './student-view';

/** Use cases of the chapter page (routers/chapter.ts). */

const neighbour = (c: { id: string; number: number; title: string } | null) =>
  c ? { id: c.id, number: c.number, title: c.title } : null;

/**
 * A chapter page from the PUBLISHED release: blocks with server-highlighted code, runnable
 * examples, tasks without anything unearned (answer, hidden tests), the reader's drafts and
 * progress, prev/next.
 */
export async function getChapterPage(ctx: Context, input: { course: string; chapter: string }) {
  const published = await getPublishedCourse(ctx.db, input.course);
  const { chapter, prev, next } = findChapter(published, input.chapter);
  const base = await studentChapter(published.releaseId, chapter);
  const user = ctx.session?.user ?? null;
  const taskIds = chapter.tasks.map((t) => t.id);

  const [progress, drafts, threshold, failedByTask, courseStaff] = user
    ? await Promise.all([
        progressByTask(ctx.db, user.id, published.courseId, taskIds),
        listDrafts(ctx.db, { userId: user.id, courseId: published.courseId, taskIds }),
        answerAfterFailed(ctx.db, published.courseSlug),
        failedFinalAttemptsByTask(ctx.db, user.id, published.courseId, taskIds),
        isCourseStaff(ctx.db, user, published.courseId),
      ])
    : [new Map<string, TaskProgress>(), [], 0, new Map<string, number>(), false];
  const draftOf = new Map(drafts.map((d) => [d.taskId, { code: d.code, updatedAt: d.updatedAt }]));
  // the legacy-check flag is for any staff; hints and answers at once only for this course's
  // staff (an admin, or an instructor of a cohort of this course: isCourseStaff)
  const staff = isStaff(user);

  const tasks = await Promise.all(
    base.tasks.map(async (t) => {
      const source = chapter.tasks.find((s) => s.id === t.id)!;
      const p = progress.get(t.id) ?? null;
      const failed = failedByTask.get(t.id) ?? 0;
      const solved = Boolean(p?.firstSolvedAt);
      const revealed = Boolean(p?.answerRevealedAt);
      return {
        ...t,
        // task ids are unique only within a course: the page's calls about this task name it
        courseSlug: published.courseSlug,
        // the hint is sent once opened (opening is recorded by progress.openHint)
        hint: p?.hintOpenedAt || courseStaff ? await renderBlocks(source.hint) : null,
        // the answer is sent once revealed (progress.revealAnswer checks it opened)
        answer: revealed || courseStaff ? source.answer : null,
        // staff only: checked by a legacy wrapper_test alone, which the program can tamper with
        legacyCheck: staff && hasLegacyCheck(source),
        answerState: {
          revealed,
          available: answerOpens(user, {
            courseStaff,
            solved,
            failedAttempts: failed,
            needed: threshold,
          }),
          failedAttempts: failed,
          needed: threshold,
        },
        progress: p
          ? {
              solved,
              firstSolvedAt: p.firstSolvedAt,
              attempts: p.attempts,
              quickChecks: p.quickChecks,
              assisted: p.assisted,
              hintOpened: Boolean(p.hintOpenedAt),
            }
          : null,
        draft: draftOf.get(t.id) ?? null,
      };
    }),
  );

  return {
    course: { slug: published.courseSlug, title: published.course.title },
    chapter: { ...base, tasks },
    prev: neighbour(prev),
    next: neighbour(next),
    progress: user ? chapterProgress(taskIds, progress) : null,
  };
}
