import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { getOwnDraft, saveDraft } from '../services/drafts';
import { protectedProcedure } from '../trpc';
import { codeField, slug, taskInput } from './inputs';

export const draftRouter = {
  get: protectedProcedure.input(taskInput).query(({ ctx, input }) => getOwnDraft(ctx, input)),

  /** Autosave (debounced by the page). Code over 64 KiB is refused with its size. */
  save: protectedProcedure
    .input(z.object({ taskId: slug, code: codeField }))
    .mutation(({ ctx, input }) => saveDraft(ctx, input)),
} satisfies TRPCRouterRecord;
