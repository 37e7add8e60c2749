import type { TRPCRouterRecord } from '@trpc/server';
import { healthCheck } from '../services/health';
import { publicProcedure } from '../trpc';

export const healthRouter = {
  /** liveness, and who the server thinks you are (null when signed out) */
  check: publicProcedure.query(({ ctx }) => healthCheck(ctx)),
} satisfies TRPCRouterRecord;
