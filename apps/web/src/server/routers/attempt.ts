import {
  type AttemptView,
  FINAL_ATTEMPT_STATUSES,
  getAttempt,
  listAttempts,
  recordQuickCheck,
} from '@lms/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context';
import { AppError } from '../errors';
import { assertCodeSize, createQueuedAttempt, isTerminal, OUTPUT_CAP } from '../services/attempts';
import { getPublishedTask } from '../services/content';
import { protectedProcedure } from '../trpc';
import { attemptIdInput, codeField, slug } from './inputs';

/** A stored per-test result as the student sees it. */
export type AttemptTestResult = {
  name: string;
  status: 'passed' | 'failed' | 'error';
  message: string | null;
  hidden: boolean;
  origin: string;
  durationMs: number;
};

/** What a student sees of an attempt (never userId, release, engine details or idempotency key). */
function view(attempt: AttemptView) {
  const {
    results,
    timings,
    userId: _owner,
    releaseId: _release,
    pythonImpl: _impl,
    ...rest
  } = attempt;
  const t = (timings ?? null) as { limitHit?: string | null } | null;
  return {
    ...rest,
    timings: t as Record<string, number | string | boolean | null> | null,
    results: (results ?? []) as AttemptTestResult[],
    limitHit: t?.limitHit ?? null,
    done: isTerminal(attempt.status),
  };
}

async function findOwnAttempt(
  ctx: Context & { session: NonNullable<Context['session']> },
  id: string,
) {
  const attempt = await getAttempt(ctx.db, id);
  const mayRead =
    attempt && (attempt.userId === ctx.session.user.id || ctx.session.user.role !== 'student');
  if (!attempt || !mayRead) throw new AppError('NOT_FOUND', 'No such attempt.');
  return view(attempt);
}

const quickResultInput = z.object({
  status: z.enum(FINAL_ATTEMPT_STATUSES),
  message: z.string().max(4000).nullable().default(null),
  tests: z
    .array(
      z.object({
        name: z.string().max(500),
        status: z.enum(['passed', 'failed', 'error']),
        message: z.string().max(4000).nullable(),
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
    .mutation(async ({ ctx, input }) => {
      assertCodeSize(input.code);
      const userId = ctx.session.user.id;
      const windowStart = new Date(Date.now() - 60_000);
      const recent = await ctx.db.attempt.findMany({
        where: { userId, stage: 'final', createdAt: { gte: windowStart } },
        orderBy: { createdAt: 'asc' },
        select: { createdAt: true },
        take: ctx.submitsPerMinute,
      });
      if (recent.length >= ctx.submitsPerMinute) {
        const waitS = Math.max(
          1,
          Math.ceil((recent[0]!.createdAt.getTime() + 60_000 - Date.now()) / 1000),
        );
        throw new AppError(
          'RATE_LIMITED',
          `Too many submissions: at most ${ctx.submitsPerMinute} per minute. Try again in ${waitS} s.`,
        );
      }
      if (!ctx.grader)
        throw new AppError('GRADER_UNAVAILABLE', 'The grading service is not configured.');
      const { releaseId } = await getPublishedTask(ctx.db, input.taskId);
      const attempt = await createQueuedAttempt(ctx.db, {
        userId,
        taskId: input.taskId,
        code: input.code,
        releaseId,
      });
      // graded in the background; a crash from here on is recovered at the next start
      void ctx.grader.dispatch(attempt.id).catch((e) => {
        console.warn(`[attempt] dispatch ${attempt.id}: ${(e as Error).message}`);
      });
      return attempt;
    }),

  /** The browser's quick check (public tests in Pyodide): stored as practice, never counted as solved. */
  recordQuick: protectedProcedure
    .input(z.object({ taskId: slug, code: codeField, result: quickResultInput }))
    .mutation(async ({ ctx, input }) => {
      assertCodeSize(input.code);
      const { releaseId } = await getPublishedTask(ctx.db, input.taskId);
      const userId = ctx.session.user.id;
      const r = input.result;
      const tests = r.tests.map((t) => ({ ...t, hidden: false, origin: 'public' }));
      const now = new Date();
      const { attempt } = await recordQuickCheck(ctx.db, {
        userId,
        taskId: input.taskId,
        releaseId,
        code: input.code,
        result: {
          status: r.status,
          results: tests,
          testsPassed: tests.filter((t) => t.status === 'passed').length,
          testsTotal: tests.length,
          message: r.message,
          stdout: r.stdout,
          stderr: r.stderr,
          durationMs: r.durationMs === undefined ? null : Math.round(r.durationMs),
          pythonImpl: 'pyodide',
          pythonVersion: r.pythonVersion ?? null,
          engine: 'pyodide',
          startedAt: now,
          gradedAt: now,
        },
      });
      return { id: attempt.id, status: attempt.status, createdAt: attempt.createdAt };
    }),

  get: protectedProcedure
    .input(attemptIdInput)
    .query(({ ctx, input }) => findOwnAttempt(ctx, input.id)),

  /** Attempt history of one task, newest first (with code, for diffs between attempts). */
  list: protectedProcedure
    .input(
      z.object({
        taskId: slug,
        stage: z.enum(['quick', 'final']).optional(),
        limit: z.number().int().min(1).max(100).default(30),
      }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await listAttempts(ctx.db, {
        userId: ctx.session.user.id,
        taskId: input.taskId,
        stage: input.stage,
        limit: input.limit,
      });
      return rows.map(view);
    }),

  /**
   * Live status over SSE (httpSubscriptionLink): yields the attempt now and on every change,
   * ends once it has a verdict. Polling `get` works as well.
   */
  watch: protectedProcedure.input(attemptIdInput).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    let last = '';
    const deadline = Date.now() + 10 * 60_000;
    while (!signal?.aborted && Date.now() < deadline) {
      const current = await findOwnAttempt(ctx, input.id);
      const key = `${current.status}:${current.gradedAt?.getTime() ?? ''}`;
      if (key !== last) {
        last = key;
        yield current;
      }
      if (current.done) return;
      await new Promise((r) => setTimeout(r, 400));
    }
  }),
} satisfies TRPCRouterRecord;
