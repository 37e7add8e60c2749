import type { TRPCRouterRecord } from '@trpc/server';
import { publicProcedure } from '../trpc';

export const healthRouter = {
  /** liveness, and who the server thinks you are (null when signed out) */
  check: publicProcedure.query(({ ctx }) => ({
    ok: true as const,
    time: new Date(),
    user: ctx.session
      ? { id: ctx.session.user.id, name: ctx.session.user.name, role: ctx.session.user.role }
      : null,
  })),
} satisfies TRPCRouterRecord;
