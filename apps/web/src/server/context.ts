import type { Db } from './db';
import type { GraderTransport } from './grader/transport';

export const ROLES = ['student', 'instructor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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
