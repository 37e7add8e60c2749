import { setSetting } from '@lms/db';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { listPublishedCourses } from '../services/content';
import {
  answerAfterFailed,
  answerAfterKey,
  isSignupEnabled,
  SETTING_SIGNUP,
} from '../services/settings';
import { adminProcedure, publicProcedure } from '../trpc';
import { slug } from './inputs';

export const settingsRouter = {
  /** What the sign-up page needs to know. */
  signup: publicProcedure.query(async ({ ctx }) => ({ enabled: await isSignupEnabled(ctx.db) })),

  get: adminProcedure.query(async ({ ctx }) => {
    const courses = await listPublishedCourses(ctx.db);
    return {
      signupEnabled: await isSignupEnabled(ctx.db),
      courses: await Promise.all(
        courses.map(async (c) => ({
          slug: c.courseSlug,
          title: c.course.title,
          answerAfterFailedAttempts: await answerAfterFailed(ctx.db, c.courseSlug),
        })),
      ),
    };
  }),

  setSignup: adminProcedure
    .input(z.object({ enabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await setSetting(ctx.db, {
        key: SETTING_SIGNUP,
        value: String(input.enabled),
        actorId: ctx.session.user.id,
        action: 'settings.signup',
        payload: { enabled: input.enabled },
      });
      return { enabled: input.enabled };
    }),

  setAnswerAfterFailedAttempts: adminProcedure
    .input(z.object({ course: slug, attempts: z.number().int().min(0).max(100) }))
    .mutation(async ({ ctx, input }) => {
      const key = answerAfterKey(input.course);
      await setSetting(ctx.db, {
        key,
        value: String(input.attempts),
        actorId: ctx.session.user.id,
        action: 'settings.answerAfterFailedAttempts',
        payload: { course: input.course, attempts: input.attempts },
      });
      return { course: input.course, attempts: input.attempts };
    }),
} satisfies TRPCRouterRecord;
