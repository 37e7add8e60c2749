import { hasLegacyCheck } from '@lms/content/schema';
import { listDrafts, listReleases, notesForStudent } from '@lms/db';
import type { Context } from '../context';
import {
  findChapter,
  findTask,
  getPublishedCourse,
  getReleaseById,
  type PublishedCourse,
} from './content';
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

/** A task's starter as a later release changed it, for a reader whose draft is older. */
export type StarterUpdate = { publishedAt: Date; previousStarter: string };

/**
 * For each task the reader has a draft of: when the draft was last saved under an earlier
 * release whose starter of the task differs from the published one, that starter and when the
 * current release came out ("this task was updated"). Saving the draft again ends the notice.
 */
async function starterUpdates(
  ctx: Context,
  published: PublishedCourse & { publishedAt: Date | null },
  drafts: Array<{ taskId: string; updatedAt: Date }>,
): Promise<Map<string, StarterUpdate>> {
  const out = new Map<string, StarterUpdate>();
  // the usual case, on every page view: each draft was saved under the published release
  const since = published.publishedAt;
  if (since && drafts.every((d) => d.updatedAt >= since)) return out;
  const releases = (await listReleases(ctx.db, published.courseSlug))
    .filter((r) => r.publishedAt !== null)
    .sort((a, b) => (b.publishedAt?.getTime() ?? 0) - (a.publishedAt?.getTime() ?? 0));
  const current = releases.find((r) => r.id === published.releaseId);
  if (!current?.publishedAt) return out;
  for (const d of drafts) {
    if (d.updatedAt >= current.publishedAt) continue;
    // the release the draft was saved under: the newest published before it
    const then = releases.find((r) => r.publishedAt && r.publishedAt <= d.updatedAt);
    if (!then || then.id === published.releaseId) continue;
    const old = await getReleaseById(ctx.db, then.id);
    if (!old) continue;
    let previous: string;
    try {
      previous = findTask(old, d.taskId).task.starter;
    } catch {
      continue; // the task is new since then
    }
    const now = findTask(published, d.taskId).task.starter;
    if (previous !== now) {
      out.set(d.taskId, { publishedAt: current.publishedAt, previousStarter: previous });
    }
  }
  return out;
}

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

  const [progress, drafts, threshold, failedByTask, courseStaff, notes] = user
    ? await Promise.all([
        progressByTask(ctx.db, user.id, published.courseId, taskIds),
        listDrafts(ctx.db, { userId: user.id, courseId: published.courseId, taskIds }),
        answerAfterFailed(ctx.db, published.courseSlug),
        failedFinalAttemptsByTask(ctx.db, user.id, published.courseId, taskIds),
        isCourseStaff(ctx.db, user, published.courseId),
        // an instructor's note on the group of the reader's latest wrong answer, per task
        notesForStudent(ctx.db, { userId: user.id, courseId: published.courseId }),
      ])
    : [
        new Map<string, TaskProgress>(),
        [],
        0,
        new Map<string, number>(),
        false,
        new Map<string, { body: string; updatedAt: Date }>(),
      ];
  const draftOf = new Map(drafts.map((d) => [d.taskId, { code: d.code, updatedAt: d.updatedAt }]));
  const updates = drafts.length ? await starterUpdates(ctx, published, drafts) : new Map();
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
        instructorNote: notes.get(t.id) ?? null,
        // the starter changed since the reader's draft was saved: the old one, to diff
        starterUpdate: (updates.get(t.id) as StarterUpdate | undefined) ?? null,
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
