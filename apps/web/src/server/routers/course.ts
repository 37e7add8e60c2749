import type { TRPCRouterRecord } from '@trpc/server';
import { getPublishedCourse, listPublishedCourses } from '../services/content';
import { chapterProgress, continueWhereLeftOff, progressByTask } from '../services/progress';
import { publicProcedure } from '../trpc';
import { courseInput } from './inputs';

export const courseRouter = {
  /** The catalog: every published course, with the signed-in student's totals. */
  list: publicProcedure.query(async ({ ctx }) => {
    const courses = await listPublishedCourses(ctx.db);
    const userId = ctx.session?.user.id ?? null;
    return Promise.all(
      courses.map(async ({ courseSlug, course }) => {
        const taskIds = course.chapters.flatMap((c) => c.tasks.map((t) => t.id));
        const progress = userId ? await progressByTask(ctx.db, userId, taskIds) : null;
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
  }),

  /** A course page: chapters with progress bars, and where to continue. */
  get: publicProcedure.input(courseInput).query(async ({ ctx, input }) => {
    const { courseSlug, course } = await getPublishedCourse(ctx.db, input.course);
    const userId = ctx.session?.user.id ?? null;
    const taskIds = course.chapters.flatMap((c) => c.tasks.map((t) => t.id));
    const progress = userId ? await progressByTask(ctx.db, userId, taskIds) : null;
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
      continue: await continueWhereLeftOff(ctx.db, userId, course),
    };
  }),

  /** "Continue where you left off" on its own (home page). */
  continue: publicProcedure.input(courseInput).query(async ({ ctx, input }) => {
    const { course } = await getPublishedCourse(ctx.db, input.course);
    return continueWhereLeftOff(ctx.db, ctx.session?.user.id ?? null, course);
  }),
} satisfies TRPCRouterRecord;
