import { FINAL_ATTEMPT_STATUSES } from '@lms/db';
import {
  gradingMessageSchema,
  QUICK_CHECK_MAX_TESTS,
  QUICK_CHECK_MESSAGE_CHARS,
  QUICK_CHECK_MESSAGE_CODE_CHARS,
  QUICK_CHECK_OUTPUT_CHARS,
  QUICK_CHECK_TEST_NAME_CHARS,
} from '@lms/grading';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  getOwnAttempt,
  listOwnAttempts,
  recordQuickAttempt,
  submitAttempt,
  watchAttempt,
} from '../services/attempts';
import { protectedProcedure } from '../trpc';
import { attemptIdInput, codeField, taskInput } from './inputs';

export type { AttemptTestResult } from '../services/attempts';

/** A grading message code from the browser: a known code, its parameters kept small. */
const messageCodeInput = gradingMessageSchema.refine(
  (m) => JSON.stringify(m).length <= QUICK_CHECK_MESSAGE_CODE_CHARS,
  `the message code is over ${QUICK_CHECK_MESSAGE_CODE_CHARS} characters as JSON`,
);

/**
 * A quick check's result as the browser ran it: every part capped (@lms/grading limits.ts);
 * the whole is capped too, in the service (QUICK_RESULT_TOO_LARGE).
 */
const quickResultInput = z.object({
  status: z.enum(FINAL_ATTEMPT_STATUSES),
  message: z.string().max(QUICK_CHECK_MESSAGE_CHARS).nullable().default(null),
  messageCode: messageCodeInput.nullable().default(null),
  tests: z
    .array(
      z.object({
        name: z.string().max(QUICK_CHECK_TEST_NAME_CHARS),
        status: z.enum(['passed', 'failed', 'error']),
        message: z.string().max(QUICK_CHECK_MESSAGE_CHARS).nullable(),
        messageCode: messageCodeInput.optional(),
        durationMs: z.number().nonnegative().max(3_600_000).default(0),
      }),
    )
    .max(QUICK_CHECK_MAX_TESTS),
  stdout: z.string().max(QUICK_CHECK_OUTPUT_CHARS).default(''),
  stderr: z.string().max(QUICK_CHECK_OUTPUT_CHARS).default(''),
  durationMs: z.number().nonnegative().max(3_600_000).optional(),
  pythonVersion: z.string().max(40).optional(),
});

export const attemptRouter = {
  /**
   * Final check: the attempt is stored as queued FIRST, then handed to the grader; the page
   * follows it with `watch` (or polls `get`). Rate limited per user, and at most 2 in flight.
   */
  submit: protectedProcedure
    .input(taskInput.extend({ code: codeField }))
    .mutation(({ ctx, input }) => submitAttempt(ctx, input)),

  /**
   * The browser's quick check (public tests in Pyodide): stored as practice, never counted as
   * solved. Sizes capped, rate limited per user.
   */
  recordQuick: protectedProcedure
    .input(taskInput.extend({ code: codeField, result: quickResultInput }))
    .mutation(({ ctx, input }) => recordQuickAttempt(ctx, input)),

  get: protectedProcedure
    .input(attemptIdInput)
    .query(({ ctx, input }) => getOwnAttempt(ctx, input)),

  /** Attempt history of one task, newest first (with code, for diffs between attempts). */
  list: protectedProcedure
    .input(
      taskInput.extend({
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
