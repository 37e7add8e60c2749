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

export type AuditFilter = {
  /** the actor's user id */
  actorId?: string;
  /** an action (`user.role`) or a family of them (`user.`: every action starting so) */
  action?: string;
  /** at or after */
  from?: Date;
  /** before */
  to?: Date;
};

export type AuditPageEntry = AuditEntry & {
  actor: { id: string; name: string; email: string } | null;
};

/** One page of the audit log for the admins' page, newest first, with each actor's name. */
export async function searchAuditLog(
  db: DbOrTx,
  filter: AuditFilter & { limit?: number; offset?: number } = {},
): Promise<{ entries: AuditPageEntry[]; total: number }> {
  const at =
    filter.from || filter.to
      ? { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) }
      : undefined;
  const where: Prisma.AuditLogWhereInput = {
    ...(filter.actorId ? { actorId: filter.actorId } : {}),
    ...(filter.action
      ? filter.action.endsWith('.')
        ? { action: { startsWith: filter.action } }
        : { action: filter.action }
      : {}),
    ...(at ? { at } : {}),
  };
  const [entries, total] = await Promise.all([
    db.auditLog.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: Math.min(Math.max(filter.limit ?? 50, 1), 200),
      skip: Math.max(filter.offset ?? 0, 0),
      select: { ...auditSelect, actor: { select: { id: true, name: true, email: true } } },
    }),
    db.auditLog.count({ where }),
  ]);
  return { entries, total };
}

/** The actions the log holds, for the filter's list. */
export async function listAuditActions(db: DbOrTx): Promise<string[]> {
  const rows = await db.auditLog.findMany({
    distinct: ['action'],
    select: { action: true },
    orderBy: { action: 'asc' },
  });
  return rows.map((r) => r.action);
}
