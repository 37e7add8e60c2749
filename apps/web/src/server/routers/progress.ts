import type { TRPCRouterRecord } from '@trpc/server';
import { openHint, revealAnswer } from '../services/progress';
import { protectedProcedure } from '../trpc';
import { taskInput } from './inputs';

export const progressRouter = {
  /** Opens the hint: recorded (first time) and returned. */
  openHint: protectedProcedure.input(taskInput).mutation(({ ctx, input }) => openHint(ctx, input)),

  /**
   * The reference answer, only once earned: after a passed final check, or after the
   * course's number of failed final checks (default 3). Revealing before solving marks the
   * task "assisted".
   */
  revealAnswer: protectedProcedure
    .input(taskInput)
    .mutation(({ ctx, input }) => revealAnswer(ctx, input)),
} satisfies TRPCRouterRecord;
