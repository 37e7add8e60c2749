import { createDb, type Db } from '@lms/db/client';

export type { Db };

// The one database client of this process (SQLite by default, PostgreSQL when DATABASE_URL
// says so). Kept on globalThis so Next's dev reloads and route bundles share it.
const g = globalThis as unknown as { __lmsWebDb?: Db };

export function getDb(): Db {
  g.__lmsWebDb ??= createDb();
  return g.__lmsWebDb;
}
