import { FINAL_ATTEMPT_STATUSES } from '@lms/db';
import { gradingMessageSchema } from '@lms/grading';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  getOwnAttempt,
  listOwnAttempts,
  OUTPUT_CAP,
  recordQuickAttempt,
  submitAttempt,
  watchAttempt,
} from '../services/attempts';
import { protectedProcedure } from '../trpc';
import { attemptIdInput, codeField, slug } from './inputs';

export type { AttemptTestResult } from '../services/attempts';

/** A grading message code from the browser: a known code, its parameters kept small. */
const messageCodeInput = gradingMessageSchema.refine(
  (m) => JSON.stringify(m).length <= 8000,
  'the message code is too large',
);

const quickResultInput = z.object({
  status: z.enum(FINAL_ATTEMPT_STATUSES),
  message: z.string().max(4000).nullable().default(null),
  messageCode: messageCodeInput.nullable().default(null),
  tests: z
    .array(
      z.object({
        name: z.string().max(500),
        status: z.enum(['passed', 'failed', 'error']),
        message: z.string().max(4000).nullable(),
        messageCode: messageCodeInput.optional(),
        durationMs: z.number().nonnegative().default(0),
      }),
    )
    .max(200),
  stdout: z
    .string()
    .max(OUTPUT_CAP * 4)
    .default(''),
  stderr: z
    .string()
    .max(OUTPUT_CAP * 4)
    .default(''),
  durationMs: z.number().nonnegative().max(3_600_000).optional(),
  pythonVersion: z.string().max(40).optional(),
});

export const attemptRouter = {
  /**
   * Final check: the attempt is stored as queued FIRST, then handed to the grader; the page
   * follows it with `watch` (or polls `get`). Rate limited per user.
   */
  submit: protectedProcedure
    .input(z.object({ taskId: slug, code: codeField }))
    .mutation(({ ctx, input }) => submitAttempt(ctx, input)),

  /** The browser's quick check (public tests in Pyodide): stored as practice, never counted as solved. */
  recordQuick: protectedProcedure
    .input(z.object({ taskId: slug, code: codeField, result: quickResultInput }))
    .mutation(({ ctx, input }) => recordQuickAttempt(ctx, input)),

  get: protectedProcedure
    .input(attemptIdInput)
    .query(({ ctx, input }) => getOwnAttempt(ctx, input)),

  /** Attempt history of one task, newest first (with code, for diffs between attempts). */
  list: protectedProcedure
    .input(
      z.object({
        taskId: slug,
        stage: z.enum(['quick', 'final']).optional(),
        limit: z.number().int().min(1).max(100).default(30),
      }),
    )
    .query(({ ctx, input }) => listOwnAttempts(ctx, input)),

  /**
   * Live status over SSE (httpSubscriptionLink): yields the attempt now and on every change,
   * ends once it has a verdict. Polling `get` works as well.
   */
  watch: protectedProcedure
    .input(attemptIdInput)
    .subscription(({ ctx, input, signal }) => watchAttempt(ctx, input, signal)),
} satisfies TRPCRouterRecord;
