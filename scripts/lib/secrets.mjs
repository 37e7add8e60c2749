// Files of the embedded runtime that only its owner may read: the data directory (the SQLite
// database: password hashes, answers, hidden tests) and the secrets file. Used by
// scripts/start.mjs; tested by packages/db/test/start-files.test.ts.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/** The directory, created with mode 0700; an existing one is set to 0700. */
export function ensurePrivateDir(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Writes `data` to `file` with mode 0600 from the first byte: a temporary file created
 * exclusively (`wx`, never an existing one or a planted link) with that mode, then renamed
 * over `file` (atomic: readers see the old file or the whole new one).
 */
export function writePrivateFile(file, data) {
  const tmp = join(dirname(file), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * The text of `file`, opened without following a link (O_NOFOLLOW; libuv adds O_CLOEXEC) and
 * checked on the descriptor: a plain file with one link, owned by us; its mode set to 0600
 * through the descriptor (never a chmod of the path). null when there is no such file. A
 * link, a hard link, a FIFO or another user's file in its place is refused, never followed.
 */
export function readPrivateFile(file) {
  let fd;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw new Error(`refusing ${file}: not a plain file (${error.code})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1) {
      throw new Error(`refusing ${file}: not a plain file with one link`);
    }
    if (st.uid !== process.getuid?.()) {
      throw new Error(`refusing ${file}: owned by uid ${st.uid}, not by us`);
    }
    if ((st.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * The installation's secrets, made once (random, 32 bytes each) and kept in `file` (0600); an
 * existing file is read as it is (readPrivateFile), its mode tightened to 0600. `legacy`: where
 * an older version kept them (data/secrets.json, in a directory the web user may own): when
 * `file` is missing, a legacy file of ours is moved over (read through readPrivateFile, written
 * to `file`, then unlinked; an unlink follows no link).
 */
export function readOrCreateSecrets(file, { legacy } = {}) {
  const text = readPrivateFile(file);
  if (text !== null) return JSON.parse(text);
  const old = legacy ? readPrivateFile(legacy) : null;
  let secrets = old === null ? null : JSON.parse(old);
  if (!secrets?.GRADER_SECRET || !secrets?.BETTER_AUTH_SECRET) {
    secrets = {
      GRADER_SECRET: randomBytes(32).toString('hex'),
      BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    };
  }
  writePrivateFile(file, `${JSON.stringify(secrets, null, 2)}\n`);
  if (old !== null) unlinkSync(legacy);
  return JSON.parse(readPrivateFile(file));
}
