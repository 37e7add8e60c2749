/** What went wrong, for callers to map (the web app maps codes to TRPCError codes). */
export type DbErrorCode =
  | 'CONFIG' // bad DATABASE_URL or similar
  | 'UNAVAILABLE' // cannot reach/open the database
  | 'MIGRATION' // migration history problem (failed, diverged…)
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IMMUTABLE' // a published/archived release cannot change
  | 'INVALID'; // bad input

export class DbError extends Error {
  override readonly name = 'DbError';
  constructor(
    readonly code: DbErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Prisma's "unique constraint failed" (P2002), also when wrapped by a driver adapter. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === 'P2002') return true;
  return typeof e?.message === 'string' && /Unique constraint failed/i.test(e.message);
}

/** Prisma's "foreign key constraint failed" (P2003): a referenced row (user, course…) is missing. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === 'P2003') return true;
  return typeof e?.message === 'string' && /Foreign key constraint/i.test(e.message);
}
