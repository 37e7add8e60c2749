import { adminRouter } from './routers/admin';
import { attemptRouter } from './routers/attempt';
import { chapterRouter } from './routers/chapter';
import { cohortRouter } from './routers/cohort';
import { courseRouter } from './routers/course';
import { draftRouter } from './routers/draft';
import { healthRouter } from './routers/health';
import { progressRouter } from './routers/progress';
import { settingsRouter } from './routers/settings';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  health: healthRouter,
  course: courseRouter,
  chapter: chapterRouter,
  draft: draftRouter,
  attempt: attemptRouter,
  progress: progressRouter,
  settings: settingsRouter,
  admin: adminRouter,
  cohort: cohortRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller (RSC, tests): `createCaller(ctx)`. */
export const createCaller = createCallerFactory(appRouter);
