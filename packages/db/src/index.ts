// @lms/db — the data layer. See README.md for the schema, the two providers, the CLI and this API.
export { type CreateDbOptions, checkConnection, createDb, type Db, oneLine } from './client.ts';
export { type DbTarget, DEFAULT_SQLITE_FILE, isPostgresUrl, redact, resolveTarget } from './env.ts';
export { DbError, type DbErrorCode } from './errors.ts';
export { hashPassword, verifyPassword } from './password.ts';
export * from './repo/analytics.ts';
export * from './repo/attempts.ts';
export * from './repo/audit.ts';
export * from './repo/cohorts.ts';
export * from './repo/drafts.ts';
export * from './repo/progress.ts';
export * from './repo/releases.ts';
export * from './repo/settings.ts';
export * from './repo/users.ts';
export * from './types.ts';
