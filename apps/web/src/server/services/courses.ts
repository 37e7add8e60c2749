import type { Context } from '../context';
import { getPublishedCourse, listPublishedCourses } from './content';
import { chapterProgress, continueWhereLeftOff, progressByTask, taskIdsOf } from './progress';

/** Use cases of the course pages (routers/course.ts). */

/** The signed-in reader's progress rows over these tasks of a course; null when signed out. */
async function readerProgress(ctx: Context, courseId: string, taskIds: string[]) {
  const userId = ctx.session?.user.id ?? null;
  return userId ? progressByTask(ctx.db, userId, courseId, taskIds) : null;
}

/** The catalog: every published course, with the signed-in student's totals. */
export async function listCatalog(ctx: Context) {
  const courses = await listPublishedCourses(ctx.db);
  return Promise.all(
    courses.map(async ({ courseId, courseSlug, course }) => {
      const taskIds = taskIdsOf(course);
      const progress = await readerProgress(ctx, courseId, taskIds);
      return {
        slug: courseSlug,
        title: course.title,
        description: course.description,
        chapterCount: course.chapters.length,
        taskCount: taskIds.length,
        progress: progress ? chapterProgress(taskIds, progress) : null,
      };
    }),
  );
}

/** A course page: chapters with progress bars, and where to continue. */
export async function getCoursePage(ctx: Context, input: { course: string }) {
  const published = await getPublishedCourse(ctx.db, input.course);
  const { courseId, courseSlug, course } = published;
  const progress = await readerProgress(ctx, courseId, taskIdsOf(course));
  return {
    slug: courseSlug,
    title: course.title,
    description: course.description,
    chapters: course.chapters.map((c) => ({
      id: c.id,
      number: c.number,
      title: c.title,
      taskCount: c.tasks.length,
      exampleCount: c.examples.length,
      progress: progress
        ? chapterProgress(
            c.tasks.map((t) => t.id),
            progress,
          )
        : null,
    })),
    continue: await continueWhereLeftOff(ctx.db, ctx.session?.user.id ?? null, published),
  };
}

/** "Continue where you left off" on its own (home page). */
export async function continueCourse(ctx: Context, input: { course: string }) {
  const published = await getPublishedCourse(ctx.db, input.course);
  return continueWhereLeftOff(ctx.db, ctx.session?.user.id ?? null, published);
}
