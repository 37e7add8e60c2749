import { TRPCError } from '@trpc/server';

/** A server call that failed because the thing does not exist (or is not published). */
export function isNotFound(e: unknown): boolean {
  return e instanceof TRPCError && (e.code === 'NOT_FOUND' || e.code === 'BAD_REQUEST');
}
