import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { DbError } from './errors.ts';
import { REPO_DIR } from './schema-files.ts';

/** The embedded default database file. */
export const DEFAULT_SQLITE_FILE = join(REPO_DIR, 'data', 'lms.db');

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  NODE_ENV: z.string().optional(),
  /** server used for PostgreSQL shadow databases by `lms-db diff`/`new` (default 127.0.0.1:5432) */
  POSTGRES_URL: z.string().optional(),
  /** print full errors from the CLI */
  LMS_DEBUG: z.string().optional(),
  /** the address the web app listens on (`lms-db demo-accounts --check`: loopback or not) */
  HOST: z.string().optional(),
  /** e-mail of the first admin made by `lms-db setup --production` (or `--admin-email`) */
  LMS_ADMIN_EMAIL: z.string().optional(),
});

export const env = envSchema.parse(process.env);

/** `postgres://…` or `postgresql://…` (any case): the one test for "this URL means PostgreSQL". */
export function isPostgresUrl(url: string | null | undefined): boolean {
  return typeof url === 'string' && /^postgres(ql)?:\/\//i.test(url);
}

export type DbTarget =
  | { provider: 'sqlite'; file: string; url: string }
  | { provider: 'postgresql'; url: string };

/**
 * Which database a URL means: unset ⇒ the embedded SQLite file `<repo>/data/lms.db`;
 * `postgres://` or `postgresql://` ⇒ PostgreSQL; `file:<path>` ⇒ that SQLite file
 * (relative to the repo root). Anything else is a configuration error.
 */
export function resolveTarget(url: string | undefined = env.DATABASE_URL): DbTarget {
  if (url === undefined || url === '') {
    return { provider: 'sqlite', file: DEFAULT_SQLITE_FILE, url: `file:${DEFAULT_SQLITE_FILE}` };
  }
  if (isPostgresUrl(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DbError('CONFIG', `DATABASE_URL is not a valid URL: ${redact(url)}`);
    }
    if (!parsed.hostname) throw new DbError('CONFIG', `DATABASE_URL has no host: ${redact(url)}`);
    if (parsed.pathname.length <= 1) {
      throw new DbError('CONFIG', `DATABASE_URL names no database (…/<database>): ${redact(url)}`);
    }
    return { provider: 'postgresql', url };
  }
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new DbError('CONFIG', 'DATABASE_URL "file:" names no file');
    const file = isAbsolute(path) ? path : resolve(REPO_DIR, path);
    return { provider: 'sqlite', file, url: `file:${file}` };
  }
  throw new DbError(
    'CONFIG',
    `DATABASE_URL must start with postgres://, postgresql:// or file: (or be unset for ${DEFAULT_SQLITE_FILE}); got ${redact(url)}`,
  );
}

/** A URL with its password replaced, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/**
 * Makes the SQLite file's directory (mode 0700 when created) and the file itself, empty, with
 * mode 0600, before any driver opens it: the database holds password hashes, answers and
 * hidden tests, so it is never world-readable, not even for a moment. An existing file loses
 * its group/other bits (older installations). SQLite gives its -wal/-shm/-journal files the
 * database file's mode.
 * The file is opened once, without following a link (O_NOFOLLOW; libuv adds O_CLOEXEC), and
 * checked and chmod-ed through that descriptor: a link or a hard link put in its place (the
 * directory may be another user's) is refused, never followed to another file.
 */
export function ensureSqliteDir(file: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DbError('UNAVAILABLE', `cannot create ${dir}: ${(error as Error).message}`);
  }
  let fd: number;
  try {
    // create if missing (with 0600), never truncate an existing database; read-only suffices
    // for an existing file another user owns (SQLite then opens it as the file system allows);
    // O_NONBLOCK: a FIFO in its place cannot hang us
    fd = openSync(
      file,
      constants.O_RDONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      0o600,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symbolic link' : (error as Error).message;
    throw new DbError('UNAVAILABLE', `cannot create ${file}: ${why}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1) {
      throw new DbError(
        'UNAVAILABLE',
        `refusing ${file}: not a plain file with one link (${st.isFile() ? `${st.nlink} links` : 'not a file'})`,
      );
    }
    const mode = st.mode & 0o777;
    if (mode & 0o077) {
      try {
        fchmodSync(fd, mode & 0o700);
      } catch {
        // another owner's file: SQLite opens it as the file system allows
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** pg.PoolConfig from a URL, as separate fields (pg lets connectionString override `database`). */
export function pgConfig(url: string, database?: string) {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: database ?? decodeURIComponent(u.pathname.slice(1)),
    connectionTimeoutMillis: 5000,
  };
}
