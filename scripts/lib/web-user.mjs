// The web server needs no root (issue 11, finding 8): when scripts/start.mjs runs as root, the
// web runs as an unprivileged user (`lms-web`, made once, or LMS_WEB_USER); only the grader
// keeps root, for its sandbox. Here: who that user is, the files handed to it (the SQLite
// database and its directory, Next's runtime caches), and the spawn options. Tested by
// apps/web/test/server/unprivileged.test.ts.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export const DEFAULT_WEB_USER = 'lms-web';

/** `getent passwd <name>` → { name, uid, gid }, or null when there is no such user. */
export function lookupUser(name) {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const [login, , uid, gid] = r.stdout.trim().split('\n')[0].split(':');
  return { name: login, uid: Number(uid), gid: Number(gid) };
}

/**
 * The system user `name`, made when missing (idempotent; a start racing us may make it first):
 * no home, no login shell, its own group.
 */
export function ensureSystemUser(name) {
  const found = lookupUser(name);
  if (found) return found;
  const r = spawnSync(
    'useradd',
    [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ],
    { encoding: 'utf8' },
  );
  const made = lookupUser(name);
  if (made) return made;
  throw new Error(
    `cannot create the system user ${name} for the web server (useradd: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}); ` +
      'set LMS_WEB_USER to an existing unprivileged user (name or uid:gid), or LMS_WEB_USER=root to keep the web as root',
  );
}

/**
 * Who runs the web server: null when it stays this process's own user — we are not root, or
 * LMS_WEB_USER is `root`/`0`. LMS_WEB_USER unset: the system user `lms-web` (made when missing);
 * a name: that existing user; `uid` or `uid:gid`: those ids.
 */
export function resolveWebUser({ uid = process.getuid?.(), spec = process.env.LMS_WEB_USER } = {}) {
  if (uid !== 0) return null;
  const value = (spec ?? '').trim();
  if (value === '') return ensureSystemUser(DEFAULT_WEB_USER);
  if (value === 'root' || value === '0' || value === '0:0') return null;
  const ids = /^(\d+)(?::(\d+))?$/.exec(value);
  if (ids) {
    const user = { name: value, uid: Number(ids[1]), gid: Number(ids[2] ?? ids[1]) };
    if (user.uid === 0) return null;
    return user;
  }
  const named = lookupUser(value);
  if (!named) throw new Error(`LMS_WEB_USER=${value}: no such user`);
  return named.uid === 0 ? null : named;
}

/**
 * The SQLite file a DATABASE_URL means, as @lms/db's resolveTarget reads it (unset: data/lms.db;
 * `file:<path>`, relative to the repo root); null for PostgreSQL or anything else.
 */
export function sqliteFileOf(databaseUrl, root) {
  const url = (databaseUrl ?? '').trim();
  if (url === '') return join(root, 'data', 'lms.db');
  if (!url.startsWith('file:')) return null;
  const path = url.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
  if (!path) return null;
  return isAbsolute(path) ? path : resolve(root, path);
}

/** The database file and the files SQLite keeps beside it. */
export function sqliteFiles(file) {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
}

/**
 * Refuses a symbolic link where root is about to open, chmod or chown a file the web user can
 * replace (it owns their directory): root would follow it to any file of the system.
 */
export function refuseLinks(files) {
  for (const file of files) {
    let st;
    try {
      st = lstatSync(file);
    } catch {
      continue; // not there: made by root later, as a plain file
    }
    if (st.isSymbolicLink() || !st.isFile()) {
      throw new Error(
        `refusing to start: ${file} is not a plain file (a link?); the web server's user can write its directory, so root will not open it`,
      );
    }
  }
}

function isInside(dir, parent) {
  const rel = relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A directory, never a link: chowned to the user (its mode kept). */
function giveDir(dir, user) {
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`refusing to start: ${dir} is not a directory (a link?)`);
  lchownSync(dir, user.uid, user.gid);
}

/**
 * Opens `path` for a hand-over without following a link (O_NOFOLLOW; libuv adds O_CLOEXEC):
 * a directory (`dir`) or a plain file with one link, checked on the descriptor. null when
 * missing.
 */
function openEntry(path, dir) {
  const flags =
    constants.O_RDONLY |
    constants.O_NOFOLLOW |
    constants.O_NONBLOCK |
    (dir ? constants.O_DIRECTORY : 0);
  let fd;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    const what = dir ? 'not a directory (a link?)' : 'not a plain file (a link?)';
    throw new Error(`refusing to start: ${path} is ${what} (${error.code})`);
  }
  const st = fstatSync(fd);
  if (dir ? !st.isDirectory() : !st.isFile() || st.nlink !== 1) {
    closeSync(fd);
    throw new Error(
      `refusing to start: ${path} is not a plain ${dir ? 'directory' : 'file with one link'}`,
    );
  }
  return { fd, st };
}

/**
 * Hands the web user what it writes at run time, and nothing more:
 * - `dataDir` (kept 0700) and, when the SQLite file is inside it, the directories down to the
 *   file and the file with its -wal/-shm/-journal (kept 0600) that root still owns (made by
 *   an older start, or by `mkdir` before it). A SQLite file elsewhere keeps its owner: its
 *   directory must already be writable by the user. What is missing is made by `lms-db setup`,
 *   which start.mjs runs as the user: root opens no database file.
 *   Root goes down only where the web user can redirect nothing: it touches an entry only when
 *   every directory above its parent is root's, and each entry through a descriptor opened
 *   without following links (a link, a hard link, a FIFO put in its place is refused); what
 *   lies deeper is the user's already. The secrets live outside data/ (start.mjs).
 * - Next's runtime caches (`.next/cache/images`, `.next/cache/fetch-cache`); the rest of
 *   `.next` (the build) and the code stay root's, readable by all.
 * Then checks, as the user, that it can read the app and write the database's directory.
 */
export function prepareWebFiles(user, { dataDir, sqliteFile, appDir, nextDir }) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // in the repo: root's
  const me = process.getuid?.();
  const dirs = [dataDir];
  let files = [];
  if (sqliteFile && isInside(dirname(sqliteFile), dataDir)) {
    const steps = relative(dataDir, dirname(sqliteFile)).split(sep).filter(Boolean);
    for (const step of steps) dirs.push(join(dirs.at(-1), step));
    files = sqliteFiles(sqliteFile);
  }
  const opened = [];
  try {
    // `steady`: no directory above the current one's parent is the user's (data/ is in the repo)
    let steady = true;
    let parentOurs = true;
    let reachedAll = true;
    for (const dir of dirs) {
      if (!steady) {
        reachedAll = false;
        break;
      }
      try {
        mkdirSync(dir, { mode: 0o700 });
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
      const entry = openEntry(dir, true);
      if (!entry) throw new Error(`refusing to start: ${dir} vanished`);
      opened.push(entry);
      steady = steady && parentOurs;
      parentOurs = entry.st.uid === me;
    }
    if (reachedAll && steady) {
      for (const file of files) {
        const entry = openEntry(file, false);
        if (entry) opened.push(entry);
      }
    }
    for (const { fd, st } of opened) {
      if (st.uid !== user.uid || st.gid !== user.gid) fchownSync(fd, user.uid, user.gid);
    }
    fchmodSync(opened[0].fd, 0o700);
  } finally {
    for (const { fd } of opened) closeSync(fd);
  }
  const dbDir = sqliteFile ? dirname(sqliteFile) : null;
  if (nextDir && existsSync(nextDir)) {
    const cache = join(nextDir, 'cache');
    mkdirSync(cache, { recursive: true });
    for (const name of ['images', 'fetch-cache']) {
      const dir = join(cache, name);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      giveDir(dir, user);
    }
  }
  const problem = checkAsUser(user, {
    read: [appDir, nextDir].filter((p) => p && existsSync(p)),
    write: [
      dataDir,
      dbDir && existsSync(dbDir) ? dbDir : null,
      sqliteFile && existsSync(sqliteFile) ? sqliteFile : null,
    ].filter(Boolean),
  });
  if (problem) {
    throw new Error(
      `the web server runs as ${user.name} (uid ${user.uid}), which ${problem}: make it so, or set LMS_WEB_USER (root keeps the web as root)`,
    );
  }
}

/** As `user`: can it read (and enter) `read` and write `write`? A sentence saying what fails, or null. */
export function checkAsUser(user, { read = [], write = [] }) {
  const script = `
    const { accessSync, statSync, constants: c } = require('node:fs');
    const [read, write] = JSON.parse(process.argv[1]);
    const check = (p, bits, what) => {
      try { accessSync(p, bits | (statSync(p).isDirectory() ? c.X_OK : 0)) }
      catch { console.log('cannot ' + what + ' ' + p); process.exit(1) }
    };
    for (const p of read) check(p, c.R_OK, 'read');
    for (const p of write) check(p, c.W_OK, 'write');`;
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify([read, write])], {
    ...webSpawnOptions(user),
    cwd: '/',
    encoding: 'utf8',
  });
  if (r.status === 0) return null;
  return (r.stdout || r.stderr || r.error?.message || `exit ${r.status}`).trim();
}

/**
 * child_process.spawn options that run a child as `user` (null: as ourselves). Node drops the
 * supplementary groups (setgroups) along with the uid and gid. HOME is the user's (none).
 */
export function webSpawnOptions(user, env = process.env) {
  if (!user) return { env };
  return {
    uid: user.uid,
    gid: user.gid,
    env: {
      ...env,
      HOME: '/nonexistent',
      ...(/^\d/.test(user.name) ? {} : { USER: user.name, LOGNAME: user.name }),
    },
  };
}

/** The uid a running process has (the real one, from /proc/<pid>/status), or null. */
export function uidOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const line = status.split('\n').find((l) => l.startsWith('Uid:'));
    return line ? Number(line.split(/\s+/)[1]) : null;
  } catch {
    return null;
  }
}
