import type { Db } from '../client.ts';
import type { Prisma } from '../generated/sqlite/client.ts';
import type { JsonValue } from '../types.ts';

/** A Db or an interactive transaction's client: repository helpers accept both. */
export type DbOrTx = Db | Prisma.TransactionClient;

export const auditSelect = {
  id: true,
  actorId: true,
  action: true,
  target: true,
  payload: true,
  at: true,
} satisfies Prisma.AuditLogSelect;
export type AuditEntry = Prisma.AuditLogGetPayload<{ select: typeof auditSelect }>;

/** Records an admin/instructor action, e.g. audit(db, {actorId, action: 'release.publish', target: releaseId}). */
export async function audit(
  db: DbOrTx,
  entry: { actorId: string | null; action: string; target?: string | null; payload?: JsonValue },
): Promise<AuditEntry> {
  return db.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      target: entry.target ?? null,
      ...(entry.payload === undefined || entry.payload === null ? {} : { payload: entry.payload }),
    },
    select: auditSelect,
  });
}

/** Newest first. */
export async function listAuditLog(
  db: DbOrTx,
  options: { limit?: number; action?: string } = {},
): Promise<AuditEntry[]> {
  return db.auditLog.findMany({
    where: options.action ? { action: options.action } : {},
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: Math.min(options.limit ?? 100, 1000),
    select: auditSelect,
  });
}
