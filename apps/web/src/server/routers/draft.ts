import { getDraft, upsertDraft } from '@lms/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { assertCodeSize } from '../services/attempts';
import { getPublishedTask } from '../services/content';
import { protectedProcedure } from '../trpc';
import { codeField, slug, taskInput } from './inputs';

export const draftRouter = {
  get: protectedProcedure
    .input(taskInput)
    .query(({ ctx, input }) =>
      getDraft(ctx.db, { userId: ctx.session.user.id, taskId: input.taskId }),
    ),

  /** Autosave (debounced by the page). Code over 64 KiB is refused with its size. */
  save: protectedProcedure
    .input(z.object({ taskId: slug, code: codeField }))
    .mutation(async ({ ctx, input }) => {
      assertCodeSize(input.code);
      await getPublishedTask(ctx.db, input.taskId); // only tasks that exist
      return upsertDraft(ctx.db, {
        userId: ctx.session.user.id,
        taskId: input.taskId,
        code: input.code,
      });
    }),
} satisfies TRPCRouterRecord;
