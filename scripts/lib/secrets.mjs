// Files of the embedded runtime that only its owner may read: the data directory (the SQLite
// database: password hashes, answers, hidden tests) and the secrets file. Used by
// scripts/start.mjs; tested by packages/db/test/start-files.test.ts.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
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
 * The installation's secrets, made once (random, 32 bytes each) and kept in `file` (0600); an
 * existing file is read as it is, its mode tightened to 0600.
 */
export function readOrCreateSecrets(file) {
  if (!existsSync(file)) {
    const secrets = {
      GRADER_SECRET: randomBytes(32).toString('hex'),
      BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    };
    writePrivateFile(file, `${JSON.stringify(secrets, null, 2)}\n`);
  } else {
    chmodSync(file, 0o600);
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}
