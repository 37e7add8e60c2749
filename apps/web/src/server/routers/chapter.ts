import type { TRPCRouterRecord } from '@trpc/server';
import { getChapterPage } from '../services/chapters';
import { publicProcedure } from '../trpc';
import { chapterInput } from './inputs';

export const chapterRouter = {
  /**
   * A chapter page from the PUBLISHED release: blocks with server-highlighted code, runnable
   * examples, tasks without anything unearned (answer, hidden tests), the student's drafts
   * and progress, prev/next.
   */
  get: publicProcedure.input(chapterInput).query(({ ctx, input }) => getChapterPage(ctx, input)),
} satisfies TRPCRouterRecord;
