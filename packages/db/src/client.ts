import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import Database from 'better-sqlite3';
import { type DbTarget, ensureSqliteDir, env, pgConfig, redact, resolveTarget } from './env.ts';
import { DbError } from './errors.ts';
import { PrismaClient as PostgresPrismaClient } from './generated/postgres/client.ts';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.ts';

/**
 * The client type every repository function takes. Both generated clients come from the same
 * base schema, so their model APIs are identical; we type both as the SQLite one (see README,
 * "two providers").
 */
export type Db = SqlitePrismaClient;
/** Re-exported for apps that pick a provider-specific setting by URL (e.g. better-auth's). */
export { isPostgresUrl } from './env.ts';
export type { DbTarget };

export type CreateDbOptions = {
  /** default: DATABASE_URL, else the embedded SQLite file */
  url?: string;
  /** SQLite busy timeout in ms (default 10 000) */
  busyTimeoutMs?: number;
  /** PostgreSQL pool size (default 10) */
  poolSize?: number;
};

const globalForDb = globalThis as unknown as { __lmsDb?: Map<string, Db> };

/**
 * A Prisma client for `url` (or DATABASE_URL, or the embedded SQLite file).
 *
 * - SQLite: ONE client per file per process, always (kept on globalThis). better-sqlite3 is
 *   synchronous: a second connection in the same process waiting for the write lock blocks the
 *   event loop, so the connection holding it (inside an interactive transaction) can never
 *   finish — a deadlock until the busy timeout. One connection queues transactions instead.
 *   Other processes (a CLI, a second server) are fine: WAL + busy timeout handle them.
 * - PostgreSQL: a new pooled client per call, except in development, where it is kept on
 *   globalThis so hot reloads do not open a new pool each time.
 *
 * Throws DbError('CONFIG') on a malformed URL; connection problems surface on first use —
 * call `checkConnection(db)` to fail early with one clear line.
 */
export function createDb(options: CreateDbOptions = {}): Db {
  const target = resolveTarget(options.url ?? env.DATABASE_URL);
  const cacheable = target.provider === 'sqlite' || env.NODE_ENV === 'development';
  const cacheKey =
    target.provider === 'sqlite' ? target.file : `${target.url}|${options.poolSize ?? ''}`;
  if (cacheable && !globalForDb.__lmsDb) globalForDb.__lmsDb = new Map();
  const cached = cacheable ? globalForDb.__lmsDb?.get(cacheKey) : undefined;
  if (cached) return cached;
  const db = openClient(target, options);
  if (cacheable) globalForDb.__lmsDb?.set(cacheKey, db);
  return db;
}

function openClient(target: DbTarget, options: CreateDbOptions): Db {
  if (target.provider === 'sqlite') {
    ensureSqliteDir(target.file);
    const timeout = options.busyTimeoutMs ?? 10_000;
    // WAL is a property of the file (persists), set once before Prisma opens it.
    try {
      const raw = new Database(target.file, { timeout });
      raw.pragma('journal_mode = WAL');
      raw.close();
    } catch (error) {
      throw new DbError(
        'UNAVAILABLE',
        `cannot open SQLite database ${target.file}: ${oneLine(error)}`,
      );
    }
    const adapter = new PrismaBetterSqlite3({ url: target.file, timeout });
    return new SqlitePrismaClient({ adapter });
  }
  // pg-pool applies connectionTimeoutMillis to waiting for a free pooled connection too;
  // under bursts that wait is long, so allow as much as a transaction may wait (TX_OPTIONS).
  const adapter = new PrismaPg({
    ...pgConfig(target.url),
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 30_000,
  });
  return new PostgresPrismaClient({ adapter }) as unknown as Db;
}

/** Runs a trivial query; throws DbError('UNAVAILABLE') with one line if the database is unreachable. */
export async function checkConnection(db: Db, url?: string): Promise<void> {
  try {
    await db.$queryRawUnsafe('SELECT 1');
  } catch (error) {
    const where = url ? redact(url) : 'the database';
    throw new DbError('UNAVAILABLE', `cannot reach ${where}: ${oneLine(error)}`);
  }
}

/** The first meaningful line of an error, without stack. */
export function oneLine(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; cause?: unknown } | null;
  let msg = typeof e?.message === 'string' && e.message ? e.message : String(error);
  if (
    e &&
    typeof e === 'object' &&
    'errors' in e &&
    Array.isArray((e as { errors: unknown[] }).errors)
  ) {
    // AggregateError from net (ECONNREFUSED on ::1 and 127.0.0.1)
    const first = (e as { errors: Array<{ message?: string }> }).errors[0];
    if (first?.message) msg = first.message;
  }
  const lines = msg
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at ') && !l.startsWith('Invalid `'));
  return (lines[lines.length - 1] ?? msg).slice(0, 300);
}
