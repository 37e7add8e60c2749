import { getTaskProgress, recordAnswerRevealed, recordHintOpened } from '@lms/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { AppError } from '../errors';
import { getPublishedTask } from '../services/content';
import { renderBlocks } from '../services/highlight';
import { failedFinalAttempts } from '../services/progress';
import { answerAfterFailed } from '../services/settings';
import { protectedProcedure } from '../trpc';
import { taskInput } from './inputs';

export const progressRouter = {
  /** Opens the hint: recorded (first time) and returned. */
  openHint: protectedProcedure.input(taskInput).mutation(async ({ ctx, input }) => {
    const { task } = await getPublishedTask(ctx.db, input.taskId);
    if (task.hint.length === 0) throw new AppError('NOT_FOUND', 'This task has no hint.');
    const userId = ctx.session.user.id;
    await recordHintOpened(ctx.db, { userId, taskId: task.id });
    return { taskId: task.id, hint: await renderBlocks(task.hint) };
  }),

  /**
   * The reference answer, only once earned: after a passed final check, or after the
   * course's number of failed final checks (default 3). Revealing before solving marks the
   * task "assisted".
   */
  revealAnswer: protectedProcedure.input(taskInput).mutation(async ({ ctx, input }) => {
    const { task, courseSlug } = await getPublishedTask(ctx.db, input.taskId);
    const user = ctx.session.user;
    const progress = await getTaskProgress(ctx.db, { userId: user.id, taskId: task.id });
    const solved = Boolean(progress.firstSolvedAt);
    if (!solved && user.role === 'student') {
      const [failed, needed] = await Promise.all([
        failedFinalAttempts(ctx.db, user.id, task.id),
        answerAfterFailed(ctx.db, courseSlug),
      ]);
      if (failed < needed) {
        throw new AppError(
          'FORBIDDEN',
          `The answer opens after you pass the final check, or after ${needed} failed final checks (you have ${failed}).`,
        );
      }
    }
    // first reveal kept; before the first solve the task is marked assisted
    await recordAnswerRevealed(ctx.db, { userId: user.id, taskId: task.id });
    return { taskId: task.id, answer: task.answer, assisted: !solved };
  }),
} satisfies TRPCRouterRecord;
