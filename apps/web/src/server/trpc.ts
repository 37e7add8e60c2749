import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { ZodError, z } from 'zod';
import type { Context, Role, Session } from './context';
import { AppError, type AppErrorCode, type AppErrorParams, appErrorMessage } from './errors';
import { hasRole } from './services/roles';

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const app = error instanceof AppError ? error : cause instanceof AppError ? cause : null;
    // unexpected failures keep their details in the server log (route handler onError)
    const internal = error.code === 'INTERNAL_SERVER_ERROR' && app === null;
    // the caller's input was refused (tRPC's own validation); a ZodError deeper inside a
    // procedure is an internal failure and its text stays in the server log
    const inputError = error.code === 'BAD_REQUEST' && cause instanceof ZodError ? cause : null;
    const invalid = inputError ? describeIssues(inputError) : null;
    // the client shows the words for appCode with appParams in its own language; the message
    // stays English (logs, API callers)
    const appCode: AppErrorCode | null = app
      ? app.appCode
      : internal
        ? 'INTERNAL'
        : invalid !== null
          ? 'INVALID_INPUT'
          : null;
    const appParams: AppErrorParams | null = app
      ? app.appParams
      : invalid !== null
        ? { details: invalid }
        : appCode
          ? {}
          : null;
    return {
      ...shape,
      message: internal ? appErrorMessage('INTERNAL') : (invalid ?? shape.message),
      // never ship server stack traces to the browser
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        appCode,
        appParams,
        zodError: inputError ? z.flattenError(inputError) : null,
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

/**
 * Signed in with at least the role `min` (services/roles.ts: the one rule); narrows
 * ctx.session to non-null. Every signed-in user is at least a student.
 */
function requireRole(min: Role) {
  return t.middleware(({ ctx, next }) => {
    if (!ctx.session) throw new AppError('UNAUTHORIZED');
    if (!hasRole(ctx.session.user, min)) throw new AppError('FORBIDDEN', { role: min });
    return next({ ctx: { ...ctx, session: ctx.session as Session } });
  });
}

export const publicProcedure = t.procedure;
export const protectedProcedure = t.procedure.use(requireRole('student'));
export const instructorProcedure = t.procedure.use(requireRole('instructor'));
export const adminProcedure = t.procedure.use(requireRole('admin'));
