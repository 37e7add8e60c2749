import { getUserByEmail, listAuditActions, searchAuditLog } from '@lms/db';
import type { SignedInContext } from '../context';

/* The admins' audit log page (routers/admin.ts, adminProcedure). */

/**
 * One page of the audit log, newest first, filtered by actor (e-mail), action (`user.role`, or a
 * family `user.`) and date range (`from` inclusive, `to` exclusive); with the actions known, for
 * the filter's list. An unknown actor e-mail matches nothing.
 */
export async function auditLogPage(
  ctx: SignedInContext,
  input: {
    actorEmail?: string;
    action?: string;
    from?: Date;
    to?: Date;
    page: number;
    pageSize: number;
  },
) {
  const actions = await listAuditActions(ctx.db);
  let actorId: string | undefined;
  if (input.actorEmail?.trim()) {
    const actor = await getUserByEmail(ctx.db, input.actorEmail);
    if (!actor) return { entries: [], total: 0, actions, page: input.page };
    actorId = actor.id;
  }
  const { entries, total } = await searchAuditLog(ctx.db, {
    actorId,
    action: input.action || undefined,
    from: input.from,
    to: input.to,
    limit: input.pageSize,
    offset: (input.page - 1) * input.pageSize,
  });
  return { entries, total, actions, page: input.page };
}
