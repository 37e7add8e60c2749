import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  getAdminSettings,
  getSignupSetting,
  setAnswerAfterFailedAttempts,
  setSignup,
} from '../services/settings';
import { adminProcedure, publicProcedure } from '../trpc';
import { slug } from './inputs';

export const settingsRouter = {
  /** What the sign-up page needs to know. */
  signup: publicProcedure.query(({ ctx }) => getSignupSetting(ctx)),

  get: adminProcedure.query(({ ctx }) => getAdminSettings(ctx)),

  setSignup: adminProcedure
    .input(z.object({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setSignup(ctx, input)),

  setAnswerAfterFailedAttempts: adminProcedure
    .input(z.object({ course: slug, attempts: z.number().int().min(0).max(100) }))
    .mutation(({ ctx, input }) => setAnswerAfterFailedAttempts(ctx, input)),
} satisfies TRPCRouterRecord;
