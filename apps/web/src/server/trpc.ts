import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { ZodError, z } from 'zod';
import type { Context, Role, Session } from './context';
import { AppError, type AppErrorCode } from './errors';

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const appCode: AppErrorCode | null =
      error instanceof AppError ? error.appCode : cause instanceof AppError ? cause.appCode : null;
    // unexpected failures keep their details in the server log (route handler onError)
    const internal = error.code === 'INTERNAL_SERVER_ERROR' && appCode === null;
    return {
      ...shape,
      message: internal
        ? 'Something went wrong on the server. Please try again.'
        : cause instanceof ZodError
          ? describeIssues(cause)
          : shape.message,
      // never ship server stack traces to the browser
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        appCode,
        zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
      },
    };
  },
});

/** "taskId: only letters…; code: …" — where and what, instead of zod's JSON dump. */
function describeIssues(error: ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
    .join('; ');
}

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;
export const middleware = t.middleware;

const ROLE_RANK: Record<Role, number> = { student: 0, instructor: 1, admin: 2 };

/** Signed in: narrows ctx.session to non-null. */
const isAuthed = t.middleware(({ ctx, next }) => {
  if (!ctx.session) throw new AppError('UNAUTHORIZED', 'Sign in to continue.');
  return next({ ctx: { ...ctx, session: ctx.session as Session } });
});

function hasRole(min: Role) {
  return t.middleware(({ ctx, next }) => {
    if (!ctx.session) throw new AppError('UNAUTHORIZED', 'Sign in to continue.');
    if (ROLE_RANK[ctx.session.user.role] < ROLE_RANK[min]) {
      throw new AppError('FORBIDDEN', `This needs the ${min} role.`);
    }
    return next({ ctx: { ...ctx, session: ctx.session as Session } });
  });
}

const isInstructor = hasRole('instructor');
const isAdmin = hasRole('admin');

export const publicProcedure = t.procedure;
export const protectedProcedure = t.procedure.use(isAuthed);
export const instructorProcedure = t.procedure.use(isInstructor);
export const adminProcedure = t.procedure.use(isAdmin);
