import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDb, type Db } from '../src/client.ts';
import type { DbTarget } from '../src/env.ts';
import { migrate, pgAdmin } from '../src/migrate.ts';
import { IN_CI } from './env.ts';

export const PG_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
export { IN_CI };

/** Is the PostgreSQL of the test machine reachable? (Tests FAIL under CI when not; skip otherwise.) */
export async function pgReachable(): Promise<{ ok: boolean; reason: string }> {
  // refused at once when nothing listens: the timeout only meets a slow server
  const client = new pg.Client({ connectionString: PG_SERVER, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, reason: '' };
  } catch (error) {
    return {
      ok: false,
      reason: `PostgreSQL at 127.0.0.1:5432 unreachable (${(error as Error).message})`,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

export const pgStatus = await pgReachable();
if (!pgStatus.ok && !IN_CI)
  console.warn(`[db tests] skipping PostgreSQL tests: ${pgStatus.reason}`);

export type Provider = 'sqlite' | 'postgresql';

/** A fresh empty database of the provider; `drop()` removes it. */
export async function freshTarget(
  provider: Provider,
): Promise<{ target: DbTarget; drop: () => Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lms-db-test-'));
    const file = join(dir, 'test.db');
    return {
      target: { provider, file, url: `file:${file}` },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `lms_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await pgAdmin(PG_SERVER, `CREATE DATABASE "${name}"`);
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  return {
    target: { provider, url },
    drop: () => pgAdmin(PG_SERVER, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** A migrated database and a client on it. */
export async function migratedDb(
  provider: Provider,
): Promise<{ db: Db; target: DbTarget; close: () => Promise<void> }> {
  const { target, drop } = await freshTarget(provider);
  await migrate(target);
  const db = createDb({ url: target.url });
  return {
    db,
    target,
    close: async () => {
      await db.$disconnect();
      await drop();
    },
  };
}

export const fixtureCourse = (): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL('./fixtures/course.json', import.meta.url), 'utf8'));

/** Providers to run: SQLite always; PostgreSQL when reachable, or always under CI (to fail loudly). */
export const PROVIDERS_UNDER_TEST: Provider[] =
  pgStatus.ok || IN_CI ? ['sqlite', 'postgresql'] : ['sqlite'];

/** A course row without content (students' work belongs to a course): its id. */
export async function makeCourse(
  db: Db,
  slug = `course-${Math.random().toString(36).slice(2, 8)}`,
): Promise<string> {
  return (await db.course.create({ data: { slug, title: slug }, select: { id: true } })).id;
}
