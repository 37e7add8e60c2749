// The one database client of this process, from @lms/db (SQLite by default, PostgreSQL when
// DATABASE_URL says so). Kept on globalThis so Next's dev reloads don't open a new pool each time.
export type Db = unknown;

const g = globalThis as unknown as { __lmsWebDb?: Promise<Db> };

export function getDb(): Promise<Db> {
  g.__lmsWebDb ??= import('@lms/db').then((m) => (m as { db?: Db }).db as Db);
  return g.__lmsWebDb;
}
