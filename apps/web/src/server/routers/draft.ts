import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { assertCodeSize } from '../services/attempts';
import { getPublishedTask } from '../services/content';
import { protectedProcedure } from '../trpc';
import { codeField, slug, taskInput } from './inputs';

const draftSelect = { taskId: true, code: true, updatedAt: true } as const;

export const draftRouter = {
  get: protectedProcedure.input(taskInput).query(({ ctx, input }) =>
    ctx.db.draft.findUnique({
      where: { userId_taskId: { userId: ctx.session.user.id, taskId: input.taskId } },
      select: draftSelect,
    }),
  ),

  /** Autosave (debounced by the page). Code over 64 KiB is refused with its size. */
  save: protectedProcedure
    .input(z.object({ taskId: slug, code: codeField }))
    .mutation(async ({ ctx, input }) => {
      assertCodeSize(input.code);
      await getPublishedTask(ctx.db, input.taskId); // only tasks that exist
      return ctx.db.draft.upsert({
        where: { userId_taskId: { userId: ctx.session.user.id, taskId: input.taskId } },
        create: { userId: ctx.session.user.id, taskId: input.taskId, code: input.code },
        update: { code: input.code },
        select: draftSelect,
      });
    }),
} satisfies TRPCRouterRecord;
