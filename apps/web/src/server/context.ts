import type { UserRole } from '@lms/db/types';
import type { Db } from './db';
import type { GraderTransport } from './grader/transport';

/** The roles, lowest first: @lms/db's list (the one source), under the app's names. */
export { USER_ROLES as ROLES } from '@lms/db/types';
export type Role = UserRole;

/** The signed-in user as the server sees it (never more than this reaches a router). */
export type SessionUser = { id: string; email: string; name: string; role: Role };
export type Session = { user: SessionUser; sessionId: string; expiresAt: Date };

export type ServerServices = {
  db: Db;
  /** how final checks reach the grader; tests pass a fake */
  grader?: GraderTransport | null;
  /** final checks per user per minute (default 10) */
  submitsPerMinute?: number;
};

export type CreateContextOptions = ServerServices & { session: Session | null };

/** Context without Next's request: routers are tested with createCaller, no HTTP. */
export function createContextInner(opts: CreateContextOptions) {
  return {
    session: opts.session,
    db: opts.db,
    grader: opts.grader ?? null,
    submitsPerMinute: opts.submitsPerMinute ?? 10,
  };
}

export type Context = ReturnType<typeof createContextInner>;
/** The context of a signed-in caller (protected procedures; their use cases take this). */
export type SignedInContext = Context & { session: Session };
