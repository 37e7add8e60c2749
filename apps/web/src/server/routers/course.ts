import type { TRPCRouterRecord } from '@trpc/server';
import { continueCourse, getCoursePage, listCatalog } from '../services/courses';
import { publicProcedure } from '../trpc';
import { courseInput } from './inputs';

export const courseRouter = {
  /** The catalog: every published course, with the signed-in student's totals. */
  list: publicProcedure.query(({ ctx }) => listCatalog(ctx)),

  /** A course page: chapters with progress bars, and where to continue. */
  get: publicProcedure.input(courseInput).query(({ ctx, input }) => getCoursePage(ctx, input)),

  /** "Continue where you left off" on its own (home page). */
  continue: publicProcedure
    .input(courseInput)
    .query(({ ctx, input }) => continueCourse(ctx, input)),
} satisfies TRPCRouterRecord;
