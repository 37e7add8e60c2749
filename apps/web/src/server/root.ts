import { healthRouter } from './routers/health';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  health: healthRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller (RSC, tests): `createCaller(ctx)`. */
export const createCaller = createCallerFactory(appRouter);
