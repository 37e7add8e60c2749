import type { TRPCRouterRecord } from '@trpc/server';
import { getOwnDraft, saveDraft } from '../services/drafts';
import { protectedProcedure } from '../trpc';
import { codeField, taskInput } from './inputs';

export const draftRouter = {
  get: protectedProcedure.input(taskInput).query(({ ctx, input }) => getOwnDraft(ctx, input)),

  /** Autosave (debounced by the page). Code over 64 KiB is refused with its size. */
  save: protectedProcedure
    .input(taskInput.extend({ code: codeField }))
    .mutation(({ ctx, input }) => saveDraft(ctx, input)),
} satisfies TRPCRouterRecord;
